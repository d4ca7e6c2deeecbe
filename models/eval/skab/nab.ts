// NAB-on-SKAB: tsad's `single_evaluate_nab` with scale_func='improved', scale_koef=1 and
// clear_anomalies_mode=True, summed over files and normalised as `chp_score(metric='nab')` does.
// Per profile (A_tp, A_fp, A_fn):
//   x      = numpy.linspace(-π/2, π/2, 1000)                      (x[i] = i·step − π/2, x[999] = π/2)
//   y      = (A_tp − A_fp)/2 · −1 · tanh(x) / tanh(π/2) + (A_tp − A_fp)/2 + A_fp   (y[0] = A_tp, y[999] = A_fp)
//   file   = A_fp·#FP + A_fn·#missed + Σ over detected windows y[min(999, int((t − start)/(end − start)·1000))]
//   null   = #windows·A_fn,  perfect = #windows·A_tp
//   score  = round(100·(Σ file − Σ null) / (Σ perfect − Σ null), 2)
// Unlike Numenta's NAB every FP costs a flat A_fp, the reward follows the window by time, a
// detection at a window's far end earns A_fp < 0, and there is no probation and no threshold sweep.

import type { ChangepointMatch } from './changepoint-match.js';
import type { ChangepointWindow } from './changepoint-windows.js';
import { pyRound } from './py-round.js';

export interface NabProfile {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

export type NabProfileName = 'standard' | 'lowFP' | 'lowFN';

/** tsad's default table_of_coef: Standard, LowFP, LowFN. */
export const SKAB_NAB_PROFILES: Readonly<Record<NabProfileName, NabProfile>> = {
  standard: { tp: 1, fp: -0.11, fn: -1 },
  lowFP: { tp: 1, fp: -0.22, fn: -1 },
  lowFN: { tp: 1, fp: -0.11, fn: -2 },
};

export const NAB_DETAIL = 1000;

/** numpy.linspace(start, stop, num) element for element. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

const scales = new Map<string, Float64Array>();

/** The reward curve y[0..999] of a profile (cached). */
export function nabScale(profile: NabProfile): Float64Array {
  const key = `${profile.tp}/${profile.fp}`;
  let y = scales.get(key);
  if (!y) {
    const x = linspace(-Math.PI / 2, Math.PI / 2, NAB_DETAIL);
    const half = (profile.tp - profile.fp) / 2;
    const norm = Math.tanh((Math.PI * 1) / 2);
    y = x.map((v) => ((half * -1 * Math.tanh(1 * v)) / norm) + half + profile.fp);
    scales.set(key, y);
  }
  return y;
}

/** The reward of a detection at time t in a window. */
export function nabReward(profile: NabProfile, window: ChangepointWindow, t: number): number {
  const y = nabScale(profile);
  const event = Math.trunc(((t - window.start) / (window.end - window.start)) * NAB_DETAIL);
  return y[Math.min(event, y.length - 1)];
}

export interface NabSums {
  readonly score: number;
  readonly null: number;
  readonly perfect: number;
}

/** One file's raw score, null and perfect score under a profile. */
export function nabFile(profile: NabProfile, windows: readonly ChangepointWindow[], match: ChangepointMatch): NabSums {
  let score = 0;
  score += profile.fp * match.falsePositives.length;
  score += profile.fn * match.missed.length;
  for (const d of match.detected) score += nabReward(profile, windows[d.window], d.time);
  return { score, null: windows.length * profile.fn, perfect: windows.length * profile.tp };
}

export function addNab(a: NabSums, b: NabSums): NabSums {
  return { score: a.score + b.score, null: a.null + b.null, perfect: a.perfect + b.perfect };
}

/** The normalised, rounded score of summed files (NaN with no windows at all). */
export function nabNormalised(s: NabSums): number {
  return pyRound((100 * (s.score - s.null)) / (s.perfect - s.null));
}
