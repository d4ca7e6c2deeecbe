// One test per rule of the decider, on fixed thresholds (warning 1, critical 2, clear 0.8,
// clearCritical 1.6) and one-second windows, so every expected event index can be read off the input.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import { episodeId } from '../../../models/scoring/alert-event.js';
import { createDecider } from '../../../models/scoring/decide.js';
import { MODEL, STEP, T0, decider, events, repeat, run, trace, win } from './decide-helpers.js';

describe('k-of-n debounce to raise (3 of the last 5 above warning)', () => {
  it('two windows above warning never raise; the third within five does', () => {
    const d = decider();
    expect(trace(run(d, [1.5, 0.5, 1.5, 0.5, 0.5, 0.5, 1.5, 0.5]))).toEqual([]);
    expect(trace(run(decider(), [1.5, 0.5, 1.5, 0.5, 1.5]))).toEqual(['4:raised/warning']);
  });

  it('isolated spikes four windows apart never raise, however many there are', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 5 : 0.1));
    expect(trace(run(decider(), values))).toEqual([]);
  });

  it('a score equal to the threshold is not above it', () => {
    expect(trace(run(decider(), repeat(1, 20)))).toEqual([]);
  });

  it('k and n are configurable: 1 of 1 raises on the first window above', () => {
    expect(trace(run(decider({ raise: { k: 1, n: 1 } }), [0.5, 1.1]))).toEqual(['1:raised/warning']);
  });

  it('the raised event carries the episode id, score, threshold, times, model and top channels', () => {
    const [raised] = events(run(decider(), [1.2, 1.3, 1.4]));
    expect(raised).toEqual({
      id: episodeId('pump-7', MODEL.name, T0 + 2 * STEP),
      machineId: 'pump-7', state: 'raised', severity: 'warning', score: 1.4, threshold: 1,
      topChannels: [
        { channel: 'vibration', score: expect.closeTo(2.1, 12), share: expect.closeTo(0.5, 12) },
        { channel: 'temp', score: 1.4, share: expect.closeTo(1 / 3, 12) },
        { channel: 'flow', score: expect.closeTo(0.7, 12), share: expect.closeTo(1 / 6, 12) },
      ],
      time: T0 + 2 * STEP, receivedAt: T0 + 2 * STEP + 40, startedAt: T0 + 2 * STEP,
      model: { name: 'pump-ae', version: '1.0' }, seq: 1,
    });
  });
});

