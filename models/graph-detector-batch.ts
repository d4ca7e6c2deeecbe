// Per-batch-size scoring state of a GraphDetector: a GraphRunner of its own (so its node
// buffers keep their size), the scaled input, the compared target and the score buffers, all
// allocated once when a batch size is first seen. Steady-state scoring allocates nothing.
// errorsInto turns output and target into the contract's scores: squared error per channel
// averaged over the compared samples, total = mean over channels.

import { GraphRunner } from '../engine/graph/runner.js';
import type { Graph } from '../engine/graph/graph.js';
import { type FloatArray, type FloatTensor, floatTensor } from '../engine/tensor.js';
import type { WindowScores } from './detector.js';
import type { DetectorIo } from './graph-detector-io.js';
import type { Scaler } from './scoring/scaler.js';

export interface BatchSlot {
  readonly batch: number;
  readonly runner: GraphRunner;
  readonly input: FloatTensor; // [B, inputSteps, C] or [B, inputSteps·C], scaled
  readonly feeds: Readonly<Record<string, FloatTensor>>; // { [graph input]: input }
  readonly target: FloatArray; // [B, comparedSteps·C], scaled (autoencoder: input.data itself)
  readonly scores: WindowScores; // total [B], perChannel [B, C]
  /** d(loss)/d(output) for learn(), made on first use. */
  dOut: FloatTensor | null;
}

export function createBatchSlot(graph: Graph, io: DetectorIo, batch: number): BatchSlot {
  const { channels: C, inputSteps, comparedSteps } = io;
  const shape = io.inputRank === 3 ? [batch, inputSteps, C] : [batch, inputSteps * C];
  const input = floatTensor(shape);
  const target = io.role === 'autoencoder' ? input.data : new Float32Array(batch * comparedSteps * C);
  return {
    batch,
    runner: new GraphRunner(graph),
    input,
    feeds: { [io.inputName]: input },
    target,
    scores: { batch, total: new Float32Array(batch), perChannel: new Float32Array(batch * C) },
    dOut: null,
  };
}

/** Scales B raw windows [B, windowSize, C] into the slot's input and target. */
export function fillFromRaw(slot: BatchSlot, io: DetectorIo, scaler: Scaler, windows: ArrayLike<number>): void {
  const { channels: C, windowSize: W, inputSteps: S, horizon } = io;
  for (let b = 0; b < slot.batch; b++) {
    scaler.apply(slot.input.data, windows, S, b * S * C, b * W * C);
    if (horizon > 0) scaler.apply(slot.target, windows, horizon, b * horizon * C, (b * W + S) * C);
  }
}

/** Copies rows [from, from+B) of already scaled inputs/targets (as fit builds them) into the slot. */
export function fillFromScaled(slot: BatchSlot, io: DetectorIo, inputs: FloatArray, targets: FloatArray, from: number): void {
  const inN = io.inputSteps * io.channels;
  const tN = io.comparedSteps * io.channels;
  slot.input.data.set(inputs.subarray(from * inN, (from + slot.batch) * inN));
  if (io.role === 'forecaster') slot.target.set(targets.subarray(from * tN, (from + slot.batch) * tN));
}

/** Runs the graph on the slot's input and checks the output holds what the role promises. */
export function runSlot(slot: BatchSlot, io: DetectorIo): FloatTensor {
  const out = slot.runner.run(slot.feeds)[io.outputName];
  const want = slot.batch * io.comparedSteps * io.channels;
  if (out.dtype !== 'float32' || out.data.length !== want) {
    throw new Error(
      `graph output '${io.outputName}' has shape [${out.shape}] but a ${io.role} over ${io.channels} channels needs ` +
        `${io.comparedSteps} samples per window (${want} values for batch ${slot.batch})`,
    );
  }
  return out;
}

/**
 * perChannel[b, c] = mean over the S compared samples of (out - target)²; total[b] = mean over c.
 * Sums run in float64.
 */
export function errorsInto(
  scores: WindowScores,
  out: FloatArray, // [B, S, C]
  target: FloatArray, // [B, S, C]
  B: number,
  S: number,
  C: number,
): void {
  const { total, perChannel } = scores;
  for (let b = 0; b < B; b++) {
    const base = b * S * C;
    let all = 0;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let t = 0; t < S; t++) {
        const i = base + t * C + c;
        const d = out[i] - target[i];
        s += d * d;
      }
      const m = s / S;
      perChannel[b * C + c] = m;
      all += m;
    }
    total[b] = all / C;
  }
}
