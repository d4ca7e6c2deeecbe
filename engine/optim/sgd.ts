// Stochastic gradient descent exactly as torch.optim.SGD (maximize=False):
//   d = g + weightDecay·p
//   momentum > 0:  buf = d on the first step, else momentum·buf + (1 - dampening)·d
//                  d = nesterov ? d + momentum·buf : buf
//   p -= lr·d
// One loop over the flat buffers; the momentum buffer is the only state.

import type { ParamStore } from '../params.js';
import type { FloatArray, FloatArrayConstructor } from '../tensor.js';
import { type Optimizer, checkLr, loadBuffers, saveBuffers } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export function createSgd(params: ParamStore, { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }: SgdOptions): Optimizer {
  checkLr(lr);
  if (!(momentum >= 0)) throw new Error(`sgd momentum must be >= 0, got ${momentum}`);
  if (!(weightDecay >= 0)) throw new Error(`sgd weightDecay must be >= 0, got ${weightDecay}`);
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new Error('sgd nesterov needs momentum > 0 and dampening 0 (as torch.optim.SGD); set momentum or drop nesterov');
  }
  const values = params.values;
  const grads = params.grads;
  const n = params.size;
  const ctor = values.constructor as FloatArrayConstructor;
  const buffers: Record<string, FloatArray> = momentum > 0 ? { momentumBuffer: new ctor(n) } : {};
  const buf = buffers.momentumBuffer;
  let stepCount = 0;

  return {
    kind: 'sgd',
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
      const first = stepCount === 0;
      for (let i = 0; i < n; i++) {
        let d = grads[i];
        if (weightDecay !== 0) d += weightDecay * values[i];
        if (buf) {
          buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
          d = nesterov ? d + momentum * buf[i] : buf[i];
        }
        values[i] -= lr * d;
      }
      stepCount++;
    },
    zeroGrad() {
      params.zeroGrad();
    },
    state() {
      return { kind: 'sgd', stepCount, lr, buffers: saveBuffers(buffers) };
    },
    load(state) {
      loadBuffers('sgd', state, buffers);
      stepCount = state.stepCount;
      lr = state.lr;
    },
  };
}
