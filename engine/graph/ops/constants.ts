// Ops that make tensors rather than transform them: Shape, Constant, ConstantOfShape, and Cast
// (which Vigil reduces to its two element types: float32 and int64).

import { type Tensor, floatTensor, sizeOf } from '../../tensor.js';
import { attrNumber } from '../graph.js';
import type { Op } from '../op.js';
import { addInto, intOut, need, readInts } from './util.js';

export const Shape: Op = {
  forward(ctx, [x]) {
    const shape = need(x, 'data').shape;
    // Opset 15 added start/end (a slice of the shape vector).
    const rank = shape.length;
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const start = clamp(attrNumber(ctx.node, 'start', 0));
    const end = clamp(attrNumber(ctx.node, 'end', rank));
    const dims = shape.slice(start, Math.max(start, end));
    return [intOut([dims.length], dims)];
  },
};

export const Constant: Op = {
  forward(ctx) {
    const a = ctx.node.attrs;
    if (a.value !== undefined) {
      if (typeof a.value !== 'object' || Array.isArray(a.value)) throw new Error("Constant: attribute 'value' must be a tensor");
      return [a.value as Tensor];
    }
    if (typeof a.value_float === 'number') return [floatTensor([], [a.value_float], ctx.ctor)];
    if (Array.isArray(a.value_floats)) return [floatTensor([a.value_floats.length], a.value_floats as number[], ctx.ctor)];
    if (typeof a.value_int === 'number') return [intOut([], [a.value_int])];
    if (Array.isArray(a.value_ints)) return [intOut([a.value_ints.length], a.value_ints as number[])];
    throw new Error('Constant: no supported value attribute (value, value_float(s), value_int(s))');
  },
};

export const ConstantOfShape: Op = {
  forward(ctx, [s]) {
    const shape = readInts(s, 'input');
    if (shape.some((d) => d < 0 || !Number.isInteger(d))) throw new Error(`ConstantOfShape: invalid shape [${shape}]`);
    const n = sizeOf(shape);
    if (n > 1 << 28) throw new Error(`ConstantOfShape: shape [${shape}] is too large (${n} elements)`);
    const v = ctx.node.attrs.value as Tensor | undefined;
    const fill = v ? v.data[0] : 0;
    if (v && v.dtype === 'int64') return [intOut(shape, new Float64Array(n).fill(fill))];
    const out = ctx.floatOut(0, shape);
    out.data.fill(fill);
    return [out];
  },
};

// ONNX TensorProto.DataType codes.
const FLOAT_TYPES = new Set([1, 10, 11, 16]); // FLOAT, FLOAT16, DOUBLE, BFLOAT16
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]); // (U)INT8/16/32/64, BOOL

export const Cast: Op = {
  forward(ctx, [x]) {
    const input = need(x, 'input');
    const to = attrNumber(ctx.node, 'to', 1);
    if (FLOAT_TYPES.has(to)) {
      if (input.dtype === 'float32') return [input];
      const out = ctx.floatOut(0, input.shape);
      out.data.set(input.data);
      return [out];
    }
    if (INT_TYPES.has(to)) {
      if (input.dtype === 'int64') return [input];
      const data = Array.from(input.data, (v) => (to === 9 ? (v !== 0 ? 1 : 0) : Math.trunc(v)));
      return [intOut(input.shape, data)];
    }
    throw new Error(`Cast: unsupported target type ${to}`);
  },
  backward(_ctx, [x], [y], [dOut], [dX]) {
    if (x?.dtype === 'float32' && y.dtype === 'float32') addInto(dX, dOut);
  },
};
