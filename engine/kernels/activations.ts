// Pointwise activations and their derivatives over flat arrays.
// Forward: out = f(x) for n elements (out may alias x).
// Backward: dx += dOut · f'(·), written in terms of what is cheapest to keep: the output y for
// sigmoid and tanh (f' = y(1-y), 1-y²), the input x for ReLU/leaky ReLU.

import type { FloatArray } from '../tensor.js';

export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu';

export function sigmoid(x: number): number {
  // Two branches keep exp() from overflowing for large |x|.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export function sigmoidForward(out: FloatArray, x: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = sigmoid(x[i]);
}
export function sigmoidBackward(dx: FloatArray, dOut: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] += dOut[i] * y[i] * (1 - y[i]);
}

export function tanhForward(out: FloatArray, x: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
}
export function tanhBackward(dx: FloatArray, dOut: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] += dOut[i] * (1 - y[i] * y[i]);
}

export function reluForward(out: FloatArray, x: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
}
export function reluBackward(dx: FloatArray, dOut: FloatArray, x: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) if (x[i] > 0) dx[i] += dOut[i];
}

export function leakyReluForward(out: FloatArray, x: FloatArray, n: number, alpha = 0.01): void {
  for (let i = 0; i < n; i++) out[i] = x[i] >= 0 ? x[i] : alpha * x[i];
}
export function leakyReluBackward(dx: FloatArray, dOut: FloatArray, x: FloatArray, n: number, alpha = 0.01): void {
  for (let i = 0; i < n; i++) dx[i] += x[i] >= 0 ? dOut[i] : alpha * dOut[i];
}

export function identityForward(out: FloatArray, x: FloatArray, n: number): void {
  if (out !== x) for (let i = 0; i < n; i++) out[i] = x[i];
}
export function identityBackward(dx: FloatArray, dOut: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] += dOut[i];
}

/** Applies a named activation; `x` is the pre-activation, `out` may alias it. */
export function activationForward(kind: Activation, out: FloatArray, x: FloatArray, n: number, alpha = 0.01): void {
  switch (kind) {
    case 'identity': return identityForward(out, x, n);
    case 'sigmoid': return sigmoidForward(out, x, n);
    case 'tanh': return tanhForward(out, x, n);
    case 'relu': return reluForward(out, x, n);
    case 'leakyRelu': return leakyReluForward(out, x, n, alpha);
  }
}

/**
 * Backward of a named activation given both the pre-activation x and the output y
 * (each kind reads the one its derivative needs). dx += dOut · f'.
 */
export function activationBackward(kind: Activation, dx: FloatArray, dOut: FloatArray, x: FloatArray, y: FloatArray, n: number, alpha = 0.01): void {
  switch (kind) {
    case 'identity': return identityBackward(dx, dOut, n);
    case 'sigmoid': return sigmoidBackward(dx, dOut, y, n);
    case 'tanh': return tanhBackward(dx, dOut, y, n);
    case 'relu': return reluBackward(dx, dOut, x, n);
    case 'leakyRelu': return leakyReluBackward(dx, dOut, x, n, alpha);
  }
}
