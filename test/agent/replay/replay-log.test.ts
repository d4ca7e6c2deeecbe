import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayLog, type ReplayLogOptions } from '../../../agent/replay/replay-log.js';
import type { MachineReport, ReplayReport } from '../../../agent/replay/replay-report.js';
import { alertPayload } from '../../../agent/sink/alert-sink.js';
import { loadLogSamples } from '../../../agent/source/log-samples.js';
import type { Alert } from '../../../agent/types.js';
import { createDetector } from '../../../models/create-detector.js';
import { saveModel } from '../../../models/persistence/index.js';
import { FAULT_END, FAULT_START, INTERVAL_MS, WINDOW, makeSimFixture, type SimFixture } from './sim-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MIN = 60_000;

async function replay(options: ReplayLogOptions): Promise<{ alerts: Alert[]; report: ReplayReport; notes: readonly string[] }> {
  const alerts: Alert[] = [];
  const { report, notes } = await replayLog({ env: {}, ...options, onAlert: (a) => alerts.push(a) });
  return { alerts, report, notes };
}

/** The counts of one report agree with each other (every number traced through the stages). */
function expectCountsAddUp(report: ReplayReport, alerts: readonly Alert[]): void {
  const p = report.pipeline as {
    readings: { accepted: number; rejected: number; deadLetters: Record<string, number> };
    samples: { samples: number };
    scores: { scored: number };
    decisions: { windows: Record<string, number>; alerts: { raised: number; updated: number; cleared: number } };
  };
  const machines = Object.values(report.machines) as MachineReport[];
  expect(p.readings.accepted + p.readings.rejected).toBe(report.log.messages);
  expect(Object.values(p.readings.deadLetters).reduce((a, b) => a + b, 0)).toBe(p.readings.rejected);
  expect(report.total.scored).toBe(p.scores.scored);
  expect(machines.reduce((a, m) => a + m.scored, 0)).toBe(report.total.scored);
  expect(Object.values(p.decisions.windows).reduce((a, b) => a + b, 0)).toBe(report.total.scored);
  expect(report.total.alertEvents).toEqual(p.decisions.alerts);
  const { raised, updated, cleared } = report.total.alertEvents;
  expect(raised + updated + cleared).toBe(alerts.length);
  expect(report.total.episodes).toBe(raised);
  expect(machines.reduce((a, m) => a + m.episodes, 0)).toBe(raised);
  for (const m of machines) {
    expect(m.episodeList).toHaveLength(m.episodes);
    expect(m.alertEvents.cleared).toBe(m.episodeList!.filter((e) => e.end !== null).length);
  }
}

describe('replayLog: a simulated plant with one fault that starts and ends', () => {
  let fx: SimFixture;
  beforeAll(async () => {
    fx = await makeSimFixture(dir);
  });

  it('raises an episode on the faulty pump that overlaps the fault, soon after its onset, clears it after the repair, and leaves the healthy pump alone', async () => {
    const { alerts, report, notes } = await replay({ data: fx.log, model: fx.model });
    expect(notes[0]).toMatch(/sampling\.periodMs 10000 \(10 s\): derived from the log's median timestamp step/);
    expect(report.settings).toMatchObject({ periodMs: INTERVAL_MS, periodSource: 'log', learning: 'off', detectionToleranceMs: WINDOW * INTERVAL_MS });

    expect(alerts.filter((a) => a.machineId === 'pump-01')).toEqual([]);
    expect(report.machines['pump-01']).toMatchObject({ episodes: 0, evaluation: { segments: 0, falseAlarmEpisodes: 0, sampleCounts: { tp: 0, fp: 0 } } });
    const episodes = report.machines['pump-02'].episodeList!.map((e) => ({ ...e, start: Date.parse(e.start!), end: e.end === null ? null : Date.parse(e.end) }));
    const onFault = episodes.filter((e) => e.start < FAULT_END && (e.end ?? Infinity) > FAULT_START);
    expect(onFault).toHaveLength(1);
    const [episode] = onFault;
    // Raised after the onset, within the ramp (2 min) + one window (2 min) + the debounce (5 windows' worth).
    expect(episode.start - FAULT_START).toBeGreaterThan(0);
    expect(episode.start - FAULT_START).toBeLessThanOrEqual(5 * MIN);
    // Cleared after the repair: the window must slide off the fault, then 5 windows below the clear level.
    expect(episode.end).not.toBeNull();
    expect(episode.end! - FAULT_END).toBeGreaterThan(0);
    expect(episode.end! - FAULT_END).toBeLessThanOrEqual(10 * MIN);

    const ev = report.machines['pump-02'].evaluation!;
    expect(ev).toMatchObject({ segments: 1, segmentsDetected: 1, anomalousSamples: (FAULT_END - FAULT_START) / INTERVAL_MS });
    expect(ev.detectionDelayMs.median).toBe(episode.start - FAULT_START);
    expect(ev.segmentList).toEqual([{ start: new Date(FAULT_START).toISOString(), end: new Date(FAULT_END - INTERVAL_MS).toISOString(), samples: 240, detected: true, episodeId: episode.id, delayMs: episode.start - FAULT_START }]);
    expect(ev.sampleRecall).toBeGreaterThan(0.9);
    expect(report.total.evaluation).toMatchObject({ segments: 1, segmentsDetected: 1, labelledSamples: 4320 });
    expect(report.evaluationMethod).toBe('vigil-episode-overlap/1');
    expectCountsAddUp(report, alerts);
  });

  it('is event time only: every alert is stamped with the log\'s times, never the wall clock', async () => {
    const { alerts } = await replay({ data: fx.log, model: fx.model });
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(a.receivedAt).toBe(a.time);
      expect(a.time).toBeLessThan(Date.UTC(2024, 0, 2));
    }
  });

  it('the same replay twice gives the same alerts, byte for byte, also with inline online learning', async () => {
    for (const learning of ['off', 'inline'] as const) {
      const [a, b] = [await replay({ data: fx.log, model: fx.model, learning }), await replay({ data: fx.log, model: fx.model, learning })];
      expect(a.alerts.length).toBeGreaterThan(0);
      expect(b.alerts.map(alertPayload).join('\n')).toBe(a.alerts.map(alertPayload).join('\n'));
      expect(JSON.stringify(b.report)).toBe(JSON.stringify(a.report));
      if (learning === 'inline') {
        expect((a.report.pipeline.learning as { steps: number }).steps).toBeGreaterThan(0);
        // The fine-tuned model speaks in the alerts: its version moves on (0 steps → '1.0').
        expect(a.alerts.at(-1)!.model.version).not.toBe('1.0');
      }
    }
  });

  it('--machine on a log with a machine column replays only that machine', async () => {
    const { alerts, report } = await replay({ data: fx.log, model: fx.model, machine: 'pump-01' });
    expect(Object.keys(report.machines)).toEqual(['pump-01']);
    expect(alerts).toEqual([]);
    expect(report.total.evaluation).toMatchObject({ labelledSamples: 2160, segments: 0 });
  });
});

