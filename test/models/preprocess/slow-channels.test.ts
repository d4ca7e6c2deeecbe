// Slow-channel detection and differencing: a random walk and a sine are slow, white noise is not;
// differencing keeps the fast channels as they are and turns a drifting level into its steps,
// continuing across chunks when given the previous row.

import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import { differenceChannels, lag1Autocorrelation, slowChannels } from '../../../models/preprocess/slow-channels.js';

function series(rows: number): Float64Array {
  const rng = createRng(1);
  const x = new Float64Array(rows * 3);
  let walk = 0;
  for (let t = 0; t < rows; t++) {
    walk += rng.normal();
    x[t * 3] = rng.normal(); // white noise
    x[t * 3 + 1] = walk; // random walk
    x[t * 3 + 2] = Math.sin(t / 20); // smooth
  }
  return x;
}

describe('slow channels', () => {
  it('finds lag-1 autocorrelation near 0 for noise and near 1 for a walk and a slow sine', () => {
    const r = lag1Autocorrelation(series(2000), 2000, 3);
    expect(Math.abs(r[0])).toBeLessThan(0.05);
    expect(r[1]).toBeGreaterThan(0.95);
    expect(r[2]).toBeGreaterThan(0.99);
    expect(slowChannels(series(2000), 2000, 3, 0.6)).toEqual([false, true, true]);
  });

  it('gives 0 for a constant channel and refuses thresholds outside (-1, 1)', () => {
    expect(Array.from(lag1Autocorrelation([5, 5, 5], 3, 1))).toEqual([0]);
    expect(() => slowChannels([1, 2], 2, 1, 1)).toThrow(/in \(-1, 1\)/);
  });

  it('differences only the slow channels, the first row against `previous` (or 0 without it)', () => {
    const x = [1, 10, 2, 13, 3, 11]; // 3 rows × 2 channels
    const out = new Float64Array(6);
    differenceChannels(out, x, 3, 2, [false, true]);
    expect(Array.from(out)).toEqual([1, 0, 2, 3, 3, -2]);
    differenceChannels(out, x, 3, 2, [false, true], [0, 4]);
    expect(Array.from(out)).toEqual([1, 6, 2, 3, 3, -2]);
  });

  it('gives the same result in chunks as in one pass', () => {
    const x = series(100);
    const whole = new Float64Array(300);
    differenceChannels(whole, x, 100, 3, [false, true, true]);
    const parts = new Float64Array(300);
    differenceChannels(parts.subarray(0, 120), x.subarray(0, 120), 40, 3, [false, true, true]);
    differenceChannels(parts.subarray(120), x.subarray(120), 60, 3, [false, true, true], x.subarray(117, 120));
    expect(parts).toEqual(whole);
  });
});
