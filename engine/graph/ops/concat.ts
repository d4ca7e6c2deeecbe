// Concat along one axis, for float and integer tensors (shape vectors are concatenated often).

import { type Tensor, shapeString, sizeOf } from '../../tensor.js';
import { attrNumber } from '../graph.js';
import type { Op } from '../op.js';
import { normAxis } from './util.js';

export const Concat: Op = {
  forward(ctx, inputs) {
    const parts = inputs.filter((t): t is Tensor => t !== undefined);
    if (parts.length === 0) throw new Error('Concat needs at least one input');
    const first = parts[0];
    const rank = first.shape.length;
    const axis = normAxis(attrNumber(ctx.node, 'axis', 0), rank, 'Concat axis');
    let total = 0;
    for (const p of parts) {
      if (p.dtype !== first.dtype) throw new Error('Concat inputs differ in type');
      if (p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new Error(`Concat: ${shapeString(p.shape)} does not match ${shapeString(first.shape)} outside axis ${axis}`);
      }
      total += p.shape[axis];
    }
    const shape = [...first.shape];
    shape[axis] = total;
    const outer = sizeOf(first.shape.slice(0, axis));
    const inner = sizeOf(first.shape.slice(axis + 1));
    const out = first.dtype === 'float32' ? ctx.floatOut(0, shape) : { dtype: 'int64' as const, shape, data: new Float64Array(sizeOf(shape)) };
    const o = out.data;
    const rowOut = total * inner;
    let at = 0;
    for (const p of parts) {
      const row = p.shape[axis] * inner;
      for (let i = 0; i < outer; i++) for (let j = 0; j < row; j++) o[i * rowOut + at + j] = p.data[i * row + j];
      at += row;
    }
    return [out];
  },
  backward(ctx, inputs, [out], [dOut], dInputs) {
    if (!dOut) return;
    const rank = out.shape.length;
    const axis = normAxis(attrNumber(ctx.node, 'axis', 0), rank, 'Concat axis');
    const outer = sizeOf(out.shape.slice(0, axis));
    const inner = sizeOf(out.shape.slice(axis + 1));
    const rowOut = out.shape[axis] * inner;
    let at = 0;
    inputs.forEach((p, k) => {
      if (!p) return;
      const row = p.shape[axis] * inner;
      const d = dInputs[k];
      if (d) for (let i = 0; i < outer; i++) for (let j = 0; j < row; j++) d.data[i * row + j] += dOut.data[i * rowOut + at + j];
      at += row;
    });
  },
};
