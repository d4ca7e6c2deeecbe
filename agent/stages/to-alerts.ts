// toAlerts: Score → Alert. One decider per machine (models/scoring/decide.ts) does the deciding;
// this stage routes scores to deciders and reports on the side. Event time only: every time it uses
// comes from the Score, so a replay gives the same alerts as the live run.
//   calibration  a machine's thresholds source: a Calibration, null (learn online), or a function
//                (machineId, model) → either. Asked when a machine is first seen and again when its
//                model changes name or major version (a retrained model scores on another scale);
//                fine-tuned versions (the part after the first dot) keep their thresholds until the
//                function returns another Calibration object (online learning recalibrated the
//                model): the deciders then judge by the new one from the next window.
//   restore      a machine's saved DeciderState, asked once when the machine is first seen. A damaged
//                state is counted (counters.rejectedStates), passed to onStateRejected, and the machine
//                starts fresh (its seq restarts at 1).
//   onState      the machine's DeciderState after every alert event and phase change, and otherwise at
//                most every snapshotIntervalMs of event time (default 60 s): what to save, e.g. to the
//                retained state topic. Save it with or before the alert it follows, so seq survives.
//   onNormal     each Score (with its window) judged normal: the only windows a learner may train on.
//   maxMachines  machines decided at once (default 10000, as toReadings). Scores of any further machine
//                are dropped and counted in counters.shed; machines are never evicted, so an open
//                episode always gets its clear.
// Deciders live per subscription. Callbacks must not throw: a throw ends the stream (it is a bug).

import { type OperatorFunction, defer, filter, map } from 'rxjs';
import type { Calibration } from '../../models/detector.js';
import type { AlertEvent, ModelRef } from '../../models/scoring/alert-event.js';
import { type Decider, type DeciderPhase, type DeciderState, type WindowVerdict, createDecider } from '../../models/scoring/decide.js';
import { type DecisionPolicy, checkDecisionPolicy } from '../../models/scoring/decision-policy.js';
import { thresholdsFrom } from '../../models/scoring/threshold.js';
import type { Alert, Score } from '../types.js';

export interface ToAlertsOptions {
  readonly calibration: Calibration | null | ((machineId: string, model: ModelRef) => Calibration | null);
  readonly policy?: DecisionPolicy;
  readonly restore?: (machineId: string) => DeciderState | undefined;
  readonly onState?: (state: DeciderState) => void;
  readonly onStateRejected?: (machineId: string, error: Error) => void;
  readonly onNormal?: (score: Score) => void;
  /** Default 60000 (event time). */
  readonly snapshotIntervalMs?: number;
  /** Default 10000. */
  readonly maxMachines?: number;
  readonly counters?: AlertCounters;
}

export interface AlertCounters {
  readonly windows: Record<WindowVerdict, number>;
  readonly alerts: Record<Alert['state'], number>;
  shed: number;
  rejectedStates: number;
}

export function createAlertCounters(): AlertCounters {
  return {
    windows: { normal: 0, anomalous: 0, learning: 0, invalid: 0 },
    alerts: { raised: 0, updated: 0, cleared: 0 },
    shed: 0,
    rejectedStates: 0,
  };
}

// The decider's events are Alerts: this fails to compile if models/ and agent/ drift apart.
const asAlert = (e: AlertEvent): Alert => e;

export function toAlerts(options: ToAlertsOptions): OperatorFunction<Score, Alert> {
  const decisions = createAlertDecisions(options); // validates options once, at construction
  return (source) =>
    defer(() => {
      const decide = decisions.fresh(); // deciders per subscription
      return source.pipe(map(decide), filter((a): a is Alert => a !== null));
    });
}

interface Machine {
  readonly decider: Decider;
  phase: DeciderPhase;
  snapshotAt: number;
  /** The calibration the decider judges by, to notice a recalibrated model. */
  calibration: Calibration | null;
}

const major = (version: string): string => version.split('.')[0];

export interface AlertDecisions {
  /** A decide function with its own deciders (one per subscription). */
  fresh(): (score: Score) => Alert | null;
}

/** The synchronous core of toAlerts, for callers outside RxJS. Throws only on bad options. */
export function createAlertDecisions(options: ToAlertsOptions): AlertDecisions {
  const { restore, onState, onStateRejected, onNormal, snapshotIntervalMs = 60_000, maxMachines = 10_000, counters = createAlertCounters() } = options;
  const policy = checkDecisionPolicy(options.policy);
  const given = options.calibration;
  if (given === undefined) throw new Error('toAlerts: calibration is required: a Calibration, null to learn online, or (machineId, model) => either');
  if (typeof given !== 'function') thresholdsFrom(given, policy.thresholds); // a missing quantile fails now, not at the first score
  const calibrationOf = (machineId: string, model: ModelRef): Calibration | null => (typeof given === 'function' ? given(machineId, model) : given);
  if (!(Number.isInteger(maxMachines) && maxMachines >= 1)) throw new Error(`toAlerts: maxMachines must be a positive integer, got ${maxMachines}`);
  if (!(snapshotIntervalMs >= 0)) throw new Error(`toAlerts: snapshotIntervalMs must be >= 0, got ${snapshotIntervalMs}`);

  function open(score: Score): Machine {
    const { machineId, model } = score;
    const calibration = calibrationOf(machineId, model);
    const decider = createDecider({ ...policy, machineId, calibration });
    const saved = restore?.(machineId);
    if (saved !== undefined) {
      try {
        decider.load(saved);
      } catch (e) {
        counters.rejectedStates++;
        onStateRejected?.(machineId, e as Error);
      }
    }
    return { decider, phase: decider.phase, snapshotAt: -Infinity, calibration };
  }

  return {
    fresh() {
      const machines = new Map<string, Machine>();
      return (score: Score): Alert | null => {
        let m = machines.get(score.machineId);
        if (!m) {
          if (machines.size >= maxMachines) {
            counters.shed++;
            return null;
          }
          machines.set(score.machineId, (m = open(score)));
        }
        const { decider } = m;
        const before = decider.model;
        if (before && (before.name !== score.model.name || major(before.version) !== major(score.model.version))) {
          decider.recalibrate((m.calibration = calibrationOf(score.machineId, score.model)));
        } else if (typeof given === 'function') {
          const now = given(score.machineId, score.model);
          if (now !== m.calibration && now !== null) decider.recalibrate((m.calibration = now));
        }
        const d = decider.step(score);
        counters.windows[d.window]++;
        if (d.event) counters.alerts[d.event.state]++;
        if (d.window === 'normal') onNormal?.(score);
        if (onState && (d.event || d.phase !== m.phase || score.time - m.snapshotAt >= snapshotIntervalMs)) {
          m.snapshotAt = score.time;
          onState(decider.state());
        }
        m.phase = d.phase;
        return d.event && asAlert(d.event);
      };
    },
  };
}
