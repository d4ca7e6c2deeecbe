import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type ToAlertsOptions, createAlertCounters, createAlertDecisions, toAlerts } from '../../../agent/stages/to-alerts.js';
import type { Alert, Score } from '../../../agent/types.js';
import type { Calibration } from '../../../models/detector.js';
import { episodeId } from '../../../models/scoring/alert-event.js';
import type { DeciderState } from '../../../models/scoring/decide.js';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const MODEL = { name: 'pump-ae', version: '3.12' };
// Fixed thresholds (warning 1, critical 2, clear 0.8) and no warm-up, so marbles read directly.
const policy = { warmupWindows: 0, thresholds: { warning: { kind: 'fixed', value: 1 }, critical: { kind: 'fixed', value: 2 } } } as const;
const base: ToAlertsOptions = { calibration: null, policy };

function score(machineId: string, i: number, value: number, model = MODEL): Score {
  return { machineId, time: T0 + i * 1000, receivedAt: T0 + i * 1000 + 25, value, perChannel: { flow: value / 2, vib: value }, model };
}

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Marble input for one machine: letter j of 'abc…' is the j-th value, at event time index j. */
function scoresOf(machineId: string, values: readonly number[]): { marble: string; map: Record<string, Score> } {
  const map: Record<string, Score> = {};
  let marble = '';
  values.forEach((v, j) => {
    const key = String.fromCharCode(97 + j);
    map[key] = score(machineId, j, v);
    marble += key;
  });
  return { marble: `${marble}|`, map };
}

function alertAt(machineId: string, state: Alert['state'], i: number, startIndex: number, seq: number, extra: Partial<Alert> = {}): Alert {
  return expect.objectContaining({
    id: episodeId(machineId, MODEL.name, T0 + startIndex * 1000), machineId, state, seq,
    time: T0 + i * 1000, startedAt: T0 + startIndex * 1000, ...extra,
  }) as Alert;
}

async function collect(options: ToAlertsOptions, scores: Score[]): Promise<Alert[]> {
  return lastValueFrom(from(scores).pipe(toAlerts(options), toArray()));
}

describe('toAlerts (marbles)', () => {
  it('raises on the third high window and clears on the fifth low one, in the frames that caused them', () => {
    const { marble, map } = scoresOf('m1', [0.1, 1.5, 1.5, 1.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold(marble, map).pipe(toAlerts(base))).toBe('---r----c-|', {
        r: alertAt('m1', 'raised', 3, 3, 1, { severity: 'warning', threshold: 1, score: 1.5, receivedAt: T0 + 3025 }),
        c: alertAt('m1', 'cleared', 8, 3, 2, { severity: 'warning', threshold: 0.8 }),
      });
    });
  });

  it('keeps one decider per machine: interleaved machines neither share evidence nor seq', () => {
    // a/b/c: machine A high; x/y/z: machine B high. Two highs each in any five windows of the merged stream.
    const map: Record<string, Score> = {
      a: score('A', 0, 1.5), x: score('B', 0, 1.5), b: score('A', 1, 1.5), y: score('B', 1, 0.1),
      c: score('A', 2, 1.5), z: score('B', 2, 1.5),
    };
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('axbycz|', map).pipe(toAlerts(base))).toBe('----r-|', { r: alertAt('A', 'raised', 2, 2, 1) });
    });
  });

  it('uses event time only: the same scores spread over different frames give the same alerts', () => {
    const values = [1.5, 1.5, 1.5, 0.1, 0.1, 0.1, 0.1, 0.1];
    const { map } = scoresOf('m1', values);
    const results: Alert[][] = [];
    for (const marble of ['abcdefgh|', 'a 5s b 60m c d 10m e f g h|']) {
      scheduler().run(({ cold }) => {
        const out: Alert[] = [];
        cold(marble, map).pipe(toAlerts(base)).subscribe((a) => out.push(a));
        results.push(out);
      });
    }
    expect(results[0].map((a) => a.state)).toEqual(['raised', 'cleared']);
    expect(results[1]).toEqual(results[0]);
  });

  it('passes errors and completion through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#', { a: score('m1', 0, 0.1) }).pipe(toAlerts(base))).toBe('-#');
    });
  });
});

