// Adam exactly as torch.optim.Adam, and with `decoupled: true` exactly as torch.optim.AdamW:
//   Adam:  g += weightDecay·p            (L2 penalty folded into the gradient)
//   AdamW: p *= 1 - lr·weightDecay       (decoupled decay, Loshchilov & Hutter)
//   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  t = step number from 1
//   p -= lr/(1-β1^t) · m / (√v / √(1-β2^t) + eps)
// One loop over the flat buffers; state is the two moments (PyTorch's exp_avg, exp_avg_sq) and t.

import type { ParamStore } from '../params.js';
import type { FloatArray, FloatArrayConstructor } from '../tensor.js';
import { type Optimizer, checkLr, loadBuffers, saveBuffers } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  /** true: AdamW's decoupled weight decay instead of Adam's L2 term. */
  decoupled?: boolean;
}

export function createAdam(params: ParamStore, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, decoupled = false }: AdamOptions = {}): Optimizer {
  checkLr(lr);
  const [beta1, beta2] = betas;
  for (const [name, b] of [['betas[0]', beta1], ['betas[1]', beta2]] as const) {
    if (!(b >= 0 && b < 1)) throw new Error(`adam ${name} must be in [0, 1), got ${b}`);
  }
  if (!(eps >= 0)) throw new Error(`adam eps must be >= 0, got ${eps}`);
  if (!(weightDecay >= 0)) throw new Error(`adam weightDecay must be >= 0, got ${weightDecay}`);
  const values = params.values;
  const grads = params.grads;
  const n = params.size;
  const ctor = values.constructor as FloatArrayConstructor;
  const buffers: Record<string, FloatArray> = { expAvg: new ctor(n), expAvgSq: new ctor(n) };
  const m = buffers.expAvg;
  const v = buffers.expAvgSq;
  let stepCount = 0;

  return {
    kind: 'adam',
    params,
    get lr() {
      return lr;
    },
    set lr(value: number) {
      lr = checkLr(value);
    },
    get stepCount() {
      return stepCount;
    },
    step() {
      const t = stepCount + 1;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      const l2 = decoupled ? 0 : weightDecay;
      const shrink = decoupled ? 1 - lr * weightDecay : 1;
      for (let i = 0; i < n; i++) {
        const p = values[i] * shrink;
        const g = grads[i] + l2 * values[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        values[i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
      }
      stepCount = t;
    },
    zeroGrad() {
      params.zeroGrad();
    },
    state() {
      return { kind: 'adam', stepCount, lr, buffers: saveBuffers(buffers) };
    },
    load(state) {
      loadBuffers('adam', state, buffers);
      stepCount = state.stepCount;
      lr = state.lr;
    },
  };
}