describe('hysteresis to clear (5 consecutive windows below 0.8 × warning)', () => {
  it('a score that dips below warning but not below the clear level keeps the episode open', () => {
    const d = decider();
    expect(trace(run(d, [...repeat(1.5, 3), ...repeat(0.9, 500)]))).toEqual(['2:raised/warning']);
    expect(d.phase).toBe('active');
  });

  it('clears on the fifth consecutive window below clear; one window back above restarts the count', () => {
    const values = [...repeat(1.5, 3), 0.5, 0.5, 0.5, 0.5, 0.85, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const ds = run(decider(), values);
    expect(trace(ds)).toEqual(['2:raised/warning', '12:cleared/warning']);
    const cleared = events(ds)[1];
    expect(cleared.threshold).toBe(0.8);
    expect(cleared.id).toBe(events(ds)[0].id);
    expect(cleared.startedAt).toBe(T0 + 2 * STEP);
    expect(ds[12].phase).toBe('cooldown');
  });
});

describe('severity: warning and critical, escalation and de-escalation', () => {
  it('raises as critical when 3 of the last 5 are above critical', () => {
    const [raised] = events(run(decider(), [2.5, 2.5, 2.5]));
    expect(raised).toMatchObject({ state: 'raised', severity: 'critical', threshold: 2 });
  });

  it('escalates at once with an updated event, de-escalates after 5 windows below 0.8 × critical', () => {
    const values = [...repeat(1.5, 3), 2.5, 2.5, 2.5, ...repeat(1.2, 5), 2.5, 1.2, 2.5];
    const ds = run(decider(), values);
    expect(trace(ds)).toEqual(['2:raised/warning', '5:updated/critical', '10:updated/warning']);
    expect(events(ds).map((e) => e.threshold)).toEqual([1, 2, 1]);
    // After de-escalating, the old critical windows no longer count: two new ones do not re-escalate.
  });

  it('re-escalates on three new windows above critical', () => {
    const values = [...repeat(2.5, 3), ...repeat(1.2, 5), 2.5, 2.5, 2.5];
    expect(trace(run(decider(), values))).toEqual(['2:raised/critical', '7:updated/warning', '10:updated/critical']);
  });

  it('a critical episode that falls below the clear level clears without a de-escalation first', () => {
    expect(trace(run(decider(), [...repeat(2.5, 3), ...repeat(0.1, 5)]))).toEqual(['2:raised/critical', '7:cleared/critical']);
  });
});

describe('update rate limit', () => {
  it('an open episode reports at most every updateIntervalMs of event time', () => {
    const ds = run(decider({ updateIntervalMs: 10 * STEP }), repeat(1.5, 40));
    expect(trace(ds)).toEqual(['2:raised/warning', '12:updated/warning', '22:updated/warning', '32:updated/warning']);
    expect(events(ds).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('a severity change is reported at once and restarts the interval', () => {
    const values = [...repeat(1.5, 7), ...repeat(2.5, 20)];
    const ds = run(decider({ updateIntervalMs: 10 * STEP }), values);
    expect(trace(ds)).toEqual(['2:raised/warning', '9:updated/critical', '19:updated/critical']);
  });

  it('windows back below warning do not produce updates (nothing new to report)', () => {
    const ds = run(decider({ updateIntervalMs: 0 }), [...repeat(1.5, 3), ...repeat(0.9, 10), 1.5]);
    expect(trace(ds)).toEqual(['2:raised/warning', '13:updated/warning']);
  });
});

describe('cooldown after a clear (15 min by default, here 20 windows)', () => {
  const cool = { cooldownMs: 20 * STEP };
  const episode = [...repeat(1.5, 3), ...repeat(0.1, 5)]; // raised at 2, cleared at 7

  it('suppresses a new episode until cooldownMs after the clear, then raises it (not lost)', () => {
    const d = decider(cool);
    const ds = run(d, [...episode, ...repeat(1.5, 40)]);
    expect(trace(ds)).toEqual(['2:raised/warning', '7:cleared/warning', '27:raised/warning']);
    const [first, , second] = events(ds);
    expect(second.id).not.toBe(first.id);
    expect(second.startedAt).toBe(T0 + 27 * STEP);
    expect(ds.slice(8, 27).every((x) => x.phase === 'cooldown' && x.window === 'anomalous')).toBe(true);
  });

  it('a fault that went away during the cooldown is not raised after it', () => {
    const ds = run(decider(cool), [...episode, ...repeat(1.5, 5), ...repeat(0.1, 30)]);
    expect(trace(ds)).toEqual(['2:raised/warning', '7:cleared/warning']);
    expect(ds.at(-1)!.phase).toBe('watching');
  });

  it('cooldownMs 0 allows a new episode at once', () => {
    expect(trace(run(decider({ cooldownMs: 0 }), [...episode, 1.5, 1.5, 1.5])))
      .toEqual(['2:raised/warning', '7:cleared/warning', '10:raised/warning']);
  });
});

describe('warm-up', () => {
  it('a calibrated decider judges nothing during its first warmupWindows windows', () => {
    const d = decider({ warmupWindows: 10 });
    const ds = run(d, repeat(3, 14));
    expect(ds.slice(0, 10).every((x) => x.window === 'learning' && x.event === null)).toBe(true);
    expect(ds[9].phase).toBe('watching');
    expect(trace(ds)).toEqual(['12:raised/critical']); // judging starts at 10; 3 of 5 at 12
  });

  it('without a calibration it learns online, then alerts on its learned thresholds', () => {
    const rng = createRng(5);
    const d = createDecider({ machineId: 'pump-7', calibrationWindows: 500, warmupWindows: 10 });
    const normal = Array.from({ length: 500 }, () => rng.normal() ** 2 * 0.1);
    const learning = run(d, normal);
    expect(learning.every((x) => x.window === 'learning' && x.event === null)).toBe(true);
    expect(learning[498].phase).toBe('learning');
    expect(learning[499].phase).toBe('watching');
    const t = d.thresholds!;
    const max = Math.max(...normal);
    expect(t.warning).toBeGreaterThan(1.5 * 0.5 * max); // ≈ 1.5 × q0.999 ≈ 1.5 × the max of 500
    expect(t.warning).toBeLessThanOrEqual(1.5 * max);
    expect(t.critical).toBeCloseTo(2 * t.warning, 12);
    const after = run(d, [...normal.slice(0, 100), ...repeat(10 * max, 3)], 500);
    expect(after.slice(0, 100).some((x) => x.window === 'normal')).toBe(true);
    expect(trace(after)).toEqual(['602:raised/critical']);
  });
});

describe('window verdicts: what the caller may learn from', () => {
  it('normal below clear with no episode; anomalous in the band, in an episode, and when clearing', () => {
    const ds = run(decider(), [0.5, 0.9, 1.5, 1.5, 1.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(ds.map((x) => x.window)).toEqual([
      'normal', 'anomalous', 'anomalous', 'anomalous', 'anomalous', // 4 raises
      'anomalous', 'anomalous', 'anomalous', 'anomalous', 'anomalous', // 9 clears
      'normal',
    ]);
  });

  it('a non-finite score is invalid and changes nothing', () => {
    const d = decider();
    run(d, [1.5, 1.5]);
    const before = JSON.stringify(d.state());
    for (const v of [NaN, Infinity, -Infinity]) expect(d.step(win(2, v))).toEqual({ window: 'invalid', phase: 'watching', event: null });
    expect(JSON.stringify(d.state())).toBe(before);
    expect(trace(run(d, [1.5], 3))).toEqual(['3:raised/warning']);
  });
});

describe('deterministic episode ids', () => {
  it('two runs over the same scores give identical events', () => {
    const rng = createRng(42);
    const values = Array.from({ length: 3000 }, (_, i) => (i % 700 > 600 ? 1.5 + rng.next() : rng.next() * 0.9));
    const a = events(run(decider({ cooldownMs: 5 * STEP }), values));
    const b = events(run(decider({ cooldownMs: 5 * STEP }), values));
    expect(a.length).toBeGreaterThan(6);
    expect(b).toEqual(a);
    const raised = a.filter((e) => e.state === 'raised');
    expect(new Set(raised.map((e) => e.id)).size).toBe(raised.length);
    for (const e of raised) expect(e.id).toBe(episodeId('pump-7', MODEL.name, e.startedAt));
  });

  it('the id depends on machine, model name and start time', () => {
    const ids = [episodeId('a', 'm', 1), episodeId('b', 'm', 1), episodeId('a', 'n', 1), episodeId('a', 'm', 2), episodeId('a:m', '', 1)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^[0-9a-f]{24}$/);
  });
});

describe('recalibrate', () => {
  it('a new calibration applies at once and the open episode keeps its id', () => {
    const cal = { windows: 1000, mean: 1, std: 1, quantiles: { '0.999': 2 }, perChannelMean: [], perChannelStd: [] };
    const d = createDecider({ machineId: 'pump-7', warmupWindows: 0, calibration: cal });
    const t = d.thresholds!;
    expect([t.warning, t.critical, t.clear, t.clearCritical].map((v) => +v.toFixed(12))).toEqual([3, 6, 2.4, 4.8]);
    const first = run(d, repeat(4, 3));
    d.recalibrate({ ...cal, quantiles: { '0.999': 1 } }); // warning 1.5, critical 3: 4 is now critical
    const next = run(d, repeat(4, 3), 3);
    // Escalation is debounced like raising: three windows above the new critical level.
    expect(trace([...first, ...next])).toEqual(['2:raised/warning', '5:updated/critical']);
    expect(events(next)[0].id).toBe(events(first)[0].id);
  });

  it('relearning waits for the open episode to clear, judged by the old thresholds until then', () => {
    const d = createDecider({ machineId: 'pump-7', warmupWindows: 0, calibrationWindows: 20,
      calibration: { windows: 1, mean: 0, std: 0, quantiles: { '0.999': 1 }, perChannelMean: [], perChannelStd: [] } });
    run(d, repeat(2, 3));
    d.recalibrate(null);
    expect(d.phase).toBe('active');
    const ds = run(d, repeat(0.1, 5), 3);
    expect(trace(ds)).toEqual(['7:cleared/warning']);
    expect(d.phase).toBe('learning');
    expect(d.thresholds).toBeNull();
    run(d, repeat(0.1, 20), 8);
    expect(d.phase).toBe('cooldown');
  });
});
