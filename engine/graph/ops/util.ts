// Small helpers shared by the shape-plumbing ops.

import type { FloatTensor, IntTensor, Shape, Tensor } from '../../tensor.js';
import type { MaybeTensor } from '../op.js';

export function need(x: MaybeTensor, what: string): Tensor {
  if (!x) throw new Error(`missing input ${what}`);
  return x;
}

export function needFloat(x: MaybeTensor, what: string): FloatTensor {
  if (!x) throw new Error(`missing input ${what}`);
  if (x.dtype !== 'float32') throw new Error(`input ${what} must be float, got ${x.dtype}`);
  return x;
}

/** Reads a 0-D or 1-D integer tensor (shapes, axes, indices) as plain numbers. */
export function readInts(x: MaybeTensor, what: string): number[] {
  if (!x) throw new Error(`missing input ${what}`);
  if (x.dtype !== 'int64') throw new Error(`input ${what} must be an integer tensor, got ${x.dtype}`);
  if (x.shape.length > 1) throw new Error(`input ${what} must be 0-D or 1-D, got shape [${x.shape}]`);
  // Int tensors live in Float64Arrays; sizes handed on as doubles would deoptimise the kernels
  // that receive them, so int32-range values become small integers again.
  return Array.from(x.data, (v) => (v >= -2147483648 && v <= 2147483647 ? v | 0 : v));
}

/** Normalises a possibly negative axis against a rank, with a clear error when out of range. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** A tensor sharing `x`'s data under another shape (reshape-like ops copy nothing). */
export function view(x: Tensor, shape: Shape): Tensor {
  return x.dtype === 'float32'
    ? ({ dtype: 'float32', shape: [...shape], data: x.data } satisfies FloatTensor)
    : ({ dtype: 'int64', shape: [...shape], data: x.data } satisfies IntTensor);
}

export function intOut(shape: Shape, data: ArrayLike<number>): IntTensor {
  return { dtype: 'int64', shape: [...shape], data: Float64Array.from(data) };
}

/** dX += dOut elementwise (backward of every op that only reinterprets its input's layout). */
export function addInto(dX: FloatTensor | undefined, dOut: FloatTensor | undefined): void {
  if (!dX || !dOut) return;
  const d = dX.data, g = dOut.data;
  for (let i = 0; i < g.length; i++) d[i] += g[i];
}
