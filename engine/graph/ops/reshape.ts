// Ops that change only the shape, never the data order: Reshape, Flatten, Squeeze, Unsqueeze,
// Identity (and Dropout, which is the identity at inference). Forward returns a view.

import { type Shape, shapeString, sizeOf } from '../../tensor.js';
import { attrInts, attrNumber } from '../graph.js';
import type { MaybeTensor, Op, OpContext } from '../op.js';
import { addInto, need, normAxis, readInts, view } from './util.js';

function viewOp(shapeOf: (ctx: OpContext, inputs: readonly MaybeTensor[]) => Shape, nonDifferentiableInputs: number[] = []): Op {
  return {
    forward(ctx, inputs) {
      const x = need(inputs[0], 'data');
      const shape = shapeOf(ctx, inputs);
      if (sizeOf(shape) !== x.data.length) throw new Error(`cannot view ${shapeString(x.shape)} as ${shapeString(shape)}`);
      return [view(x, shape)];
    },
    backward(_ctx, _ins, _outs, [dOut], [dX]) {
      addInto(dX, dOut);
    },
    nonDifferentiableInputs,
  };
}

export const Reshape = viewOp((ctx, [x, s]) => {
  const input = need(x, 'data');
  const target = readInts(s, 'shape');
  const allowZero = attrNumber(ctx.node, 'allowzero', 0) !== 0;
  const shape = target.map((d, i) => (d === 0 && !allowZero ? input.shape[i] : d));
  const minus = shape.indexOf(-1);
  if (minus >= 0) {
    if (shape.indexOf(-1, minus + 1) >= 0) throw new Error(`Reshape: shape [${target}] has more than one -1`);
    const known = shape.reduce((p, d, i) => (i === minus ? p : p * d), 1);
    if (known === 0 || input.data.length % known !== 0) throw new Error(`Reshape: cannot infer -1 reshaping ${shapeString(input.shape)} to [${target}]`);
    shape[minus] = input.data.length / known;
  }
  if (shape.some((d) => d === undefined || d < 0)) throw new Error(`Reshape: invalid target shape [${target}] for input ${shapeString(input.shape)}`);
  return shape;
}, [1]);

export const Flatten = viewOp((ctx, [x]) => {
  const shape = need(x, 'input').shape;
  const axisAttr = attrNumber(ctx.node, 'axis', 1);
  const axis = axisAttr < 0 ? axisAttr + shape.length : axisAttr;
  if (axis < 0 || axis > shape.length) throw new Error(`Flatten: axis ${axisAttr} is out of range for rank ${shape.length}`);
  return [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis))];
});

function axesOf(ctx: OpContext, axesInput: MaybeTensor): number[] | undefined {
  // Opset 13 moved axes from an attribute to an optional input.
  if (ctx.opset >= 13) return axesInput ? readInts(axesInput, 'axes') : undefined;
  const attr = attrInts(ctx.node, 'axes');
  return attr ? [...attr] : undefined;
}

export const Squeeze = viewOp((ctx, [x, axesInput]) => {
  const shape = need(x, 'data').shape;
  const axes = axesOf(ctx, axesInput);
  if (!axes) return shape.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => normAxis(a, shape.length, 'Squeeze axis')));
  for (const a of drop) if (shape[a] !== 1) throw new Error(`Squeeze: axis ${a} of ${shapeString(shape)} has size ${shape[a]}, not 1`);
  return shape.filter((_, i) => !drop.has(i));
}, [1]);

export const Unsqueeze = viewOp((ctx, [x, axesInput]) => {
  const shape = need(x, 'data').shape;
  const axes = axesOf(ctx, axesInput);
  if (!axes) throw new Error('Unsqueeze needs axes');
  const rank = shape.length + axes.length;
  const insert = new Set(axes.map((a) => normAxis(a, rank, 'Unsqueeze axis')));
  if (insert.size !== axes.length) throw new Error(`Unsqueeze: repeated axes [${axes}]`);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(insert.has(i) ? 1 : shape[k++]);
  return out;
}, [1]);

export const Identity = viewOp((_ctx, [x]) => need(x, 'input').shape);

/** Dropout at inference (Vigil trains imported graphs as they were exported: in eval mode). */
export const Dropout: Op = { ...viewOp((_ctx, [x]) => need(x, 'data').shape, [1, 2]) };
