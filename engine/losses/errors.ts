// Unreduced errors for scoring (no gradients): what a detector turns into an anomaly score.
// Per element: out[i] = (pred - target)² or |pred - target|.
// Per row: out[b] = mean over the D elements of row b, e.g. an autoencoder's reconstruction
// error per window. `out` may alias neither input.

import type { FloatArray } from '../tensor.js';

export type ErrorKind = 'mse' | 'mae';

export function squaredError(out: FloatArray, pred: FloatArray, target: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    out[i] = d * d;
  }
}

export function absoluteError(out: FloatArray, pred: FloatArray, target: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.abs(pred[i] - target[i]);
}

/** out[b] = mean_d err(pred[b,d], target[b,d]), err squared ('mse') or absolute ('mae'). */
export function rowError(
  kind: ErrorKind,
  out: FloatArray, // [B]
  pred: FloatArray, // [B, D]
  target: FloatArray, // [B, D]
  B: number,
  D: number,
): void {
  for (let b = 0; b < B; b++) {
    const o = b * D;
    let s = 0;
    for (let j = 0; j < D; j++) {
      const d = pred[o + j] - target[o + j];
      s += kind === 'mse' ? d * d : Math.abs(d);
    }
    out[b] = s / D;
  }
}
