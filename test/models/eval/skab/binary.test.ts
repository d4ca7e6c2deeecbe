// The outlier metrics: micro-averaged counts, rows without a prediction in no cell, SKAB's rounding.

import { describe, expect, it } from 'vitest';
import { addConfusion, binaryMetrics, confusion } from '../../../../models/eval/skab/binary.js';

describe('SKAB binary metrics', () => {
  it('counts a row as positive only when it is exactly 1, and leaves rows without a prediction out', () => {
    const truth = [1, 1, 0, 0, 1, 0, 1];
    const pred = [1, 0, 1, 0, null, Number.NaN, undefined];
    expect(confusion(truth, pred)).toEqual({ tp: 1, fn: 1, fp: 1, tn: 1 });
  });

  it('sums files before dividing (micro-average), not averaging per-file scores', () => {
    const a = confusion([1, 1, 1, 1], [1, 1, 1, 1]); // F1 1 on its own
    const b = confusion([1, 0, 0, 0], [0, 1, 1, 1]); // F1 0 on its own
    const m = binaryMetrics(addConfusion(a, b));
    // TP 4, FN 1, FP 3, TN 0: F1 = 4 / (4 + 2) = 0.666… → 0.67, FAR = 100 %, MAR = 20 %
    expect(m).toEqual({ tp: 4, fn: 1, fp: 3, tn: 0, f1: 0.67, far: 100, mar: 20 });
  });

  it('gives NaN where a denominator is zero, as numpy does', () => {
    const m = binaryMetrics({ tp: 0, tn: 0, fp: 0, fn: 0 });
    expect(m.f1).toBeNaN();
    expect(m.far).toBeNaN();
  });

  it('refuses labels and predictions of different lengths', () => {
    expect(() => confusion([1, 0], [1])).toThrow(/align them row by row/);
  });
});
