// The pieces `vigil demo` is made of, without a process: what it prints (plain on a pipe, coloured on a
// terminal unless NO_COLOR), which faults exist for a given number of pumps, and what it clears in its
// state directory between runs (and what it keeps).

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../agent/demo/alert-watcher.js';
import { demoConfig, demoFaults } from '../../../agent/demo/demo-config.js';
import { clock, formatAlert, formatFinal, formatSummary, num, phaseCounts, secs, styleFor } from '../../../agent/demo/demo-output.js';
import { DEMO_MARKER, prepareDemoStateDir } from '../../../agent/demo/demo-state-dir.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-demo-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = Date.parse('2025-03-01T10:00:00Z');
const alert = (over: Partial<AlertMessage> = {}): AlertMessage => ({
  machineId: 'pump-03',
  state: 'raised',
  severity: 'warning',
  score: 0.419,
  threshold: 0.222,
  topChannels: [{ channel: 'vibration', score: 0.3, share: 0.78 }, { channel: 'pressure', score: 0.05, share: 0.14 }, { channel: 'current', score: 0.001, share: 0.004 }],
  time: new Date(start + 88_000).toISOString(),
  ...over,
});
const plain = { color: false };

describe('vigil demo output', () => {
  it('an alert line: time since the start, event time, state, machine, severity, score against its threshold, channels with ≥ 5 % of the score', () => {
    const line = formatAlert(alert(), start, plain);
    expect(line).toMatch(/^\[1:28\] \d\d:\d\d:28 {2}RAISED {3}pump-03 {2}warning {3}score 0\.419 > warning threshold 0\.222 {2}top: vibration 78%, pressure 14%$/);
    // A periodic update between the thresholds says which side the score is on.
    expect(formatAlert(alert({ state: 'updated', severity: 'critical', score: 0.431, threshold: 0.443 }), start, plain)).toContain('score 0.431 < critical threshold 0.443');
    const cleared = formatAlert(alert({ state: 'cleared', score: 0.1, threshold: 0.18 }), start, plain);
    expect(cleared).toContain('CLEARED  pump-03');
    expect(cleared).toMatch(/score 0\.100 < clear level 0\.180$/);
  });

  it('colour only on a terminal, and never with NO_COLOR', () => {
    expect(styleFor({ isTTY: false }, {})).toEqual({ color: false });
    expect(styleFor({}, {})).toEqual({ color: false });
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' })).toEqual({ color: false });
    expect(styleFor({ isTTY: true }, {})).toEqual({ color: true });
    expect(formatAlert(alert(), start, { color: true })).toMatch(/\x1b\[33mRAISED/);
    expect(formatAlert(alert(), start, plain)).not.toMatch(/\x1b/);
  });

  it('summary and final lines; a machine without a state yet counts as learning, cooldown as normal', () => {
    const phases = new Map([['pump-01', 'normal'], ['pump-02', 'alerting'], ['pump-03', 'cooldown']] as const);
    const machines = ['pump-01', 'pump-02', 'pump-03', 'pump-04'];
    expect(phaseCounts(machines, phases)).toEqual({ normal: 2, alerting: 1, learning: 1 });
    const totals = { messages: 6025, windows: 1055, raised: 2, updated: 5, cleared: 0, learningSteps: 11 };
    expect(formatSummary({ ...totals, uptimeMs: 100_000, messagesPerSecond: 24.6, machines, phases }, plain)).toBe(
      '[1:40] 25 msg/s | 1,055 windows scored | machines: 2 normal, 1 alerting, 1 learning | alerts: 2 raised, 5 updated, 0 cleared | learning steps: 11',
    );
    expect(formatFinal({ ...totals, uptimeMs: 240_400, undelivered: 0, stateDir: '.vigil/demo' }, plain)).toBe(
      'Stopped after 4:00: 6,025 messages, 1,055 windows scored, alerts 2 raised / 5 updated / 0 cleared, 11 online-learning steps; every alert delivered; state saved in .vigil/demo.',
    );
    expect(formatFinal({ ...totals, uptimeMs: 1000, undelivered: 3, stateDir: 'x' }, plain)).toContain('3 alert events not yet delivered (kept in the outbox)');
    expect([clock(0), clock(59_999), clock(3_723_000)]).toEqual(['0:00', '0:59', '1:02:03']);
    expect([secs(1000), secs(100), secs(2500)]).toEqual(['1 s', '0.1 s', '2.5 s']);
    expect([num(227.4), num(61.81), num(1.684), num(0.4194)]).toEqual(['227', '61.8', '1.68', '0.419']);
  });
});

describe('vigil demo scenario', () => {
  it('puts its faults only on pumps that exist, in ticks: a faster tick replays the same story faster', () => {
    expect(demoFaults(1, 1000)).toEqual([]);
    expect(demoFaults(2, 1000).map((f) => f.machineId)).toEqual(['pump-02']);
    expect(demoFaults(5, 1000)).toEqual([
      { machineId: 'pump-03', kind: 'cavitation', onsetAfterMs: 50_000, rampMs: 15_000, durationMs: 60_000 },
      { machineId: 'pump-02', kind: 'bearing-wear', onsetAfterMs: 70_000, rampMs: 120_000 },
    ]);
    expect(demoFaults(5, 100)[0]).toMatchObject({ onsetAfterMs: 5000, rampMs: 1500, durationMs: 6000 });
    const c = demoConfig({ stateDir: join(dir, 'cfg'), machines: 3, tickMs: 100, httpPort: 0, brokerPort: 0 });
    expect(c.simulator).toMatchObject({ enabled: true, machines: 3, intervalMs: 100 });
    expect(c.sampling.periodMs).toBe(100);
    expect(c.broker).toBeNull(); // the embedded broker, whatever VIGIL_BROKER_URL says
  });
});

describe('vigil demo state directory', () => {
  it('clears the previous run\'s outbox, decider states and fine-tuned model, and keeps the starter model', () => {
    const d = join(dir, 'state');
    expect(prepareDemoStateDir(d)).toEqual({ ok: true });
    expect(existsSync(join(d, DEMO_MARKER))).toBe(true);
    for (const sub of ['outbox', 'deciders', 'models']) mkdirSync(join(d, sub), { recursive: true });
    for (const f of ['outbox/seg', 'deciders/pump-03.json', 'models/starter-pump.tuned.onnx', 'models/starter-pump.tuned.onnx.state', 'models/starter-lstm-forecaster-w31-s1-m5.onnx']) writeFileSync(join(d, f), 'x');
    expect(prepareDemoStateDir(d)).toEqual({ ok: true });
    expect(existsSync(join(d, 'outbox'))).toBe(false);
    expect(existsSync(join(d, 'deciders'))).toBe(false);
    expect(existsSync(join(d, 'models', 'starter-pump.tuned.onnx'))).toBe(false);
    expect(existsSync(join(d, 'models', 'starter-pump.tuned.onnx.state'))).toBe(false);
    expect(existsSync(join(d, 'models', 'starter-lstm-forecaster-w31-s1-m5.onnx'))).toBe(true);
  });

  it('takes an empty directory, and refuses a non-empty one without its marker', () => {
    mkdirSync(join(dir, 'empty'));
    expect(prepareDemoStateDir(join(dir, 'empty'))).toEqual({ ok: true });
    mkdirSync(join(dir, 'real', 'outbox'), { recursive: true });
    const r = prepareDemoStateDir(join(dir, 'real'));
    expect(r.ok).toBe(false);
    expect(existsSync(join(dir, 'real', 'outbox'))).toBe(true);
  });
});
