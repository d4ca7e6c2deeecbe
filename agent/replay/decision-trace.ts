// The decision trace of a replay: one ScoredRow per scored window (or sample, in stream mode) with
// what the pipeline decided about it, for scores.csv and the HTML report. It listens to the live
// pipeline without changing it (agent/pipeline.ts stays the one flow):
//   onScore   the pipeline's onScore hook, just before toAlerts: the score and its window;
//   onState   toAlerts' onState hook with snapshotIntervalMs 0, so it fires once after every score's
//             decision with the decider's state: the thresholds in force and the open episode.
//             The verdict (normal / anomalous / learning / invalid) and the alert event, if any, are
//             read as the step's increments of toAlerts' own counters.
// A score that reaches no decider (its machine is over limits.maxMachines) gets the verdict 'shed'.
// Everything happens synchronously inside one message's trip through the pipe, so rows come out
// in the order scores were made.

import type { DeciderState } from '../../models/scoring/decide.js';
import type { Thresholds } from '../../models/scoring/threshold.js';
import type { AlertCounters } from '../stages/to-alerts.js';
import type { AlertState, Score } from '../types.js';

/** What the deciders judge: window scores against thresholds, or (decision.likelihood) the likelihood's log score. */
export type Judged = 'score' | 'likelihood';

export type RowVerdict = 'normal' | 'anomalous' | 'learning' | 'invalid' | 'shed';

export interface ScoredRow {
  readonly machineId: string;
  /** Event time of the newest sample scored. */
  readonly time: number;
  readonly score: number;
  /** What the decider compared with `thresholds`: the score itself, or, with decision.likelihood, the
   *  log score of the machine's anomaly likelihood (NaN for a score that reached no decider). */
  readonly judged: number;
  /** Per model channel, in the model's channel order. */
  readonly perChannel: Readonly<Record<string, number>>;
  /** The newest sample of the scored window (model channel order, log units), or null when the score carries no window. */
  readonly values: Float32Array | null;
  /** Thresholds the decider judged this score by; null while it has none (learning a calibration). */
  readonly thresholds: Thresholds | null;
  readonly verdict: RowVerdict;
  /** The alert event this score caused, if any. */
  readonly event: AlertState | null;
  /** The episode open after this decision, or the one this score cleared. */
  readonly episodeId: string | null;
}

export interface DecisionTrace {
  readonly onScore: (score: Score) => void;
  readonly onState: (state: DeciderState) => void;
  /** Emits a last pending row, if any; call when the stream completes. */
  readonly flush: () => void;
}

const VERDICTS = ['normal', 'anomalous', 'learning', 'invalid'] as const;
const EVENTS = ['raised', 'updated', 'cleared'] as const;

export function createDecisionTrace(counters: AlertCounters, emit: (row: ScoredRow) => void): DecisionTrace {
  let pending: Score | null = null;
  const windowsBefore = { normal: 0, anomalous: 0, learning: 0, invalid: 0 };
  const alertsBefore = { raised: 0, updated: 0, cleared: 0 };
  const lastEpisode = new Map<string, string | null>();

  const snapshot = (): void => {
    for (const v of VERDICTS) windowsBefore[v] = counters.windows[v];
    for (const e of EVENTS) alertsBefore[e] = counters.alerts[e];
  };
  const values = (s: Score): Float32Array | null => {
    const w = s.window;
    if (!w) return null;
    const C = w.channels.length;
    return w.data.slice((w.size - 1) * C, w.size * C);
  };
  const shed = (): void => {
    if (pending === null) return;
    const s = pending;
    pending = null;
    emit({ machineId: s.machineId, time: s.time, score: s.value, judged: NaN, perChannel: s.perChannel, values: values(s), thresholds: null, verdict: 'shed', event: null, episodeId: null });
  };

  return {
    onScore(score) {
      shed();
      snapshot();
      pending = score;
    },
    onState(state) {
      const s = pending;
      if (s === null || s.machineId !== state.machineId) return; // a state without a score: nothing to trace
      pending = null;
      const verdict = VERDICTS.find((v) => counters.windows[v] > windowsBefore[v]) ?? 'invalid';
      const event = EVENTS.find((e) => counters.alerts[e] > alertsBefore[e]) ?? null;
      const open = state.episode?.id ?? null;
      const episodeId = event === 'cleared' ? (lastEpisode.get(s.machineId) ?? null) : open;
      lastEpisode.set(s.machineId, open);
      const judged = state.likelihood ? (state.likelihood.last ?? NaN) : s.value;
      emit({ machineId: s.machineId, time: s.time, score: s.value, judged, perChannel: s.perChannel, values: values(s), thresholds: state.thresholds, verdict, event, episodeId });
    },
    flush: shed,
  };
}
