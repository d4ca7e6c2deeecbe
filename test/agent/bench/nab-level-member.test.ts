// The level member (a second, slower time scale for NAB): its block is an hour of the file's own
// step, its residual is the block mean against the reference and uses no row after the one scored,
// a row judged anomalous never moves the reference (an anomalous level stays surprising; a
// yesterday's anomaly does not come back the next day with 'daily'), a daily cycle alone is no
// surprise with 'daily', and `combine` / `weights` make the raw score the members' weighted mean
// or maximum.

import { describe, expect, it } from 'vitest';
import type { LevelMemberConfig, NabDetectorConfig } from '../../../agent/bench/nab-config.js';
import { nabConfigFromFlags } from '../../../agent/bench/nab-command.js';
import { createNabFeatures } from '../../../agent/bench/nab-features.js';
import { createLevelMember, levelBlockRows } from '../../../agent/bench/nab-level-member.js';
import { scoreNabSeries } from '../../../agent/bench/nab-series.js';

const STEP = 300_000; // 5 minutes: a day is 288 rows, an hour 12
const LEVEL: LevelMemberConfig = { kind: 'level', blockMinutes: 60, minRows: 4, reference: 'ewma', rate: 0.01 };

/** The member's residuals of every row after the fit rows, with the verdict `normal(t)` given after each. */
function run(values: Float64Array, fitRows: number, cfg: LevelMemberConfig, normal: (t: number) => boolean = () => true): { fit: Float64Array; res: Float64Array } {
  const times = Float64Array.from(values, (_, t) => t * STEP);
  const features = createNabFeatures(values, times, fitRows, 0, 8);
  const member = createLevelMember(features, fitRows, cfg);
  const fit = member.fitResiduals();
  const res = new Float64Array(values.length).fill(NaN);
  for (let t = fitRows; t < values.length; t++) {
    features.standardise(t);
    res[t] = member.residual(t);
    member.judged(t, normal(t));
  }
  return { fit, res };
}

/** A deterministic wobble in [−1, 1]. */
const wobble = (t: number): number => Math.sin(t * 1.7) * Math.cos(t * 0.31);

describe('the NAB level member', () => {
  it('blocks one hour of the file\'s step, at least minRows', () => {
    expect(levelBlockRows(288, LEVEL)).toBe(12); // 5-minute rows
    expect(levelBlockRows(1440, LEVEL)).toBe(60); // 1-minute rows
    expect(levelBlockRows(48, LEVEL)).toBe(4); // 30-minute rows: 2, raised to minRows
    expect(levelBlockRows(0, LEVEL)).toBe(4); // no day length from the times
  });

  it('is causal: changing rows after t leaves every residual up to t unchanged', () => {
    const n = 1200, F = 400, cut = 900;
    const a = Float64Array.from({ length: n }, (_, t) => 10 + wobble(t));
    const b = a.slice();
    for (let t = cut + 1; t < n; t++) b[t] += 50;
    for (const reference of ['ewma', 'daily', 'day'] as const) {
      const ra = run(a, F, { ...LEVEL, reference, rate: 0.3 });
      const rb = run(b, F, { ...LEVEL, reference, rate: 0.3 });
      expect(Array.from(rb.fit)).toEqual(Array.from(ra.fit));
      expect(Array.from(rb.res.subarray(0, cut + 1))).toEqual(Array.from(ra.res.subarray(0, cut + 1)));
      expect(Array.from(rb.res.subarray(cut + 1))).not.toEqual(Array.from(ra.res.subarray(cut + 1)));
    }
  });

  it('sees a level shift once a block has passed, and keeps seeing it while its rows are judged anomalous', () => {
    const n = 1000, F = 400, at = 600;
    const values = Float64Array.from({ length: n }, (_, t) => 10 + 0.1 * wobble(t) + (t >= at ? 5 : 0));
    const learning = run(values, F, LEVEL);
    const holding = run(values, F, LEVEL, (t) => t < at);
    const before = Math.max(...Array.from(learning.res.subarray(F + 20, at), Math.abs));
    const full = learning.res[at + 11]; // the block is all shifted rows
    expect(full).toBeGreaterThan(20 * before);
    expect(learning.res[at + 5]).toBeGreaterThan(0.3 * full);
    expect(learning.res[at + 5]).toBeLessThan(0.7 * full); // half a block shifted
    // Learning from the new level: the surprise fades; judged anomalous: it stays.
    expect(Math.abs(learning.res[n - 1])).toBeLessThan(0.05 * full);
    expect(holding.res[n - 1]).toBeCloseTo(holding.res[at + 11], 1);
    expect(holding.res[n - 1]).toBeGreaterThan(full);
  });

  it('with the daily reference, a daily cycle is no surprise and an anomaly judged as one does not echo a day later', () => {
    const day = 288, n = 6 * day, F = 3 * day, at = 4 * day + 100;
    const cycle = (t: number): number => 10 + 4 * Math.sin((2 * Math.PI * t) / day) + 0.1 * wobble(t);
    const values = Float64Array.from({ length: n }, (_, t) => cycle(t) + (t >= at && t < at + 24 ? 6 : 0));
    const anomalous = (t: number): boolean => t >= at && t < at + 24 + 12; // the block still holds anomalous rows
    const daily = run(values, F, { ...LEVEL, reference: 'daily', rate: 0.5 }, (t) => !anomalous(t));
    const ewma = run(values, F, { ...LEVEL, reference: 'ewma', rate: 0.01 }, (t) => !anomalous(t));
    const dayBack = run(values, F, { ...LEVEL, reference: 'day' }, (t) => !anomalous(t));
    const peak = daily.res[at + 23];
    const quiet = Math.max(...Array.from(daily.res.subarray(F, at), Math.abs));
    expect(quiet).toBeLessThan(0.05 * peak);
    // The EWMA reference mistakes the cycle for changes as large as the anomaly.
    expect(Math.max(...Array.from(ewma.res.subarray(F, at), Math.abs))).toBeGreaterThan(0.5 * peak);
    // A day later: the daily reference did not learn the anomaly; the day-back one compares with it.
    const echo = (r: Float64Array): number => Math.max(...Array.from(r.subarray(at + day, at + day + 36), Math.abs));
    expect(echo(daily.res)).toBeLessThan(0.05 * peak);
    expect(echo(dayBack.res)).toBeGreaterThan(0.8 * peak);
  });
});

