import { describe, expect, it } from 'vitest';
import { MAX_TP, scaledSigmoid } from '../../../../models/eval/nab/index.js';

describe('scaledSigmoid (benchmarks.md §1.2 reference values, from NAB)', () => {
  it('matches NAB bit for bit at the reference positions', () => {
    expect(scaledSigmoid(-1)).toBe(0.9866142981514305);
    expect(scaledSigmoid(-0.5)).toBe(0.8482836399575131);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBe(-0.9866142981514303);
    expect(scaledSigmoid(3)).toBe(-0.9999993881955461);
  });

  it('is exactly -1 for anything above 3 (and not at 3 itself)', () => {
    expect(scaledSigmoid(3.0000001)).toBe(-1);
    expect(scaledSigmoid(1e9)).toBe(-1);
    expect(scaledSigmoid(Infinity)).toBe(-1);
    expect(scaledSigmoid(3)).not.toBe(-1);
  });

  it('MAX_TP is the value at a window\'s left edge', () => {
    expect(MAX_TP).toBe(scaledSigmoid(-1));
  });
});
