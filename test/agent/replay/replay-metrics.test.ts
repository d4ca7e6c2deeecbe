// Metrics on a hand-built case: a log whose alerts can be worked out on paper, replayed through the
// real pipeline, and every number of the evaluation checked against the hand count.
//   log       200 rows a minute apart, one channel, an anomaly label column
//   rows      a small repeating pattern; rows 100..109 jump to 50 and are labelled anomalous;
//             rows 150..151 jump to 50 too but are labelled normal (a false alarm by design)
//   model     a dense autoencoder over 4-row windows trained on the pattern: a window holding a 50
//             scores in the hundreds, every other window about 1
//   decision  fixed thresholds (warning 10; clear at 0.8 × 10), raise on 1 of 1, clear after 1
//             window, no warm-up, no cooldown
// So: windows ending at rows 100..112 hold an anomalous row → episode A raised at row 100 and
// cleared at row 113, open for rows 100..112; windows ending at 150..154 → episode B open for
// rows 150..154, raised at 150. With the 200 labelled rows:
//   TP 10 (100..109)   FP 3 + 5 (110..112, 150..154)   FN 0   TN 200 − 18 = 182
//   precision 10/18, recall 1, F1 20/28, FAR 8/190, MAR 0, delay 0, 1 false alarm in 199 minutes.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScoredRow } from '../../../agent/replay/decision-trace.js';
import { replayLog } from '../../../agent/replay/replay-log.js';
import type { ReplayReport } from '../../../agent/replay/replay-report.js';
import { createDetector } from '../../../models/create-detector.js';
import { saveModel } from '../../../models/persistence/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const pattern = (i: number): number => (((i * 7919) % 17) - 8) / 5;

let report: ReplayReport;
let rows: ScoredRow[];
beforeAll(async () => {
  const lines = ['timestamp,value,anomaly'];
  for (let i = 0; i < 200; i++) {
    const spike = (i >= 100 && i <= 109) || i === 150 || i === 151;
    lines.push(`${new Date(T0 + i * MIN).toISOString()},${spike ? 50 : pattern(i)},${i >= 100 && i <= 109 ? 1 : 0}`);
  }
  writeFileSync(join(dir, 'hand.csv'), `${lines.join('\n')}\n`);
  const train = Float32Array.from({ length: 600 }, (_, i) => pattern(i));
  const detector = createDetector('dense-ae', { channels: ['value'], windowSize: 4, hidden: 4, bottleneck: 2, seed: 5, name: 'hand' });
  await detector.fit([{ data: train, length: train.length }], { epochs: 5, seed: 5 });
  await saveModel(join(dir, 'hand.onnx'), detector.parts());
  writeFileSync(join(dir, 'hand.yaml'), [
    'decision:',
    '  thresholds: { warning: { kind: fixed, value: 10 }, critical: { kind: fixed, value: 1000000 } }',
    '  raise: { k: 1, n: 1 }',
    '  clearWindows: 1',
    '  warmupWindows: 0',
    '  cooldownMs: 0',
    '  updateIntervalMs: 1000000000',
  ].join('\n'));
  rows = [];
  ({ report } = await replayLog({ data: join(dir, 'hand.csv'), model: join(dir, 'hand.onnx'), config: join(dir, 'hand.yaml'), env: {}, onScored: (r) => rows.push(r) }));
});

describe('metrics on a hand-built log', () => {
  it('the replay alerts exactly where the hand count says', () => {
    const at = (i: number) => T0 + i * MIN;
    expect(rows.filter((r) => r.event !== null).map((r) => [r.event, (r.time - T0) / MIN])).toEqual([['raised', 100], ['cleared', 113], ['raised', 150], ['cleared', 155]]);
    expect(rows.filter((r) => r.time !== at(100) && r.time !== at(150) && r.score > 10).length).toBe(12 + 4);
    expect(rows.every((r) => r.thresholds?.warning === 10)).toBe(true);
  });

  it('precision, recall, F1, FAR, MAR, delay and false alarms per day are the hand count', () => {
    const e = report.total.evaluation!;
    expect(e.sampleCounts).toEqual({ tp: 10, fp: 8, fn: 0, tn: 182 });
    expect(e.samplePrecision).toBeCloseTo(10 / 18, 12);
    expect(e.sampleRecall).toBe(1);
    expect(e.sampleF1).toBeCloseTo(20 / 28, 12);
    expect(e.falseAlarmRate).toBeCloseTo(8 / 190, 12);
    expect(e.missedAlarmRate).toBe(0);
    expect(e).toMatchObject({ labelledSamples: 200, anomalousSamples: 10, segments: 1, segmentsDetected: 1, falseAlarmEpisodes: 1 });
    expect(e.detectionDelayMs).toEqual({ mean: 0, median: 0, min: 0, max: 0 });
    expect(e.labelledDays).toBeCloseTo(199 / 1440, 12);
    expect(e.falseAlarmsPerDay).toBeCloseTo(1440 / 199, 9);
    const m = report.machines.hand.evaluation as unknown as { segmentList: unknown[]; falseAlarms: string[] };
    expect(m.segmentList).toEqual([{ start: new Date(T0 + 100 * MIN).toISOString(), end: new Date(T0 + 109 * MIN).toISOString(), samples: 10, detected: true, episodeId: report.machines.hand.episodeList![0].id, delayMs: 0 }]);
    expect(m.falseAlarms).toEqual([report.machines.hand.episodeList![1].id]);
  });

  it('with the same anomalies as --labels windows instead of a column, the same numbers and a NAB score', async () => {
    writeFileSync(join(dir, 'windows.json'), JSON.stringify({ hand: [[new Date(T0 + 100 * MIN).toISOString(), new Date(T0 + 109 * MIN).toISOString()]] }));
    const { report: w } = await replayLog({ data: join(dir, 'hand.csv'), model: join(dir, 'hand.onnx'), config: join(dir, 'hand.yaml'), env: {}, labels: join(dir, 'windows.json') });
    expect(w.total.evaluation).toEqual(report.total.evaluation);
    expect(w.labels).toEqual({ kind: 'windows', file: join(dir, 'windows.json'), format: 'machines', key: null });
    // NAB 'alerts': a detection on the window's first row (perfect), and one 41 rows after a
    // 10-row window (past 3 widths: −fpWeight): 100 · (1 − fp + fn) / (1 + fn) per profile.
    const nab = w.nab!.rules!.alerts;
    expect(nab.standard.normalized).toBeCloseTo((100 * (1 - 0.11 + 1)) / 2, 9);
    expect(nab.reward_low_FP_rate.normalized).toBeCloseTo((100 * (1 - 0.22 + 1)) / 2, 9);
    expect(nab.reward_low_FN_rate.normalized).toBeCloseTo((100 * (1 - 0.11 + 2)) / 3, 9);
  });
});
