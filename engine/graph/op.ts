// The contract of one graph operator. forward maps input tensors to output tensors;
// backward ADDS d(loss)/d(input) into the buffers it is handed (principle 4): dInputs[i] is
// undefined when input i needs no gradient, so ops skip work nobody asked for.

import type { FloatArrayConstructor, FloatTensor, Shape, Tensor } from '../tensor.js';
import type { GraphNode } from './graph.js';

export interface OpContext {
  readonly node: GraphNode;
  readonly opset: number;
  /** Float32Array in production; Float64Array when a gradient check runs the graph in float64. */
  readonly ctor: FloatArrayConstructor;
  /** A float buffer for output `index`, reused across runs while its size is unchanged. Contents are stale: overwrite. */
  floatOut(index: number, shape: Shape): FloatTensor;
  /** Per-node scratch that survives from forward to backward and across runs (workspaces, saved masks). */
  scratch: unknown;
}

export type MaybeTensor = Tensor | undefined;
export type MaybeFloat = FloatTensor | undefined;

export interface Op {
  forward(ctx: OpContext, inputs: readonly MaybeTensor[]): Tensor[];
  /** Absent for ops with no float-differentiable inputs (Shape, ConstantOfShape ...). */
  backward?(ctx: OpContext, inputs: readonly MaybeTensor[], outputs: readonly Tensor[], dOutputs: readonly MaybeFloat[], dInputs: readonly MaybeFloat[]): void;
  /** Inputs that never carry a gradient even when float (indices, shapes, sequence lengths). */
  readonly nonDifferentiableInputs?: readonly number[];
}