describe('replayLog: a NAB series (one value column, 5-minute steps, no labels)', () => {
  const NAB = '/work/shared/datasets/nab/data/realTraffic/speed_7578.csv';
  let model: string;
  beforeAll(async () => {
    // An LSTM forecaster trained briefly on the file's first 400 rows.
    const head = join(dir, 'speed_7578-head.csv');
    writeFileSync(head, readFileSync(NAB, 'utf8').split('\n').slice(0, 401).join('\n'));
    const samples = await loadLogSamples(head);
    expect(samples.channels).toEqual(['value']);
    const detector = createDetector('lstm-forecaster', { channels: samples.channels, windowSize: 9, hidden: 8, layers: 1, seed: 2, name: 'nab-speed' });
    await detector.fit(samples.series, { epochs: 2, seed: 2 });
    model = join(dir, 'nab.onnx');
    await saveModel(model, detector.parts());
  });

  it('replays every row through the single-channel path on a 5-minute grid from the log; the counts add up', async () => {
    const { alerts, report } = await replay({ data: NAB, model });
    const rows = readFileSync(NAB, 'utf8').trim().split('\n').length - 1;
    expect(report.log).toMatchObject({ rows, messages: rows, badLines: 0 });
    expect(report.settings).toMatchObject({ periodMs: 300_000, periodSource: 'log', maxGapMs: 3_000_000 });
    expect(report.model).toMatchObject({ channels: ['value'], logChannels: ['value'], architecture: 'lstm-forecaster', windowSize: 9 });
    expect(Object.keys(report.machines)).toEqual(['speed_7578']);
    expect(report.evaluationMethod).toBeNull();
    expect(report.total.evaluation).toBeNull();
    const p = report.pipeline as { samples: { samples: number }; windows: { windows: number; gaps: number } };
    expect(p.samples.samples).toBeLessThanOrEqual(rows);
    expect(p.windows.windows).toBe(report.total.scored);
    // Each ring (restarted after every gap) loses at most windowSize − 1 samples before its first window.
    expect(p.windows.windows).toBeGreaterThanOrEqual(p.samples.samples - 8 * (1 + p.windows.gaps));
    expect(p.windows.windows).toBeLessThanOrEqual(p.samples.samples - 8);
    expectCountsAddUp(report, alerts);
  });

  it('scoring.mode stream steps the forecaster per sample, with the same counts discipline', async () => {
    const config = join(dir, 'stream.yaml');
    writeFileSync(config, 'scoring: { mode: stream }\n');
    const { alerts, report } = await replay({ data: NAB, model, config });
    const p = report.pipeline as { samples: { samples: number }; scores: { scored: number; warming: number } };
    expect(report.settings.scoringMode).toBe('stream');
    expect(p.scores.scored + p.scores.warming).toBe(p.samples.samples);
    expectCountsAddUp(report, alerts);
  });
});
