// Mini-batches copied into buffers allocated once: fill(order, start, size) copies samples
// order[start .. start+size) of inputs [N, ...sampleShape] and targets [N, ...targetShape]
// into [size, ...] tensors that view the same preallocated storage (one view per batch size,
// so the short last batch costs nothing per epoch).

import type { FloatArray, FloatArrayConstructor, FloatTensor } from '../tensor.js';
import { floatTensor, shapeString } from '../tensor.js';

export interface FitData {
  readonly inputs: FloatTensor; // [N, ...sampleShape]
  readonly targets: FloatTensor; // [N, ...targetShape]
}

export interface Batch {
  readonly size: number;
  readonly inputs: FloatTensor; // [size, ...sampleShape]
  readonly targets: FloatTensor; // [size, ...targetShape]
}

export interface Batcher {
  readonly samples: number;
  fill(order: ArrayLike<number>, start: number, size: number): Batch;
}

/** Validates data at the boundary: both tensors batch-first with the same number of samples. */
export function checkFitData({ inputs, targets }: FitData): number {
  if (inputs.shape.length < 1 || targets.shape.length < 1) {
    throw new Error(`fit data must be batch-first: inputs ${shapeString(inputs.shape)}, targets ${shapeString(targets.shape)}`);
  }
  const n = inputs.shape[0];
  if (targets.shape[0] !== n) {
    throw new Error(`fit inputs ${shapeString(inputs.shape)} and targets ${shapeString(targets.shape)} disagree on the number of samples (first axis)`);
  }
  if (n === 0) throw new Error('fit needs at least one sample');
  return n;
}

export function createBatcher(data: FitData, batchSize: number, ctor: FloatArrayConstructor): Batcher {
  const n = checkFitData(data);
  const src = data.inputs.data;
  const tgt = data.targets.data;
  const sampleShape = data.inputs.shape.slice(1);
  const targetShape = data.targets.shape.slice(1);
  const S = src.length / n;
  const T = tgt.length / n;
  const x: FloatArray = new ctor(batchSize * S); // [batchSize, ...sampleShape]
  const y: FloatArray = new ctor(batchSize * T); // [batchSize, ...targetShape]
  const views = new Map<number, Batch>();
  const view = (size: number): Batch => {
    let b = views.get(size);
    if (!b) {
      b = {
        size,
        inputs: floatTensor([size, ...sampleShape], x.subarray(0, size * S)),
        targets: floatTensor([size, ...targetShape], y.subarray(0, size * T)),
      };
      views.set(size, b);
    }
    return b;
  };
  return {
    samples: n,
    fill(order, start, size) {
      for (let b = 0; b < size; b++) {
        const i = order[start + b];
        const xs = i * S, xd = b * S;
        for (let k = 0; k < S; k++) x[xd + k] = src[xs + k];
        const ys = i * T, yd = b * T;
        for (let k = 0; k < T; k++) y[yd + k] = tgt[ys + k];
      }
      return view(size);
    },
  };
}
