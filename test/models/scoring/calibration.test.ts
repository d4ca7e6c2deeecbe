import { describe, expect, it } from 'vitest';
import { createCalibration, quantile } from '../../../models/scoring/calibration.js';

describe('calibration', () => {
  it('matches numpy.quantile (linear) and population std', () => {
    // numpy: np.quantile([3,1,4,1,5,9,2,6], [.5,.9,.95,.99,.999,1]), x.mean(), x.std()
    const totals = [3, 1, 4, 1, 5, 9, 2, 6];
    const perChannel = totals.flatMap((t) => [t, 2 * t]);
    const cal = createCalibration(totals, perChannel, 2);
    const want: Record<string, number> = { '0.5': 3.5, '0.9': 6.9, '0.95': 7.95, '0.99': 8.79, '0.999': 8.979, '1': 9 };
    expect(Object.keys(cal.quantiles)).toEqual(Object.keys(want));
    for (const [k, v] of Object.entries(want)) expect(cal.quantiles[k]).toBeCloseTo(v, 10);
    expect(cal.windows).toBe(8);
    expect(cal.mean).toBeCloseTo(3.875, 12);
    expect(cal.std).toBeCloseTo(2.5708704751503917, 12);
    expect(cal.perChannelMean[1]).toBeCloseTo(7.75, 12);
    expect(cal.perChannelStd[1]).toBeCloseTo(2 * 2.5708704751503917, 12);
  });

  it('handles one window and refuses none or non-finite scores', () => {
    expect(quantile([5], 0.99)).toBe(5);
    expect(createCalibration([2], [2], 1).std).toBe(0);
    expect(() => createCalibration([], [], 1)).toThrow(/at least one/);
    expect(() => createCalibration([NaN], [1], 1)).toThrow(/finite/);
  });
});
