// Test helper: a multilayer perceptron built by hand from the dense kernels and the activation
// kernels, as a Trainable. Parameters are named as nn.Sequential(Linear, act, Linear, act, ...)
// names them (`net.0.weight`, `net.0.bias`, `net.2.weight`, ...), so PyTorch state dicts load
// as they are. Buffers are allocated per batch size on first use (a test convenience).

import { type Activation, activationBackward, activationForward } from '../../../engine/kernels/activations.js';
import { denseBackward, denseForward } from '../../../engine/layers/dense.js';
import type { Trainable } from '../../../engine/model.js';
import { ParamStore } from '../../../engine/params.js';
import { type FloatArray, type FloatArrayConstructor, type FloatTensor, floatTensor } from '../../../engine/tensor.js';

export interface MlpLayer {
  readonly in: number;
  readonly out: number;
  readonly activation: Activation;
}

interface Buffers {
  pre: FloatArray[]; // [B, out_k] pre-activations
  post: FloatArray[]; // [B, out_k] activations
  dPre: FloatArray[]; // [B, out_k]
  dIn: FloatArray[]; // [B, in_k] (unused for k = 0)
  output: FloatTensor;
}

export interface Mlp extends Trainable {
  readonly layers: readonly MlpLayer[];
  /** Parameter name prefix of layer k (`net.${2k}`). */
  prefix(k: number): string;
}

export function createMlp(layers: readonly MlpLayer[], ctor: FloatArrayConstructor = Float32Array): Mlp {
  const prefix = (k: number): string => `net.${2 * k}`;
  const params = new ParamStore(
    layers.flatMap((l, k) => [
      { name: `${prefix(k)}.weight`, shape: [l.out, l.in] },
      { name: `${prefix(k)}.bias`, shape: [l.out] },
    ]),
    ctor,
  );
  const weights = layers.map((_, k) => params.get(`${prefix(k)}.weight`));
  const biases = layers.map((_, k) => params.get(`${prefix(k)}.bias`));
  const byBatch = new Map<number, Buffers>();
  let input: FloatArray = new ctor(0);
  let B = 0;

  const buffersFor = (batch: number): Buffers => {
    let b = byBatch.get(batch);
    if (!b) {
      const post = layers.map((l) => new ctor(batch * l.out));
      b = {
        pre: layers.map((l) => new ctor(batch * l.out)),
        post,
        dPre: layers.map((l) => new ctor(batch * l.out)),
        dIn: layers.map((l) => new ctor(batch * l.in)),
        output: floatTensor([batch, layers[layers.length - 1].out], post[post.length - 1]),
      };
      byBatch.set(batch, b);
    }
    return b;
  };

  return {
    params,
    layers,
    prefix,
    forward(x: FloatTensor): FloatTensor {
      B = x.shape[0];
      if (x.data.length !== B * layers[0].in) throw new Error(`mlp expects [B, ${layers[0].in}] input, got [${x.shape.join(', ')}]`);
      input = x.data;
      const buf = buffersFor(B);
      let h = input;
      layers.forEach((l, k) => {
        denseForward(buf.pre[k], h, weights[k].value, biases[k].value, B, l.in, l.out);
        activationForward(l.activation, buf.post[k], buf.pre[k], B * l.out);
        h = buf.post[k];
      });
      return buf.output;
    },
    backward(dOutput: FloatTensor): void {
      const buf = buffersFor(B);
      let dH = dOutput.data;
      for (let k = layers.length - 1; k >= 0; k--) {
        const l = layers[k];
        buf.dPre[k].fill(0);
        activationBackward(l.activation, buf.dPre[k], dH, buf.pre[k], buf.post[k], B * l.out);
        const dX = k > 0 ? buf.dIn[k].fill(0) : null;
        denseBackward(dX, weights[k].grad, biases[k].grad, buf.dPre[k], k > 0 ? buf.post[k - 1] : input, weights[k].value, B, l.in, l.out);
        if (dX) dH = dX;
      }
    },
  };
}
