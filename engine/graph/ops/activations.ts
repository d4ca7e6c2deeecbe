// Pointwise activations as graph ops, over engine/kernels/activations.ts.

import { type Activation, activationBackward, activationForward } from '../../kernels/activations.js';
import type { FloatTensor } from '../../tensor.js';
import { attrNumber } from '../graph.js';
import type { MaybeTensor, Op, OpContext } from '../op.js';

function floatInput(x: MaybeTensor, op: string): FloatTensor {
  if (!x) throw new Error(`${op} needs an input`);
  if (x.dtype !== 'float32') throw new Error(`${op} needs a float input, got ${x.dtype}`);
  return x;
}

function activation(kind: Activation, name: string, alphaDefault = 0): Op {
  return {
    forward(ctx: OpContext, [x]) {
      const input = floatInput(x, name);
      const out = ctx.floatOut(0, input.shape);
      activationForward(kind, out.data, input.data, out.data.length, attrNumber(ctx.node, 'alpha', alphaDefault));
      return [out];
    },
    backward(ctx, [x], [y], [dOut], [dX]) {
      if (!dOut || !dX) return;
      const input = x as FloatTensor;
      activationBackward(kind, dX.data, dOut.data, input.data, (y as FloatTensor).data, dX.data.length, attrNumber(ctx.node, 'alpha', alphaDefault));
    },
  };
}

export const Relu = activation('relu', 'Relu');
export const LeakyRelu = activation('leakyRelu', 'LeakyRelu', 0.01);
export const Sigmoid = activation('sigmoid', 'Sigmoid');
export const Tanh = activation('tanh', 'Tanh');
