// Mean squared error, as torch.nn.MSELoss(reduction='mean'): loss = Σ (pred - target)² / n.
// mseBackward ACCUMULATES scale · d(loss)/d(pred) = scale · 2(pred - target)/n into dPred;
// `scale` lets a caller weight this loss in a sum without another pass.

import type { FloatArray } from '../tensor.js';

export function mseLoss(
  pred: FloatArray, // [n]
  target: FloatArray, // [n]
  n: number,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    s += d * d;
  }
  return s / n;
}

export function mseBackward(
  dPred: FloatArray, // [n] +=
  pred: FloatArray, // [n]
  target: FloatArray, // [n]
  n: number,
  scale = 1,
): void {
  const k = (2 * scale) / n;
  for (let i = 0; i < n; i++) dPred[i] += k * (pred[i] - target[i]);
}
