// Mean absolute error, as torch.nn.L1Loss(reduction='mean'): loss = Σ |pred - target| / n.
// maeBackward ACCUMULATES scale · sign(pred - target)/n into dPred, with the subgradient 0
// where pred equals target (PyTorch's sign(0) = 0).

import type { FloatArray } from '../tensor.js';

export function maeLoss(
  pred: FloatArray, // [n]
  target: FloatArray, // [n]
  n: number,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(pred[i] - target[i]);
  return s / n;
}

export function maeBackward(
  dPred: FloatArray, // [n] +=
  pred: FloatArray, // [n]
  target: FloatArray, // [n]
  n: number,
  scale = 1,
): void {
  const k = scale / n;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    if (d > 0) dPred[i] += k;
    else if (d < 0) dPred[i] -= k;
  }
}
