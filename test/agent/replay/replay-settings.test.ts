import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../agent/commands/errors.js';
import { formatDuration, loadReplayConfig, planSampling } from '../../../agent/replay/replay-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('loadReplayConfig', () => {
  it('resolves the live configuration with the model from --model, ignoring live I/O sections and their environment', () => {
    const path = file('live.yaml', [
      'broker: { url: "mqtts://plant:8883", password: { file: /nonexistent/secret } }',
      'partition: { index: 0, count: 3 }',
      'decision: { raise: { k: 2, n: 3 } }',
      'windows: { stride: 2 }',
    ].join('\n'));
    const r = loadReplayConfig(path, 'm.onnx', { VIGIL_BROKER_PASSWORD_FILE: '/nonexistent/too', VIGIL_SCORING_MAX_BATCH: '8' });
    expect(r.config.model.path).toBe('m.onnx');
    expect(r.config.broker).toBeNull();
    expect(r.config.partition).toBeNull();
    expect(r.config.decision).toEqual({ raise: { k: 2, n: 3 } });
    expect(r.config.windows.stride).toBe(2);
    expect(r.config.scoring.maxBatch).toBe(8);
    expect(r.source).toBe(path);
    expect([...r.explicit]).toEqual([]);
  });

  it('a bad value is a UsageError naming the field', () => {
    const path = file('bad.yaml', 'sampling: { periodMs: -5 }\n');
    expect(() => loadReplayConfig(path, 'm.onnx', {})).toThrow(UsageError);
    expect(() => loadReplayConfig(path, 'm.onnx', {})).toThrow(/sampling\.periodMs must be > 0/);
    expect(() => loadReplayConfig(join(dir, 'absent.yaml'), 'm.onnx', {})).toThrow(/cannot read the config file/);
  });

  it('knows which grid settings the file or the environment set', () => {
    const path = file('grid.yaml', 'sampling: { periodMs: 2000, toleranceMs: 100 }\n');
    expect([...loadReplayConfig(path, 'm.onnx', { VIGIL_WINDOWS_MAX_GAP_MS: '60000' }).explicit].sort()).toEqual(['sampling.periodMs', 'sampling.toleranceMs', 'windows.maxGapMs']);
  });
});

describe('planSampling', () => {
  it('without a configured period: the log median step, and tolerance, hold and gap scaled from the 1 s defaults, each said', () => {
    const plan = planSampling(loadReplayConfig(undefined, 'm.onnx', {}), 300_000);
    expect(plan).toMatchObject({ periodMs: 300_000, toleranceMs: 150_000, maxHoldMs: 900_000, maxGapMs: 3_000_000, derived: true });
    expect(plan.notes[0]).toMatch(/sampling\.periodMs 300000 \(5 min\): derived from the log's median timestamp step/);
    expect(plan.notes).toHaveLength(4);
  });

  it('settings that are set stay; a configured period that disagrees with the log is warned about', () => {
    const path = file('set.yaml', 'sampling: { maxHoldMs: 7000 }\nwindows: { maxGapMs: 99000 }\n');
    const plan = planSampling(loadReplayConfig(path, 'm.onnx', {}), 10_000);
    expect(plan).toMatchObject({ periodMs: 10_000, toleranceMs: 5000, maxHoldMs: 7000, maxGapMs: 99_000, derived: true });
    const fixed = planSampling(loadReplayConfig(file('p.yaml', 'sampling: { periodMs: 1000 }\n'), 'm.onnx', {}), 300_000);
    expect(fixed).toMatchObject({ periodMs: 1000, toleranceMs: 500, maxGapMs: 10_000, derived: false });
    expect(fixed.notes).toEqual([expect.stringMatching(/^warning: sampling\.periodMs is 1000 ms but the log's median timestamp step is 300000 ms \(5 min\)/)]);
  });

  it('a log with no steps keeps the configured period', () => {
    expect(planSampling(loadReplayConfig(undefined, 'm.onnx', {}), undefined)).toMatchObject({ periodMs: 1000, derived: false, notes: [] });
  });

  it('formatDuration', () => {
    expect([250, 1500, 300_000, 5_400_000, 172_800_000].map(formatDuration)).toEqual(['250 ms', '1.5 s', '5 min', '1.5 h', '2 d']);
  });
});
