import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScoredRow } from '../../../agent/replay/decision-trace.js';
import { replayLog } from '../../../agent/replay/replay-log.js';
import type { Alert } from '../../../agent/types.js';
import { loadLogSamples } from '../../../agent/source/log-samples.js';
import { CHANNELS } from '../../../agent/source/simulator.js';
import { createDetector } from '../../../models/create-detector.js';
import { saveModel } from '../../../models/persistence/index.js';
import { makeSimFixture, type SimFixture } from './sim-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-decision-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the decision trace (what scores.csv and the report are made of)', () => {
  let fx: SimFixture;
  let rows: ScoredRow[];
  let alerts: Alert[];
  let report: Awaited<ReturnType<typeof replayLog>>['report'];
  beforeAll(async () => {
    fx = await makeSimFixture(dir);
    rows = [];
    alerts = [];
    ({ report } = await replayLog({ data: fx.log, model: fx.model, env: {}, onScored: (r) => rows.push(r), onAlert: (a) => alerts.push(a) }));
  });

  it('has one row per score, with the verdict counts the decider itself counted', () => {
    const p = report.pipeline as { decisions: { windows: Record<string, number> } };
    expect(rows).toHaveLength(report.total.scored);
    const verdicts: Record<string, number> = { normal: 0, anomalous: 0, learning: 0, invalid: 0 };
    for (const r of rows) verdicts[r.verdict]++;
    expect(verdicts).toEqual(p.decisions.windows);
    expect(verdicts.learning).toBe(2 * 10); // warmupWindows per machine: the model brings its calibration
  });

  it('carries each alert event on the row of the score that caused it, with its episode; rows in between carry the open episode', () => {
    const events = rows.filter((r) => r.event !== null);
    expect(events.map((r) => [r.machineId, r.time, r.event, r.episodeId])).toEqual(alerts.map((a) => [a.machineId, a.time, a.state, a.id]));
    for (const machine of ['pump-01', 'pump-02']) {
      let open: string | null = null;
      for (const r of rows.filter((x) => x.machineId === machine)) {
        if (r.event === 'raised') open = r.episodeId;
        expect(r.episodeId).toBe(open);
        if (r.event === 'cleared') open = null;
      }
    }
  });

  it('gives the thresholds in force, the window\'s newest sample as the model saw it, and every channel\'s score', () => {
    const first = rows[0];
    expect(first.thresholds).not.toBeNull();
    expect(first.thresholds!.critical).toBeGreaterThan(first.thresholds!.warning);
    const raised = rows.find((r) => r.event === 'raised')!;
    expect(raised.score).toBeGreaterThan(raised.thresholds!.warning);
    for (const r of rows) {
      expect(Object.keys(r.perChannel)).toEqual([...CHANNELS]);
      expect(r.values).toHaveLength(CHANNELS.length);
    }
    // Rows of one machine come in time order, one sampling period apart (no gaps in this log).
    const pump = rows.filter((r) => r.machineId === 'pump-02');
    expect(pump.every((r, i) => i === 0 || r.time - pump[i - 1].time === 10_000)).toBe(true);
  });

  it('in stream mode too: a row per sample scored, carrying that sample', async () => {
    const NAB = '/work/shared/datasets/nab/data/realTraffic/speed_7578.csv';
    const head = join(dir, 'speed-head.csv');
    writeFileSync(head, readFileSync(NAB, 'utf8').split('\n').slice(0, 401).join('\n'));
    const samples = await loadLogSamples(head);
    const detector = createDetector('lstm-forecaster', { channels: samples.channels, windowSize: 9, hidden: 8, layers: 1, seed: 2, name: 'nab-speed' });
    await detector.fit(samples.series, { epochs: 2, seed: 2 });
    const model = join(dir, 'speed.onnx');
    await saveModel(model, detector.parts());
    const config = join(dir, 'stream.yaml');
    writeFileSync(config, 'scoring: { mode: stream }\n');
    const streamed: ScoredRow[] = [];
    const { report: r } = await replayLog({ data: head, model, config, env: {}, onScored: (x) => streamed.push(x) });
    expect(streamed.length).toBe(r.total.scored);
    expect(streamed.length).toBeGreaterThan(300);
    // Each sample sits on its row's slot of the 5-minute grid (round(t / period) · period); this
    // irregular series has slots with two rows, so a sample's value is one of its slot's rows.
    const period = r.settings.periodMs;
    const bySlot = new Map<number, number[]>();
    for (const [t, v] of readFileSync(head, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','))) {
      const slot = Math.round(Date.parse(`${t.replace(' ', 'T')}Z`) / period) * period;
      bySlot.set(slot, [...(bySlot.get(slot) ?? []), Math.fround(Number(v))]);
    }
    for (const x of streamed) if (x.values) expect(bySlot.get(x.time)).toContain(x.values[0]);
    expect(streamed.filter((x) => x.values !== null).length).toBeGreaterThan(streamed.length - 2);
  });
});