describe('toAlerts: side outputs', () => {
  it('reports only the scores judged normal, for learning', async () => {
    const normal: { machineId: string; time: number }[] = [];
    const values = [0.1, 0.9, 1.5, 1.5, 1.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2];
    await collect({ ...base, onNormal: (s) => normal.push({ machineId: s.machineId, time: s.time }) }, values.map((v, i) => score('m1', i, v)));
    // 0.9 is between clear and warning; 1.5s are high; the five lows close the episode; 0.2 is after it.
    expect(normal).toEqual([{ machineId: 'm1', time: T0 }, { machineId: 'm1', time: T0 + 10_000 }]);
  });

  it('counts verdicts and alerts, and snapshots on events, phase changes and every snapshotIntervalMs', async () => {
    const counters = createAlertCounters();
    const states: DeciderState[] = [];
    const values = [0.1, 0.1, 0.1, 1.5, 1.5, 1.5, 1.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
    await collect({ ...base, counters, snapshotIntervalMs: 5000, onState: (s) => states.push(s) }, values.map((v, i) => score('m1', i, v)));
    expect(counters.windows).toEqual({ normal: 4, anomalous: 9, learning: 0, invalid: 0 });
    expect(counters.alerts).toEqual({ raised: 1, updated: 0, cleared: 1 });
    // first window, raise (5), interval (10), clear (11, which also enters cooldown)
    expect(states.map((s) => (s.lastTime! - T0) / 1000)).toEqual([0, 5, 10, 11]);
    expect(states.map((s) => s.seq)).toEqual([0, 1, 1, 2]);
  });

  it('restores saved states: an episode open before a restart clears under its id and seq continues', async () => {
    const saved = new Map<string, DeciderState>();
    const options: ToAlertsOptions = { ...base, onState: (s) => saved.set(s.machineId, JSON.parse(JSON.stringify(s))), restore: (id) => saved.get(id) };
    const first = await collect(options, [1.5, 1.5, 1.5, 1.5].map((v, i) => score('m1', i, v)));
    expect(first.map((a) => a.state)).toEqual(['raised']);
    const second = await collect(options, [0.1, 0.1, 0.1, 0.1, 0.1].map((v, i) => score('m1', 10 + i, v)));
    expect(second).toEqual([alertAt('m1', 'cleared', 14, 2, 2)]);
  });

  it('a damaged saved state is counted and reported, and the machine starts fresh', async () => {
    const counters = createAlertCounters();
    const rejected: string[] = [];
    const alerts = await collect(
      { ...base, counters, restore: () => ({ format: 1, machineId: 'm1', seq: 'x' }) as unknown as DeciderState, onStateRejected: (id, e) => rejected.push(`${id}: ${e.message}`) },
      [1.5, 1.5, 1.5].map((v, i) => score('m1', i, v)),
    );
    expect(counters.rejectedStates).toBe(1);
    expect(rejected[0]).toMatch(/^m1: decider state of machine 'm1': seq must be/);
    expect(alerts.map((a) => a.seq)).toEqual([1]);
  });
});

describe('toAlerts: machines and models', () => {
  it('at maxMachines, scores of further machines are shed and counted; tracked machines go on', async () => {
    const counters = createAlertCounters();
    const scores = [0, 1, 2].flatMap((i) => [score('A', i, 1.5), score('B', i, 1.5)]);
    const alerts = await collect({ ...base, maxMachines: 1, counters }, scores);
    expect(alerts.map((a) => a.machineId)).toEqual(['A']);
    expect(counters.shed).toBe(3);
  });

  it('judges by the calibration the model has: new on a new model, or when fine-tuning recalibrated it; a fine-tune alone changes nothing', async () => {
    const cal = (q: number): Calibration => ({ windows: 1, mean: 0, std: 0, quantiles: { '0.999': q }, perChannelMean: [], perChannelStd: [] });
    const first = cal(1);
    const recalibrated = cal(2);
    let current = first;
    const warnings: number[] = [];
    const options: ToAlertsOptions = {
      calibration: () => current,
      policy: { warmupWindows: 0, thresholds: { warning: { kind: 'quantile', q: 0.999, factor: 1 }, critical: { kind: 'quantile', q: 0.999, factor: 3 } } },
      snapshotIntervalMs: 0,
      onState: (st) => warnings.push(st.thresholds?.warning ?? NaN),
    };
    // Four fine-tuned versions of one model; the learner recalibrates it between the second and third window.
    const scores = ['3.12', '3.13', '3.14', '3.15'].map((version, i) => score('m1', i, 0.1, { name: 'pump-ae', version }));
    const decide = createAlertDecisions(options).fresh();
    decide(scores[0]);
    decide(scores[1]);
    current = recalibrated;
    decide(scores[2]);
    decide(scores[3]);
    expect(warnings).toEqual([1, 1, 2, 2]);
  });

  it('a new uncalibrated model relearns online after the open episode clears', async () => {
    const cal: Calibration = { windows: 1, mean: 0, std: 0, quantiles: { '0.999': 1 }, perChannelMean: [], perChannelStd: [] };
    const counters = createAlertCounters();
    const calibration = (_: string, model: { name: string }): Calibration | null => (model.name === 'pump-ae' ? cal : null);
    const next = { name: 'pump-lstm', version: '1.0' };
    const alerts = await collect({ calibration, counters, policy: { warmupWindows: 0, calibrationWindows: 50 } }, [
      ...[2, 2, 2].map((v, i) => score('m1', i, v)),
      ...Array.from({ length: 60 }, (_, i) => score('m1', 3 + i, 0.1, next)),
    ]);
    expect(alerts.map((a) => `${a.state} ${a.model.name}`)).toEqual(['raised pump-ae', 'cleared pump-lstm']);
    expect(counters.windows.learning).toBe(50);
  });

  it('validates options once, at construction', () => {
    const cal: Calibration = { windows: 1, mean: 0, std: 0, quantiles: { '0.99': 1 }, perChannelMean: [], perChannelStd: [] };
    expect(() => toAlerts({ calibration: cal })).toThrow(/quantile 0.999 is not in the calibration/);
    expect(() => toAlerts({ ...base, maxMachines: 0 })).toThrow(/maxMachines must be a positive integer/);
    expect(() => toAlerts({ ...base, policy: { raise: { k: 4, n: 3 } } })).toThrow(/raise.k \(4\) cannot exceed raise.n \(3\)/);
    expect(() => toAlerts({} as ToAlertsOptions)).toThrow(/calibration is required/);
  });

  it('each subscription has its own deciders', async () => {
    const op = toAlerts(base);
    const scores = [1.5, 1.5, 1.5].map((v, i) => score('m1', i, v));
    const a = await lastValueFrom(from(scores).pipe(op, toArray()));
    const b = await lastValueFrom(from(scores).pipe(op, toArray()));
    expect(b).toEqual(a);
    expect(a.map((x) => x.seq)).toEqual([1]);
  });
});
