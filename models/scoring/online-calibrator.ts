// Online calibrator: a bounded streaming estimate of a detector's score distribution on normal
// windows, for a model that arrives without a Calibration or must be recalibrated after a change.
// Memory is fixed whatever the stream length: a P² estimator per quantile (five markers each), the
// exact maximum (quantile '1'), and Welford mean/variance of the total and of each channel. Nothing
// is random and the state is a plain JSON object, so a replay learns the same calibration and a
// restart resumes where it stopped. `ready` once `minWindows` windows have been seen; the caller
// (the decider) then freezes the result: a calibration that kept learning would let a slow
// degradation raise its own thresholds.
// The caller passes only windows it has not flagged; non-finite scores are ignored.

import type { Calibration } from '../detector.js';
import { STORED_QUANTILES, quantileKey } from './threshold.js';
import { type P2State, checkP2State, createP2, p2Estimate, p2Observe } from './p2-quantile.js';

export interface OnlineCalibratorOptions {
  /** Windows to see before the calibration is ready. Default 2000. */
  readonly minWindows?: number;
  /** Quantiles to track besides the stored ones (0.5 … 0.999, 1), e.g. a policy's 0.995. */
  readonly quantiles?: readonly number[];
}

export interface OnlineCalibratorState {
  readonly windows: number;
  readonly mean: number;
  readonly m2: number;
  readonly max: number | null;
  readonly quantiles: readonly P2State[];
  /** Per-channel Welford sums; the channel count is fixed by the first window that has channels. */
  readonly channels: { readonly mean: readonly number[]; readonly m2: readonly number[] } | null;
}

export interface OnlineCalibrator {
  readonly windows: number;
  readonly ready: boolean;
  readonly minWindows: number;
  observe(total: number, perChannel?: ArrayLike<number>): void;
  /** The calibration so far (meaningful once `ready`); throws before the first window. */
  calibration(): Calibration;
  state(): OnlineCalibratorState;
}

export const DEFAULT_CALIBRATION_WINDOWS = 2000;

export function createOnlineCalibrator(options: OnlineCalibratorOptions = {}, resume?: OnlineCalibratorState): OnlineCalibrator {
  const minWindows = options.minWindows ?? DEFAULT_CALIBRATION_WINDOWS;
  if (!(Number.isInteger(minWindows) && minWindows >= 1)) throw new Error(`calibrationWindows must be a positive integer, got ${minWindows}`);
  const ps = [...new Set([...STORED_QUANTILES, ...(options.quantiles ?? [])])].filter((q) => q < 1).sort((a, b) => a - b);
  for (const q of ps) if (!(q > 0)) throw new Error(`online calibrator: quantile ${q} must be in (0, 1]`);

  let windows = 0, mean = 0, m2 = 0, max = -Infinity;
  let est: P2State[] = ps.map(createP2);
  let chMean: number[] | null = null, chM2: number[] | null = null;
  if (resume) {
    const r = checkState(resume);
    ({ windows, mean, m2 } = r);
    max = r.max ?? -Infinity;
    // Estimators of quantiles the saved state did not track start fresh (a config change).
    est = ps.map((p) => r.quantiles.find((s) => s.p === p) ?? createP2(p));
    if (r.channels) {
      chMean = [...r.channels.mean];
      chM2 = [...r.channels.m2];
    }
  }

  return {
    get windows() { return windows; },
    get ready() { return windows >= minWindows; },
    minWindows,
    observe(total, perChannel) {
      if (!Number.isFinite(total)) return;
      windows++;
      const d = total - mean;
      mean += d / windows;
      m2 += d * (total - mean);
      if (total > max) max = total;
      for (const s of est) p2Observe(s, total);
      if (perChannel && perChannel.length > 0) {
        if (!chMean || !chM2) {
          chMean = new Array<number>(perChannel.length).fill(0);
          chM2 = new Array<number>(perChannel.length).fill(0);
        }
        // Channels are counted with the total: a non-finite channel value contributes 0 to its sums.
        for (let c = 0; c < chMean.length; c++) {
          const v = c < perChannel.length && Number.isFinite(perChannel[c]) ? perChannel[c] : chMean[c];
          const dc = v - chMean[c];
          chMean[c] += dc / windows;
          chM2[c] += dc * (v - chMean[c]);
        }
      }
    },
    calibration() {
      if (windows === 0) throw new Error('online calibrator: no windows seen yet');
      const quantiles: Record<string, number> = {};
      // P² markers can cross slightly on small samples: keep the quantiles monotone and ≤ max.
      let prev = -Infinity;
      for (const s of est) {
        const v = Math.min(Math.max(p2Estimate(s), prev), max);
        quantiles[quantileKey(s.p)] = v;
        prev = v;
      }
      quantiles[quantileKey(1)] = max;
      return {
        windows,
        mean,
        std: Math.sqrt(m2 / windows),
        quantiles,
        perChannelMean: chMean ? [...chMean] : [],
        perChannelStd: chM2 ? chM2.map((v) => Math.sqrt(v / windows)) : [],
      };
    },
    state() {
      return {
        windows, mean, m2,
        max: windows > 0 ? max : null,
        quantiles: est.map((s) => ({ ...s, heights: [...s.heights], positions: [...s.positions], desired: [...s.desired] })),
        channels: chMean && chM2 ? { mean: [...chMean], m2: [...chM2] } : null,
      };
    },
  };
}

function checkState(s: OnlineCalibratorState): OnlineCalibratorState {
  const where = 'online calibrator state';
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!s || typeof s !== 'object' || !Number.isInteger(s.windows) || s.windows < 0 || !finite(s.mean) || !finite(s.m2) ||
      !(s.max === null || finite(s.max)) || !Array.isArray(s.quantiles)) {
    throw new Error(`${where} is malformed (windows, mean, m2, max, quantiles)`);
  }
  const quantiles = s.quantiles.map((q, i) => checkP2State(q, `${where}.quantiles[${i}]`));
  let channels = null;
  if (s.channels !== null && s.channels !== undefined) {
    const { mean, m2 } = s.channels;
    if (!Array.isArray(mean) || !Array.isArray(m2) || mean.length !== m2.length || ![...mean, ...m2].every(finite)) {
      throw new Error(`${where}.channels is malformed (mean and m2 of equal length)`);
    }
    channels = { mean, m2 };
  }
  return { ...s, quantiles, channels };
}
