// The decision policy: every rule of the decider as one validated, defaulted options object, shared
// by all machines of a pipeline. Counts are in windows, durations in milliseconds of EVENT time.
// Defaults and why:
//   thresholds          warning q0.999 × 1.5, critical q0.999 × 3, clear at 0.8 × (see threshold.ts)
//   raise 3 of 5        one or two stray windows never alert; a sustained shift alerts within 3 windows.
//                       Under independence a 1-in-1000 exceedance raises with p ≈ 1e-8 per window;
//                       overlapping windows are correlated, which is why the thresholds keep a factor.
//   clearWindows 5      an episode clears after 5 consecutive windows below the clear level (and
//                       critical de-escalates after 5 below 0.8 × critical): a fault that only dips
//                       does not close and reopen.
//   updateIntervalMs    10 min: an open episode re-reports its score at most every 10 min of event
//                       time; severity changes are reported at once.
//   cooldownMs          15 min: after a clear, a new episode waits 15 min of event time, so an
//                       intermittent fault gives at most ~4 episodes an hour. Evidence is not lost:
//                       windows keep counting during the cooldown and a fault still present when it
//                       ends raises on the first window after it.
//   warmupWindows 10    the first windows of a decider are never judged (twice the debounce length).
//   calibrationWindows  2000 normal windows before an online calibration is trusted: about two
//                       expected above the 0.999 quantile, and the × 1.5 factor absorbs the rest of
//                       the estimator's error (at a 1 s stride: 33 min of learning).
//   topChannels 3       enough to point at a sensor group without listing every channel.
//   likelihood  null    off: windows are judged by their score against the thresholds. Set, the
//                       decider judges NuPIC's anomaly likelihood of each machine's scores instead
//                       (likelihood-judge.ts): how unusual the RECENT level of the score is for THAT
//                       machine, so one configuration fits machines whose scores live on scales 100×
//                       apart, which no single quantile threshold does (what won NAB: 70.8 against
//                       43–54 for plain thresholds). Raise, clear, cooldown and updates stay as above,
//                       on the log likelihood score. Its defaults: averagingWindow 10 (NuPIC's short
//                       mean: a lone surprising window moves it by a tenth), historicWindow 2000
//                       (the fitted history, as long as calibrationWindows; it is also what each
//                       machine's saved state holds, so it stays small), learningWindows 100 and
//                       estimationWindows 100 (the running scale settles, then the first fit: 200
//                       windows of 'learning' per machine), reestimationPeriod 100 (NuPIC's),
//                       redFilter false (the filter lowers a run of red to yellow, which a k-of-n
//                       raise with k > 1 would never see), warning 0.4 and critical 0.5 as NAB's
//                       log score (likelihood 1 − 1e-4 and 1 − 1e-5; NAB's detection threshold is
//                       about 0.5). Costs: 200 windows before a machine is judged, an anomaly that
//                       lasts is absorbed by the fitted history within about one re-fit, and more
//                       false raises on heavy-tailed scores: on synthetic chi-square (3 dof) scores,
//                       about 3e-4 per window at warning 0.4 and 6e-5 at 0.5, against none for the
//                       default thresholds; none at either level on near-Gaussian scores.

import { DEFAULT_CALIBRATION_WINDOWS } from './online-calibrator.js';
import { type LikelihoodPolicy, type ResolvedLikelihoodPolicy, checkLikelihoodPolicy } from './likelihood-judge.js';
import { type ThresholdOptions, checkThresholdOptions } from './threshold.js';

export interface DecisionPolicy {
  readonly thresholds?: ThresholdOptions;
  /** Raise when at least k of the last n windows are above warning (critical: above critical). */
  readonly raise?: { readonly k: number; readonly n: number };
  /** Consecutive windows below the clear level that end an episode (and de-escalate critical). */
  readonly clearWindows?: number;
  /** Least event time between two 'updated' events of unchanged severity. */
  readonly updateIntervalMs?: number;
  /** Event time after a clear during which no new episode is raised. */
  readonly cooldownMs?: number;
  /** Windows a new decider only watches before it may alert. */
  readonly warmupWindows?: number;
  /** Windows an online calibration needs before it is used. */
  readonly calibrationWindows?: number;
  /** Channels named in each alert. */
  readonly topChannels?: number;
  /** Judge the anomaly likelihood of each machine's scores instead of the scores; null or absent: off. */
  readonly likelihood?: LikelihoodPolicy | null;
}

export type ResolvedDecisionPolicy = { readonly [K in Exclude<keyof DecisionPolicy, 'likelihood'>]-?: NonNullable<DecisionPolicy[K]> } & {
  readonly thresholds: Required<ThresholdOptions>;
  readonly likelihood: ResolvedLikelihoodPolicy | null;
};

export const DEFAULT_DECISION_POLICY = {
  raise: { k: 3, n: 5 },
  clearWindows: 5,
  updateIntervalMs: 600_000,
  cooldownMs: 900_000,
  warmupWindows: 10,
  calibrationWindows: DEFAULT_CALIBRATION_WINDOWS,
  topChannels: 3,
} as const;

/** Fills defaults and validates once; the error names the field and what it should be. */
export function checkDecisionPolicy(policy: DecisionPolicy = {}): ResolvedDecisionPolicy {
  const d = DEFAULT_DECISION_POLICY;
  const p = {
    thresholds: checkThresholdOptions(policy.thresholds),
    raise: policy.raise ?? d.raise,
    clearWindows: policy.clearWindows ?? d.clearWindows,
    updateIntervalMs: policy.updateIntervalMs ?? d.updateIntervalMs,
    cooldownMs: policy.cooldownMs ?? d.cooldownMs,
    warmupWindows: policy.warmupWindows ?? d.warmupWindows,
    calibrationWindows: policy.calibrationWindows ?? d.calibrationWindows,
    topChannels: policy.topChannels ?? d.topChannels,
  };
  const count = (name: string, v: number, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`decision policy: ${name} must be an integer >= ${min}, got ${v}`);
  };
  const { k, n } = p.raise;
  count('raise.n', n, 1);
  count('raise.k', k, 1);
  if (k > n) throw new Error(`decision policy: raise.k (${k}) cannot exceed raise.n (${n}): k of the last n windows`);
  count('clearWindows', p.clearWindows, 1);
  count('warmupWindows', p.warmupWindows, 0);
  count('calibrationWindows', p.calibrationWindows, 1);
  count('topChannels', p.topChannels, 0);
  if (!(p.updateIntervalMs >= 0)) throw new Error(`decision policy: updateIntervalMs must be >= 0 (Infinity: no periodic updates), got ${p.updateIntervalMs}`);
  if (!(p.cooldownMs >= 0 && Number.isFinite(p.cooldownMs))) throw new Error(`decision policy: cooldownMs must be a finite number >= 0, got ${p.cooldownMs}`);
  return { ...p, likelihood: checkLikelihoodPolicy(policy.likelihood, k) };
}
