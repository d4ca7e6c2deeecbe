// A detector's score distribution on held-out normal windows (thresholds are chosen from it by
// models/scoring, not here). Quantiles use linear interpolation between order statistics, as
// numpy.quantile's default and pandas' Series.quantile: position q·(n-1) in the sorted scores.
// mean and std are population statistics (ddof 0), per channel as well as for the total.

import type { Calibration } from '../detector.js';

export const CALIBRATION_QUANTILES = ['0.5', '0.9', '0.95', '0.99', '0.999', '1'] as const;

/** q-quantile of ascending `sorted` (q in [0, 1]) by linear interpolation. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile q must be in [0, 1], got ${q}`);
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

/**
 * Calibration from B windows' scores: totals [B] and perChannel [B, C] (as WindowScores holds
 * them). Non-finite scores are a bug upstream (bad data must not reach a detector), so they throw.
 */
export function createCalibration(totals: ArrayLike<number>, perChannel: ArrayLike<number>, channels: number): Calibration {
  const B = totals.length;
  const C = channels;
  if (B === 0) throw new Error('calibration needs at least one window');
  if (perChannel.length !== B * C) throw new Error(`calibration: perChannel has ${perChannel.length} values, expected ${B}·${C}`);
  for (let i = 0; i < B; i++) if (!Number.isFinite(totals[i])) throw new Error(`calibration: score of window ${i} is ${totals[i]}; only finite scores of normal windows can calibrate`);
  const sorted = Float64Array.from(totals).sort();
  const [mean, std] = meanStd(B, (i) => totals[i]);
  const perChannelMean: number[] = [];
  const perChannelStd: number[] = [];
  for (let c = 0; c < C; c++) {
    const [m, s] = meanStd(B, (i) => perChannel[i * C + c]);
    perChannelMean.push(m);
    perChannelStd.push(s);
  }
  const quantiles: Record<string, number> = {};
  for (const key of CALIBRATION_QUANTILES) quantiles[key] = quantile(sorted, Number(key));
  return { windows: B, mean, std, quantiles, perChannelMean, perChannelStd };
}

function meanStd(n: number, at: (i: number) => number): [number, number] {
  let s = 0;
  for (let i = 0; i < n; i++) s += at(i);
  const m = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = at(i) - m;
    v += d * d;
  }
  return [m, Math.sqrt(v / n)];
}
