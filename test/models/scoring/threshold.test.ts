import { describe, expect, it } from 'vitest';
import type { Calibration } from '../../../models/detector.js';
import {
  DEFAULT_THRESHOLD_OPTIONS, checkThresholdOptions, needsCalibration, policyQuantiles, quantileKey, thresholdsFrom,
} from '../../../models/scoring/threshold.js';

const cal: Calibration = {
  windows: 1000,
  mean: 0.2,
  std: 0.1,
  quantiles: { '0.5': 0.18, '0.9': 0.33, '0.95': 0.4, '0.99': 0.55, '0.999': 0.8, '1': 0.9 },
  perChannelMean: [0.1, 0.3],
  perChannelStd: [0.05, 0.15],
};

describe('thresholdsFrom', () => {
  it('defaults: warning = q0.999 × 1.5, critical = q0.999 × 3, clear levels at 0.8 ×', () => {
    const t = thresholdsFrom(cal);
    expect(t.warning).toBeCloseTo(1.2, 12);
    expect(t.critical).toBeCloseTo(2.4, 12);
    expect(t.clear).toBeCloseTo(0.96, 12);
    expect(t.clearCritical).toBeCloseTo(1.92, 12);
  });

  it('sigma policy: mean + k·std, separately for each level', () => {
    const t = thresholdsFrom(cal, { warning: { kind: 'sigma', k: 4 }, critical: { kind: 'sigma', k: 8 }, clearRatio: 0.5 });
    expect(t.warning).toBeCloseTo(0.6, 12);
    expect(t.critical).toBeCloseTo(1.0, 12);
    expect(t.clear).toBeCloseTo(0.3, 12);
  });

  it('fixed thresholds override the calibration and need none', () => {
    const o = { warning: { kind: 'fixed', value: 2 }, critical: { kind: 'fixed', value: 5 } } as const;
    expect(thresholdsFrom(null, o)).toEqual({ warning: 2, critical: 5, clear: 1.6, clearCritical: 4 });
    expect(thresholdsFrom(cal, o)).toEqual(thresholdsFrom(null, o));
    expect(needsCalibration(o)).toBe(false);
    expect(needsCalibration({ warning: { kind: 'fixed', value: 2 } })).toBe(true); // critical still from the calibration
  });

  it('a missing calibration is a clear error naming the ways out', () => {
    expect(() => thresholdsFrom(null)).toThrow(/thresholds.warning \(quantile 0.999 × 1.5\) needs a calibration and the model has none.*fixed/);
  });

  it('a quantile that is not stored is an error listing the stored ones', () => {
    expect(() => thresholdsFrom(cal, { warning: { kind: 'quantile', q: 0.995, factor: 1.5 } }))
      .toThrow(/quantile 0.995 is not in the calibration \(it stores 0.5, 0.9, 0.95, 0.99, 0.999, 1\)/);
  });

  it('a floor keeps a perfect calibration from alarming on rounding', () => {
    const zero: Calibration = { ...cal, mean: 0, std: 0, quantiles: { ...cal.quantiles, '0.999': 0 } };
    const t = thresholdsFrom(zero);
    expect(t.warning).toBe(DEFAULT_THRESHOLD_OPTIONS.floor);
    expect(t.critical).toBe(DEFAULT_THRESHOLD_OPTIONS.floor);
    expect(thresholdsFrom(zero, { floor: 0.5 }).warning).toBe(0.5);
  });

  it('critical never falls below warning when mixed policies invert on some data', () => {
    const t = thresholdsFrom(cal, { warning: { kind: 'quantile', q: 1, factor: 2 }, critical: { kind: 'sigma', k: 1 } });
    expect(t.warning).toBeCloseTo(1.8, 12);
    expect(t.critical).toBe(t.warning);
  });

  it('non-finite calibration statistics are an error, not a silent NaN threshold', () => {
    expect(() => thresholdsFrom({ ...cal, std: NaN }, { warning: { kind: 'sigma', k: 4 }, critical: { kind: 'sigma', k: 6 } }))
      .toThrow(/is NaN.*recalibrate/);
  });
});

describe('checkThresholdOptions', () => {
  const bad: [string, object, RegExp][] = [
    ['q outside (0, 1]', { warning: { kind: 'quantile', q: 1.5 } }, /thresholds.warning.q must be in \(0, 1\]/],
    ['negative factor', { critical: { kind: 'quantile', q: 0.999, factor: -1 } }, /thresholds.critical.factor/],
    ['NaN sigma', { warning: { kind: 'sigma', k: NaN } }, /thresholds.warning.k/],
    ['zero fixed value', { warning: { kind: 'fixed', value: 0 } }, /thresholds.warning.value must be a positive score/],
    ['unknown kind', { warning: { kind: 'median' } }, /kind must be 'quantile', 'sigma' or 'fixed'/],
    ['clearRatio above 1', { clearRatio: 1.2 }, /clearRatio must be in \(0, 1\]/],
    ['negative floor', { floor: -1 }, /floor/],
    ['fixed critical not above warning', { warning: { kind: 'fixed', value: 3 }, critical: { kind: 'fixed', value: 3 } }, /critical \(fixed 3\) must be above thresholds.warning \(fixed 3\)/],
    ['sigma critical below warning', { warning: { kind: 'sigma', k: 6 }, critical: { kind: 'sigma', k: 4 } }, /must be above/],
    ['same quantile, smaller factor', { critical: { kind: 'quantile', q: 0.999, factor: 1.2 } }, /must be above/],
  ];
  for (const [name, options, message] of bad) {
    it(`rejects ${name}`, () => expect(() => checkThresholdOptions(options as never)).toThrow(message));
  }

  it('lists the quantiles an online calibrator must track', () => {
    expect(policyQuantiles()).toEqual([0.999, 0.999]);
    expect(policyQuantiles({ warning: { kind: 'quantile', q: 0.995 }, critical: { kind: 'sigma', k: 6 } })).toEqual([0.995]);
    expect(quantileKey(1)).toBe('1');
    expect(quantileKey(0.999)).toBe('0.999');
  });
});