describe('combine: the members\' mean or maximum', () => {
  it('makes the raw score the maximum of the members\' clipped surprises, or their mean', async () => {
    const n = 1500, P = 225;
    const values = Float64Array.from({ length: n }, (_, t) => 10 + wobble(t) + (t >= 1000 && t < 1050 ? 3 : 0));
    const times = Float64Array.from(values, (_, t) => t * STEP);
    const base = nabConfigFromFlags({ detector: 'naive', set: [] });
    const config = (combine: 'mean' | 'max'): NabDetectorConfig => ({ ...base, members: [{ kind: 'naive' }, { ...LEVEL, reference: 'day' }], combine, fitFraction: 1 });
    const mean = await scoreNabSeries({ values, times, probation: P }, config('mean'));
    const max = await scoreNabSeries({ values, times, probation: P }, config('max'));
    const one = await scoreNabSeries({ values, times, probation: P }, { ...base, fitFraction: 1 });
    // On the fit rows the verdicts play no part: the naive member alone, and the day-back level
    // member has no residual yet (less than a day), so it counts 0 in the mean.
    for (let t = 60; t < P; t++) {
      expect(max.raw[t]).toBe(one.raw[t]);
      expect(mean.raw[t]).toBeCloseTo(one.raw[t] / 2, 12);
    }
    // Once both have surprises: max ≥ mean everywhere, and strictly above it somewhere.
    let above = 0;
    for (let t = 400; t < n; t++) {
      expect(max.raw[t]).toBeGreaterThanOrEqual(0);
      if (max.raw[t] > mean.raw[t] + 1e-9) above++;
    }
    expect(above).toBeGreaterThan(100);
    // Weights: a member of weight 0 counts for nothing; weights must fit the members.
    const alone = await scoreNabSeries({ values, times, probation: P }, { ...config('mean'), weights: [1, 0] });
    expect(Array.from(alone.raw.subarray(60, P))).toEqual(Array.from(one.raw.subarray(60, P)));
    await expect(scoreNabSeries({ values, times, probation: P }, { ...config('mean'), weights: [1] })).rejects.toThrow(/weights/);
  });
});
