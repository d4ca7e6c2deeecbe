// The likelihood judge: one machine's anomaly likelihood (likelihood.ts, NuPIC's, unchanged) for the
// decider when the policy sets `likelihood` (decision-policy.ts says why). Per window:
//   raw       the score on a unit scale, clipped to [0, 1]: min(1, score / unit), where unit is the
//             warning threshold of the model's calibration when the decider has one (1 = the model's
//             own warning level), else RUNNING_SCALE × the running median of this machine's scores
//             (at least the thresholds' floor). While the likelihood learns, every score joins the
//             median before it is scaled; afterwards only scores of windows judged normal join it.
//   judged    NAB's log score of the likelihood, logLikelihood(L) = log(1 − L) / log(1e-10), against
//             the levels `warning` and `critical` (0.4 ⇔ L ≈ 1 − 1e-4, 0.5 ⇔ L ≈ 1 − 1e-5), with
//             clear levels clearRatio × each, as the score thresholds have.
//   learning  the likelihood's first learningWindows + estimationWindows windows report L = 0.5:
//             the decider calls them 'learning'.
// The likelihood sees every valid window's raw score, flagged or not (NuPIC's rule: the history it
// fits is the stream's). state() is plain JSON of at most historicWindow raw scores plus a few
// numbers; a state saved under other likelihood settings resumes the scale but learns the
// likelihood anew (a configuration change, not damage). checkLikelihoodJudgeState names a bad field.

import { type AnomalyLikelihood, type AnomalyLikelihoodOptions, type AnomalyLikelihoodState, checkLikelihoodState, createAnomalyLikelihood, logLikelihood } from './likelihood.js';
import { type P2State, checkP2State, createP2, p2Estimate, p2Observe } from './p2-quantile.js';
import type { Thresholds } from './threshold.js';

/** decision.likelihood: absent or null, the decider judges raw scores against thresholds. */
export interface LikelihoodPolicy {
  /** Raw scores in the likelihood's short mean. Default 10 (NuPIC's). */
  readonly averagingWindow?: number;
  /** Raw scores the distribution is fitted on, and kept in the saved state. Default 2000. */
  readonly historicWindow?: number;
  /** First windows left out of the fit while they are in it (the scale settling). Default 100. */
  readonly learningWindows?: number;
  /** Windows after those before the first fit. Default 100. */
  readonly estimationWindows?: number;
  /** Windows between re-fits. Default 100. */
  readonly reestimationPeriod?: number;
  /** NuPIC's filter: a red likelihood right after another is lowered to yellow. Default false. */
  readonly redFilter?: boolean;
  /** Log-likelihood levels (NAB's score, in (0, 1)). Defaults 0.4 and 0.5. */
  readonly warning?: number;
  readonly critical?: number;
}

export type ResolvedLikelihoodPolicy = Required<LikelihoodPolicy>;

export const DEFAULT_LIKELIHOOD_POLICY: ResolvedLikelihoodPolicy = {
  averagingWindow: 10,
  historicWindow: 2000,
  learningWindows: 100,
  estimationWindows: 100,
  reestimationPeriod: 100,
  redFilter: false,
  warning: 0.4,
  critical: 0.5,
};

/** The running scale without a calibration: this many running medians map to raw score 1. */
export const RUNNING_SCALE = 10;
/** Bounds the saved state: historicWindow raw scores per machine. */
export const MAX_HISTORIC_WINDOW = 100_000;

/** NuPIC's yellow likelihood, what the red filter lowers a repeated red to. */
const LIKELIHOOD_YELLOW = 0.999;

const KEYS = Object.keys(DEFAULT_LIKELIHOOD_POLICY) as (keyof LikelihoodPolicy)[];

