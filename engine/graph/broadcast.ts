// Numpy-style (multidirectional) broadcasting, as ONNX defines it for Add, Sub, Mul, Div ...
// For a pair of input shapes we build, once, the offset of each output element in each input;
// elementwise loops then read a[ai[k]], b[bi[k]] with no index arithmetic. The same maps drive
// backward: reducing a gradient over broadcast axes is a scatter-add through the map.

import { type Shape, shapeString, sizeOf, stridesOf } from '../tensor.js';

export function broadcastShape(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes ${shapeString(a)} and ${shapeString(b)} cannot be broadcast (axis ${i}: ${da} vs ${db})`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** For every element of `outShape` (row-major), the offset of the element of `inShape` it reads. */
export function broadcastOffsets(outShape: Shape, inShape: Shape): Int32Array {
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  // Effective stride per output axis: 0 where the input is broadcast (missing or size 1).
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const axis = rank - inShape.length + i;
    eff[axis] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  return stridedOffsets(outShape, eff);
}

/** Offsets base + Σ idx[a]·strides[a] for every index of `shape` in row-major order. */
export function stridedOffsets(shape: Shape, strides: readonly number[], base = 0): Int32Array {
  const n = sizeOf(shape);
  const rank = shape.length;
  const offsets = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let k = 0; k < n; k++) {
    offsets[k] = off;
    for (let axis = rank - 1; axis >= 0; axis--) {
      idx[axis]++;
      off += strides[axis];
      if (idx[axis] < shape[axis]) break;
      off -= strides[axis] * idx[axis];
      idx[axis] = 0;
    }
  }
  return offsets;
}

export interface BroadcastPlan {
  readonly key: string;
  readonly shape: number[];
  /** null when the input already has the output's shape (identity map). */
  readonly a: Int32Array | null;
  readonly b: Int32Array | null;
}

export function planBroadcast(a: Shape, b: Shape, cached?: BroadcastPlan): BroadcastPlan {
  const key = `${a.join(',')}|${b.join(',')}`;
  if (cached && cached.key === key) return cached;
  const shape = broadcastShape(a, b);
  const n = sizeOf(shape);
  return {
    key,
    shape,
    a: sizeOf(a) === n && a.length === shape.length ? null : broadcastOffsets(shape, a),
    b: sizeOf(b) === n && b.length === shape.length ? null : broadcastOffsets(shape, b),
  };
}
