// What a decider saves so a restart resumes it: a plain JSON object (no Infinity, no typed arrays).
// An episode open before the restart stays open with the same id, and seq keeps increasing.
// checkDeciderState validates a state read from storage and throws naming the bad field.
// `likelihood` is present only when the policy judges the likelihood (decision.likelihood): the
// machine's likelihood judge (likelihood-judge.ts), at most historicWindow raw scores.

import type { Calibration } from '../detector.js';
import type { ModelRef, Severity } from './alert-event.js';
import { type LikelihoodJudgeState, checkLikelihoodJudgeState } from './likelihood-judge.js';
import type { OnlineCalibratorState } from './online-calibrator.js';
import type { Thresholds } from './threshold.js';

export type ThresholdSource = 'model' | 'fixed' | 'online';

export interface EpisodeState {
  readonly id: string;
  readonly startedAt: number;
  readonly severity: Severity;
  /** Event time of the last raised or updated event (for the update rate limit). */
  readonly lastEventAt: number;
}

export interface DeciderState {
  readonly format: 1;
  readonly machineId: string;
  /** seq of the last event (0 before the first). */
  readonly seq: number;
  /** Valid windows seen (for warm-up). */
  readonly seen: number;
  readonly lastTime: number | null;
  /** Model of the last window seen. */
  readonly model: ModelRef | null;
  /** The thresholds in use and where they came from (null while learning). */
  readonly thresholds: Thresholds | null;
  readonly source: ThresholdSource | null;
  /** The calibration learned online, when source is 'online'. */
  readonly learned: Calibration | null;
  /** Online learning in progress. */
  readonly learning: OnlineCalibratorState | null;
  /** Relearn online once the open episode clears. */
  readonly relearnPending: boolean;
  /** Levels of the last raise.n windows, oldest first: 0 normal, 1 above warning, 2 above critical. */
  readonly levels: readonly number[];
  /** Consecutive windows below the clear level, and below the critical clear level. */
  readonly below: number;
  readonly belowCritical: number;
  readonly episode: EpisodeState | null;
  /** No new episode before this event time. */
  readonly cooldownUntil: number | null;
  /** The likelihood judge, when the policy uses one (absent otherwise). */
  readonly likelihood?: LikelihoodJudgeState | null;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const count = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

export function checkDeciderState(s: unknown, machineId: string): DeciderState {
  const damaged = (what: string): never => {
    throw new Error(`decider state of machine '${machineId}': ${what}; the saved state is damaged or from another version, delete it to start fresh`);
  };
  const bad = (field: string, want: string): never => damaged(`${field} must be ${want}`);
  if (!s || typeof s !== 'object') bad('the state', 'an object');
  const o = s as DeciderState;
  if (o.format !== 1) bad('format', '1');
  if (o.machineId !== machineId) {
    throw new Error(`decider state is for machine '${String(o.machineId)}', not '${machineId}': states are per machine`);
  }
  if (!count(o.seq)) bad('seq', 'an integer >= 0');
  if (!count(o.seen)) bad('seen', 'an integer >= 0');
  if (!(o.lastTime === null || finite(o.lastTime))) bad('lastTime', 'a number or null');
  if (!(o.model === null || (o.model && typeof o.model.name === 'string' && typeof o.model.version === 'string'))) bad('model', '{ name, version } or null');
  const t = o.thresholds;
  if (!(t === null || (t && [t.warning, t.critical, t.clear, t.clearCritical].every(finite)))) bad('thresholds', '{ warning, critical, clear, clearCritical } or null');
  if (!(o.source === null || o.source === 'model' || o.source === 'fixed' || o.source === 'online')) bad('source', "'model', 'fixed', 'online' or null");
  if (!(o.learned === null || (o.learned && typeof o.learned === 'object' && finite(o.learned.mean)))) bad('learned', 'a calibration or null');
  if (!(o.learning === null || (o.learning && typeof o.learning === 'object'))) bad('learning', 'an online calibrator state or null');
  if (typeof o.relearnPending !== 'boolean') bad('relearnPending', 'a boolean');
  if (!Array.isArray(o.levels) || !o.levels.every((l) => l === 0 || l === 1 || l === 2)) bad('levels', 'an array of 0, 1, 2');
  if (!count(o.below)) bad('below', 'an integer >= 0');
  if (!count(o.belowCritical)) bad('belowCritical', 'an integer >= 0');
  const e = o.episode;
  if (!(e === null || (e && typeof e.id === 'string' && finite(e.startedAt) && finite(e.lastEventAt) && (e.severity === 'warning' || e.severity === 'critical')))) {
    bad('episode', '{ id, startedAt, severity, lastEventAt } or null');
  }
  if (e !== null && t === null) bad('thresholds', 'present while an episode is open');
  if (!(o.cooldownUntil === null || finite(o.cooldownUntil))) bad('cooldownUntil', 'a number or null');
  if (o.likelihood !== undefined && o.likelihood !== null) {
    try {
      checkLikelihoodJudgeState(o.likelihood, 'likelihood');
    } catch (err) {
      damaged((err as Error).message);
    }
  }
  return o;
}
