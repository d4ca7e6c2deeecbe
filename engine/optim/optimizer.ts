// The optimizer contract. An optimizer steps over a ParamStore's flat buffers (values -= f(grads))
// in one loop, keeps its moment buffers flat and parallel to them, and hands its state out as
// plain named arrays (JSON-ready) so learning resumes after a restart where it stopped.
// zeroGrad is the one place gradients are cleared (backward passes only accumulate).

import type { ParamStore } from '../params.js';
import type { FloatArray } from '../tensor.js';

export type OptimizerKind = 'sgd' | 'adam';

export interface OptimizerState {
  readonly kind: OptimizerKind;
  /** Steps taken so far (Adam's bias correction depends on it). */
  readonly stepCount: number;
  readonly lr: number;
  /** Moment buffers by name (`momentumBuffer`; `expAvg`, `expAvgSq`), each params.size long. */
  readonly buffers: Readonly<Record<string, readonly number[]>>;
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  readonly params: ParamStore;
  /** Learning rate; may be changed between steps (schedules, warm restarts). */
  lr: number;
  readonly stepCount: number;
  /** One update of params.values from params.grads. */
  step(): void;
  /** Clears params.grads. */
  zeroGrad(): void;
  /** A copy of the state, safe to JSON.stringify. */
  state(): OptimizerState;
  /** Restores a state from state(); the learning rate comes back with it. */
  load(state: OptimizerState): void;
}

export function checkLr(lr: number): number {
  if (!(lr >= 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a finite number >= 0, got ${lr}`);
  return lr;
}

/** Validates a saved state against this optimizer and copies its buffers in (shared by the optimizers). */
export function loadBuffers(kind: OptimizerKind, state: OptimizerState, buffers: Record<string, FloatArray>): void {
  if (state.kind !== kind) throw new Error(`cannot load a '${state.kind}' optimizer state into a '${kind}' optimizer; create a ${state.kind} optimizer instead`);
  if (!Number.isInteger(state.stepCount) || state.stepCount < 0) throw new Error(`optimizer state stepCount must be an integer >= 0, got ${state.stepCount}`);
  checkLr(state.lr);
  for (const [name, buf] of Object.entries(buffers)) {
    const saved = state.buffers[name];
    if (!saved) {
      throw new Error(`optimizer state has no '${name}' buffer: it was saved with other settings; create the optimizer with the settings it was saved with, or start without loading`);
    }
    if (saved.length !== buf.length) {
      throw new Error(`optimizer state buffer '${name}' has ${saved.length} values but the parameters have ${buf.length}: it belongs to another model`);
    }
  }
  for (const [name, buf] of Object.entries(buffers)) buf.set(state.buffers[name]);
}

export function saveBuffers(buffers: Record<string, FloatArray>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, buf] of Object.entries(buffers)) out[name] = Array.from(buf);
  return out;
}
