// The online calibrator against exact statistics (createCalibration, the batch reference) on seeded
// streams, its bounded state, and the JSON save/resume round trip.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import { createCalibration } from '../../../models/scoring/calibration.js';
import { createOnlineCalibrator } from '../../../models/scoring/online-calibrator.js';
import { createP2, p2Estimate, p2Observe } from '../../../models/scoring/p2-quantile.js';

/** Squared-error-like scores: chi-square with 3 degrees of freedom / 3 (mean 1, right-skewed). */
function scores(seed: number, count: number, channels = 3): { totals: Float64Array; perChannel: Float64Array } {
  const rng = createRng(seed);
  const totals = new Float64Array(count);
  const perChannel = new Float64Array(count * channels);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) {
      const v = rng.normal() ** 2 * (c + 1) * 0.1;
      perChannel[i * channels + c] = v;
      s += v;
    }
    totals[i] = s / channels;
  }
  return { totals, perChannel };
}

describe('P² quantile estimator', () => {
  it('is exact for the first five observations', () => {
    const s = createP2(0.5);
    for (const x of [5, 1, 4]) p2Observe(s, x);
    expect(p2Estimate(s)).toBe(4);
    p2Observe(s, 2);
    expect(p2Estimate(s)).toBe(3); // median of 1, 2, 4, 5 by interpolation
  });

  it('tracks quantiles of 20,000 skewed scores within a few percent', () => {
    const { totals } = scores(7, 20_000);
    const sorted = Float64Array.from(totals).sort();
    for (const [p, tol] of [[0.5, 0.02], [0.9, 0.02], [0.99, 0.04], [0.999, 0.1]] as const) {
      const s = createP2(p);
      for (const x of totals) p2Observe(s, x);
      const exact = sorted[Math.round(p * (sorted.length - 1))];
      expect(Math.abs(p2Estimate(s) - exact) / exact, `p=${p}`).toBeLessThan(tol);
    }
  });

  it('keeps five markers whatever the stream length', () => {
    const s = createP2(0.99);
    for (let i = 0; i < 50_000; i++) p2Observe(s, i % 977);
    expect(s.heights).toHaveLength(5);
    expect(JSON.stringify(s).length).toBeLessThan(400);
  });
});

describe('online calibrator', () => {
  it('matches the batch calibration: mean and std exactly, quantiles closely', () => {
    const { totals, perChannel } = scores(11, 5000);
    const exact = createCalibration(totals, perChannel, 3);
    const c = createOnlineCalibrator({ minWindows: 5000 });
    for (let i = 0; i < totals.length; i++) {
      expect(c.ready).toBe(false);
      c.observe(totals[i], perChannel.subarray(i * 3, i * 3 + 3));
    }
    expect(c.ready).toBe(true);
    const online = c.calibration();
    expect(online.windows).toBe(5000);
    expect(online.mean).toBeCloseTo(exact.mean, 10);
    expect(online.std).toBeCloseTo(exact.std, 10);
    for (let ch = 0; ch < 3; ch++) {
      expect(online.perChannelMean[ch]).toBeCloseTo(exact.perChannelMean[ch], 10);
      expect(online.perChannelStd[ch]).toBeCloseTo(exact.perChannelStd[ch], 10);
    }
    expect(online.quantiles['1']).toBe(exact.quantiles['1']);
    for (const [key, tol] of [['0.5', 0.03], ['0.9', 0.03], ['0.95', 0.03], ['0.99', 0.06], ['0.999', 0.2]] as const) {
      expect(Math.abs(online.quantiles[key] - exact.quantiles[key]) / exact.quantiles[key], `q${key}`).toBeLessThan(tol);
    }
    // Monotone and capped by the maximum, as a Calibration's quantiles are.
    const qs = ['0.5', '0.9', '0.95', '0.99', '0.999', '1'].map((k) => online.quantiles[k]);
    for (let i = 1; i < qs.length; i++) expect(qs[i]).toBeGreaterThanOrEqual(qs[i - 1]);
  });

  it('tracks extra policy quantiles and ignores non-finite scores', () => {
    const c = createOnlineCalibrator({ minWindows: 10, quantiles: [0.995] });
    for (let i = 1; i <= 100; i++) c.observe(i);
    c.observe(NaN);
    c.observe(Infinity);
    expect(c.windows).toBe(100);
    expect(c.calibration().quantiles['0.995']).toBeGreaterThan(90);
  });

  it('state is bounded and resumes through JSON to the same calibration as an uninterrupted run', () => {
    const { totals, perChannel } = scores(3, 4000);
    const whole = createOnlineCalibrator();
    let part = createOnlineCalibrator();
    for (let i = 0; i < totals.length; i++) {
      const ch = perChannel.subarray(i * 3, i * 3 + 3);
      whole.observe(totals[i], ch);
      part.observe(totals[i], ch);
      if (i % 997 === 0) {
        const saved = JSON.stringify(part.state());
        expect(saved.length).toBeLessThan(2500); // the same size after 1 or 4000 windows
        part = createOnlineCalibrator({}, JSON.parse(saved));
      }
    }
    expect(part.calibration()).toEqual(whole.calibration());
    expect(part.ready).toBe(true); // default minWindows 2000
  });

  it('rejects a damaged saved state and a bad window count', () => {
    expect(() => createOnlineCalibrator({}, { windows: -1 } as never)).toThrow(/online calibrator state is malformed/);
    expect(() => createOnlineCalibrator({ minWindows: 0 })).toThrow(/calibrationWindows must be a positive integer/);
    expect(() => createOnlineCalibrator().calibration()).toThrow(/no windows seen yet/);
  });
});