/** Fills defaults and validates; null when off. Errors name the field as `likelihood.<field>`. */
export function checkLikelihoodPolicy(policy: LikelihoodPolicy | null | undefined, raiseK: number): ResolvedLikelihoodPolicy | null {
  if (policy === null || policy === undefined) return null;
  const fail = (msg: string): never => {
    throw new Error(`decision policy: likelihood${msg}`);
  };
  if (typeof policy !== 'object' || Array.isArray(policy)) fail(` must be an object like { averagingWindow: 10, historicWindow: 2000 } or null (off), got ${JSON.stringify(policy)}`);
  for (const k of Object.keys(policy)) {
    if (!(KEYS as string[]).includes(k)) fail(`.${k} is not a setting; the settings are ${KEYS.join(', ')}`);
  }
  const p: ResolvedLikelihoodPolicy = { ...DEFAULT_LIKELIHOOD_POLICY };
  for (const k of KEYS) if (policy[k] !== undefined && policy[k] !== null) (p as Record<string, unknown>)[k] = policy[k];
  const count = (k: keyof LikelihoodPolicy, min: number, max = Infinity): void => {
    const v = p[k] as number;
    if (!(Number.isInteger(v) && v >= min && v <= max)) fail(`.${k} must be an integer from ${min}${max < Infinity ? ` to ${max}` : ' up'}, got ${JSON.stringify(v)}`);
  };
  count('averagingWindow', 1);
  count('historicWindow', 1, MAX_HISTORIC_WINDOW);
  count('learningWindows', 0);
  count('estimationWindows', 1);
  count('reestimationPeriod', 1);
  if (p.estimationWindows > p.historicWindow) fail(`.estimationWindows (${p.estimationWindows}) cannot exceed likelihood.historicWindow (${p.historicWindow}): the first fit needs them all in the history`);
  if (typeof p.redFilter !== 'boolean') fail(`.redFilter must be true or false, got ${JSON.stringify(p.redFilter)}`);
  for (const k of ['warning', 'critical'] as const) {
    const v = p[k];
    if (!(typeof v === 'number' && v > 0 && v < 1)) fail(`.${k} must be a log-likelihood score in (0, 1) (0.4 ⇔ likelihood 1 − 1e-4, 0.5 ⇔ 1 − 1e-5), got ${JSON.stringify(v)}`);
  }
  if (p.critical < p.warning) fail(`.critical (${p.critical}) must be at least likelihood.warning (${p.warning})`);
  const yellow = logLikelihood(LIKELIHOOD_YELLOW);
  if (p.redFilter && raiseK > 1 && p.warning > yellow) {
    fail(`.redFilter lowers every red likelihood after the first to yellow (log score ${yellow.toFixed(2)}, below likelihood.warning ${p.warning}), so ${raiseK} windows above warning never come: set raise.k to 1, likelihood.warning to at most ${yellow.toFixed(2)}, or redFilter to false`);
  }
  return p;
}

function likelihoodOptions(p: ResolvedLikelihoodPolicy): AnomalyLikelihoodOptions {
  return {
    learningPeriod: p.learningWindows,
    estimationSamples: p.estimationWindows,
    historicWindowSize: p.historicWindow,
    reestimationPeriod: p.reestimationPeriod,
    averagingWindow: p.averagingWindow,
    // The decider passes no metric values: the flat-metric check does not apply.
    flatValueVariance: 0,
    ...(p.redFilter ? { yellowThreshold: LIKELIHOOD_YELLOW } : { redThreshold: 1, yellowThreshold: 1 }),
  };
}

/** The likelihood settings a state was saved under (a change restarts the likelihood). */
export type LikelihoodSettings = Omit<ResolvedLikelihoodPolicy, 'warning' | 'critical'>;

export interface LikelihoodJudgeState {
  readonly settings: LikelihoodSettings;
  /** The anomaly likelihood's own state (likelihood.ts). */
  readonly estimator: AnomalyLikelihoodState;
  /** Running median of the scores (P² estimator), for the scale without a calibration. */
  readonly median: P2State;
  /** The log score of the last window stepped (what the decider judged it by); null before the first.
   *  Informational (the replay's scores.csv and report show it); resuming does not need it. */
  readonly last?: number | null;
}

export interface LikelihoodStep {
  /** The window's raw unit score in [0, 1]. */
  readonly raw: number;
  /** The likelihood L, and NAB's log score of it (what is judged). */
  readonly probability: number;
  readonly score: number;
  /** The likelihood was still learning (L = 0.5 by rule). */
  readonly learning: boolean;
}

