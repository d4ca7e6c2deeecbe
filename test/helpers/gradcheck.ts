// Finite-difference gradient checks in float64 (principle 7): central differences against
// the analytic gradient, with an explicit relative tolerance and a small absolute floor.

import { expect } from 'vitest';

/** Central-difference gradient of f with respect to every element of x (x is restored). */
export function numericGradient(f: () => number, x: Float64Array, eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i];
    x[i] = old + eps;
    const fp = f();
    x[i] = old - eps;
    const fm = f();
    x[i] = old;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

/** Largest |a-b| / (atol + rtol·max(|a|,|b|)); at most 1 means every element is within tolerance. */
export function worstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol = 1e-5, atol = 1e-7 }: Tolerance = {}): { ratio: number; index: number } {
  let ratio = 0;
  let index = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const r = a === e ? 0 : Math.abs(a - e) / (atol + rtol * Math.max(Math.abs(a), Math.abs(e)));
    if (!(r <= ratio)) {
      ratio = Number.isNaN(r) ? Infinity : r;
      index = i;
    }
  }
  return { ratio, index };
}

/** Asserts two arrays agree elementwise within tolerance, naming the first worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, label = 'values'): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const { ratio, index } = worstMismatch(actual, expected, tol);
  const detail = index >= 0 ? `${label}[${index}]: got ${actual[index]}, expected ${expected[index]} (ratio ${ratio.toExponential(2)})` : label;
  expect(ratio, detail).toBeLessThanOrEqual(1);
}

/** Checks an analytic gradient against central differences in float64. */
export function expectGradient(f: () => number, x: Float64Array, analytic: ArrayLike<number>, label: string, tol: Tolerance = { rtol: 1e-5, atol: 1e-7 }): void {
  const numeric = numericGradient(f, x);
  expectClose(analytic, numeric, tol, label);
}

/** Deterministic float64 test data in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}
