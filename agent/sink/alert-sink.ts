// The alert sink: turns decisions into durable outbox records.
//   alerts  one record per lifecycle event, id `<alert id>:<seq>` (the outbox needs one id per
//           event; the episode id stays in the payload), on topics.alerts, QoS 1, not retained;
//           the machine's decider state is written BEFORE the alert is appended (write-ahead, as
//           toAlerts asks): a crash between the two can only skip a seq, never make the next start
//           reuse `<alert id>:<seq>` for a different event;
//   states  the retained per-machine state topic: a snapshot after every event and phase change,
//           coalesced by the outbox (only the newest state of a machine waits for delivery).
// Payload schemas (documented in the README): vigil.alert/1 and vigil.state/1, JSON.

import type { DeciderState } from '../../models/scoring/decider-state.js';
import type { Alert } from '../types.js';
import type { DeciderStore } from './decider-store.js';
import type { Outbox } from './outbox.js';

export const ALERT_SCHEMA = 'vigil.alert/1';
export const STATE_SCHEMA = 'vigil.state/1';

export interface AlertSinkOptions {
  readonly outbox: Outbox;
  readonly alertTopic: string;
  readonly stateTopic: string;
  readonly store: DeciderStore;
  readonly now: () => number;
  readonly onAppended?: (alert: Alert) => void;
  readonly onError?: (err: Error, what: string) => void;
}

export interface AlertSink {
  alert(alert: Alert): void;
  state(state: DeciderState): void;
  /** Resolves when every record handed over so far is in the outbox. */
  settled(): Promise<void>;
}

const iso = (t: number): string => new Date(t).toISOString();
export const topicFor = (template: string, machineId: string): string => template.replaceAll('{machine}', machineId);

export function alertPayload(a: Alert): string {
  return JSON.stringify({
    schema: ALERT_SCHEMA,
    id: a.id,
    eventId: `${a.id}:${a.seq}`,
    seq: a.seq,
    machineId: a.machineId,
    state: a.state,
    severity: a.severity,
    score: a.score,
    threshold: a.threshold,
    ...(a.likelihoodScore !== undefined && { likelihood: a.likelihoodScore }),
    topChannels: a.topChannels,
    time: iso(a.time),
    startedAt: iso(a.startedAt),
    receivedAt: iso(a.receivedAt),
    model: a.model,
  });
}

export function statePayload(s: DeciderState): string {
  const phase = s.episode ? 'alerting' : s.thresholds === null ? 'learning' : s.cooldownUntil !== null && s.lastTime !== null && s.lastTime < s.cooldownUntil ? 'cooldown' : 'normal';
  return JSON.stringify({
    schema: STATE_SCHEMA,
    machineId: s.machineId,
    phase,
    alert: s.episode ? { id: s.episode.id, severity: s.episode.severity, startedAt: iso(s.episode.startedAt) } : null,
    thresholds: s.thresholds,
    model: s.model,
    seq: s.seq,
    time: s.lastTime === null ? null : iso(s.lastTime),
  });
}

export function createAlertSink(o: AlertSinkOptions): AlertSink {
  let last: Promise<unknown> = Promise.resolve();
  const track = (p: Promise<unknown>): void => {
    last = Promise.allSettled([last, p]);
  };
  return {
    alert(alert) {
      // The state (already updated by state(), which the decider calls first) goes to disk first.
      // Flushes are serialised, so appends keep the order of the alerts. A failed state write must
      // not hold the alert back; the store's owner reports write failures when it flushes.
      const p = o.store
        .flush([alert.machineId])
        .catch(() => undefined)
        .then(() => o.outbox.append({ id: `${alert.id}:${alert.seq}`, key: alert.machineId, kind: 'alert', topic: topicFor(o.alertTopic, alert.machineId), payload: alertPayload(alert), createdAt: o.now() }))
        .then(() => o.onAppended?.(alert))
        .catch((err: Error) => o.onError?.(err, `alert ${alert.id}:${alert.seq} of ${alert.machineId}`));
      track(p);
    },
    state(state) {
      o.store.update(state);
      const p = o.outbox
        .append({
          id: `state:${state.machineId}:${state.seq}:${state.lastTime ?? 0}:${state.seen}`,
          key: state.machineId,
          kind: 'state',
          topic: topicFor(o.stateTopic, state.machineId),
          payload: statePayload(state),
          retain: true,
          createdAt: o.now(),
        })
        .catch((err: Error) => o.onError?.(err, `state of ${state.machineId}`));
      track(p);
    },
    settled: () => last.then(() => undefined),
  };
}
