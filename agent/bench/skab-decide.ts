// From a SKAB run's per-row scores to its per-row predictions. A score is a (smoothed) residual
// divided by its member's UCL, several members combined by mean or max, so 1 is the threshold
// for every detector.
//   smoothing   trailing mean of the last k values (k = 1: none); causal
//   threshold   row flagged when its (smoothed) score is strictly above 1: SKAB's `residual > UCL`
//   decider     the live agent's decider (models/scoring/decide.ts) with a fixed warning level of 1:
//               a row is flagged while an alert episode is open after its window, and a window
//               it judges 'normal' is the only kind online learning may use
// Rows without a score (NaN) get no prediction (null) and are not fed to anything.

import { createDecider, type Decider, type WindowVerdict } from '../../models/scoring/decide.js';
import type { DecisionPolicy } from '../../models/scoring/decision-policy.js';

export type RowPrediction = 0 | 1 | null;

export function combineScores(members: readonly Float64Array[], how: 'mean' | 'max'): Float64Array {
  const n = members[0].length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let v = how === 'max' ? -Infinity : 0;
    for (const m of members) v = how === 'max' ? Math.max(v, m[t]) : v + m[t] / members.length;
    out[t] = v;
  }
  return out;
}

/** Causal trailing mean over the last k finite scores (NaN rows stay NaN and are skipped). */
export function smoothScores(score: Float64Array, k: number): Float64Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`smoothing must be an integer >= 1 rows, got ${k}`);
  if (k === 1) return score;
  const out = new Float64Array(score.length).fill(Number.NaN);
  const recent: number[] = [];
  for (let t = 0; t < score.length; t++) {
    if (!Number.isFinite(score[t])) continue;
    recent.push(score[t]);
    if (recent.length > k) recent.shift();
    out[t] = recent.reduce((a, b) => a + b, 0) / recent.length;
  }
  return out;
}

export function thresholdRows(score: Float64Array): RowPrediction[] {
  return Array.from(score, (s) => (Number.isFinite(s) ? (s > 1 ? 1 : 0) : null));
}

export interface RowDecider {
  /** Judges one row's score at its event time: the row's prediction and the decider's verdict on it. */
  step(score: number, time: number): { readonly flag: RowPrediction; readonly verdict: WindowVerdict };
}

export function createRowDecider(policy: DecisionPolicy, model: string): RowDecider {
  const decider: Decider = createDecider({ ...policy, machineId: 'skab', calibration: null });
  const ref = { name: model, version: '1.0' };
  return {
    step(score, time) {
      if (!Number.isFinite(score)) return { flag: null, verdict: 'invalid' };
      const d = decider.step({ value: score, perChannel: {}, time, receivedAt: time, model: ref });
      return { flag: d.phase === 'active' ? 1 : 0, verdict: d.window };
    },
  };
}

export function deciderRows(score: Float64Array, time: ArrayLike<number>, policy: DecisionPolicy, model: string): RowPrediction[] {
  const d = createRowDecider(policy, model);
  return Array.from(score, (s, t) => d.step(s, time[t]).flag);
}