export interface LikelihoodJudge {
  /** The levels the log score is judged against. */
  readonly thresholds: Thresholds;
  /** Whether the next window is still in the likelihood's learning period. */
  readonly learning: boolean;
  /** Scales `score` by `unit` (the calibration's warning threshold) or, null, by the running median. */
  step(score: number, unit: number | null): LikelihoodStep;
  /** The window just stepped was judged normal: its score joins the running median. */
  learnScale(score: number): void;
  state(): LikelihoodJudgeState;
}

const settingsOf = (p: ResolvedLikelihoodPolicy): LikelihoodSettings => ({
  averagingWindow: p.averagingWindow, historicWindow: p.historicWindow, learningWindows: p.learningWindows,
  estimationWindows: p.estimationWindows, reestimationPeriod: p.reestimationPeriod, redFilter: p.redFilter,
});

const sameSettings = (a: LikelihoodSettings, b: LikelihoodSettings): boolean =>
  (Object.keys(b) as (keyof LikelihoodSettings)[]).every((k) => a[k] === b[k]);

export function createLikelihoodJudge(policy: ResolvedLikelihoodPolicy, clearRatio: number, floor: number, resume?: LikelihoodJudgeState): LikelihoodJudge {
  const settings = settingsOf(policy);
  const options = likelihoodOptions(policy);
  const probation = policy.learningWindows + policy.estimationWindows;
  const resumes = resume !== undefined && sameSettings(resume.settings, settings);
  const lik: AnomalyLikelihood = createAnomalyLikelihood(options, resumes ? resume.estimator : undefined);
  const median: P2State = resume ? checkP2State(resume.median, 'likelihood.median') : createP2(0.5);
  let last: number | null = resumes ? (resume.last ?? null) : null;
  const thresholds: Thresholds = {
    warning: policy.warning, critical: policy.critical,
    clear: clearRatio * policy.warning, clearCritical: clearRatio * policy.critical,
  };
  return {
    thresholds,
    get learning() {
      return lik.iteration < probation;
    },
    step(score, unit) {
      const learning = lik.iteration < probation;
      if (learning) p2Observe(median, score);
      const u = unit ?? Math.max(RUNNING_SCALE * p2Estimate(median), floor);
      const raw = Math.min(1, Math.max(0, score / u));
      const probability = lik.probability(raw);
      last = logLikelihood(probability);
      return { raw, probability, score: last, learning };
    },
    learnScale(score) {
      if (lik.iteration > probation) p2Observe(median, score);
    },
    state() {
      return { settings: { ...settings }, estimator: lik.state(), median: { ...median, heights: [...median.heights], positions: [...median.positions], desired: [...median.desired] }, last };
    },
  };
}

/** Checks a saved judge state; throws naming the field under `where` (e.g. "… likelihood"). */
export function checkLikelihoodJudgeState(s: unknown, where: string): LikelihoodJudgeState {
  if (!s || typeof s !== 'object') throw new Error(`${where} must be an object or null`);
  const o = s as LikelihoodJudgeState;
  const st = o.settings as LikelihoodSettings | undefined;
  const ints = ['averagingWindow', 'historicWindow', 'learningWindows', 'estimationWindows', 'reestimationPeriod'] as const;
  if (!st || typeof st !== 'object' || !ints.every((k) => Number.isInteger(st[k]) && st[k] >= 0) || st.historicWindow > MAX_HISTORIC_WINDOW || typeof st.redFilter !== 'boolean') {
    throw new Error(`${where}.settings must be { ${ints.join(', ')}, redFilter }`);
  }
  checkLikelihoodState(o.estimator, { historicWindowSize: st.historicWindow, averagingWindow: st.averagingWindow }, `${where}.estimator`);
  if (checkP2State(o.median, `${where}.median`).p !== 0.5) throw new Error(`${where}.median must be a running median (p 0.5)`);
  if (!(o.last === undefined || o.last === null || Number.isFinite(o.last))) throw new Error(`${where}.last must be a number or null`);
  return o;
}
