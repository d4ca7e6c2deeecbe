// The NAB bench end to end on a three-file copy of the corpus with tiny models (the bench itself
// runs all 58 files and takes a minute): one score per data row in [0, 1], probationary rows 0,
// NAB's results layout whose files `vigil eval nab` scores to the very numbers the run printed;
// the same numbers in one thread or two and run after run; the labels never reach the detector;
// and causality: cutting a file after row k leaves every score before k unchanged.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evalNab } from '../../../agent/commands/eval.js';
import { nabConfigFromFlags } from '../../../agent/bench/nab-command.js';
import type { NabDetectorConfig } from '../../../agent/bench/nab-config.js';
import { loadNabCorpus, probationLength } from '../../../agent/bench/nab-corpus.js';
import { writeNabResults } from '../../../agent/bench/nab-results.js';
import { runNab } from '../../../agent/bench/nab-run.js';
import { scoreNabSeries } from '../../../agent/bench/nab-series.js';
import { parseReplayTime } from '../../../agent/source/replay-time.js';

const NAB = join(import.meta.dirname, '../../../../shared/datasets/nab');
const FILES = ['artificialWithAnomaly/art_daily_jumpsup.csv', 'realAWSCloudwatch/ec2_cpu_utilization_825cc2.csv', 'realKnownCause/ambient_temperature_system_failure.csv'];

/** Two 4-unit NLL forecasters with the daily lag and an 8-value autoencoder, two epochs each. */
const TINY: NabDetectorConfig = {
  ...nabConfigFromFlags({ detector: 'ensemble', set: [] }),
  name: 'tiny',
  members: [
    { kind: 'lstm', ensemble: 2, hidden: 4, layers: 1, chunk: 16, epochs: 2, lrFit: 1e-2, lrOnline: 1e-3, nll: true, inputs: ['lag'] },
    { kind: 'ae', window: 8, hidden: 8, bottleneck: 2, epochs: 2, lrFit: 3e-3, lrOnline: 1e-3 },
  ],
};

const scratch = mkdtempSync(join(tmpdir(), 'vigil-nab-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A NAB root holding only FILES (data and their windows), or with every window moved by `shift` rows. */
function miniCorpus(name: string, shift = 0): string {
  const root = join(scratch, name);
  const all = JSON.parse(readFileSync(join(NAB, 'labels/combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const windows: Record<string, [string, string][]> = {};
  for (const f of FILES) {
    mkdirSync(join(root, 'data', f.split('/')[0]), { recursive: true });
    copyFileSync(join(NAB, 'data', f), join(root, 'data', f));
    const stamps = readFileSync(join(NAB, 'data', f), 'utf8').split('\n').slice(1).map((l) => l.split(',')[0]);
    windows[f] = all[f].map(([a, b]) => [a, b].map((t) => `${stamps[stamps.indexOf(t.replace(/\.0+$/, '')) + shift]}.000000`) as [string, string]);
  }
  mkdirSync(join(root, 'labels'), { recursive: true });
  writeFileSync(join(root, 'labels/combined_windows.json'), JSON.stringify(windows));
  return root;
}

describe('vigil bench nab (three files, tiny models)', () => {
  const root = miniCorpus('mini');

  it('scores every row in [0, 1] with the probation at 0, writes NAB\'s layout, and the files score the same through vigil eval nab', async () => {
    const result = await runNab(TINY, { data: root, jobs: 1 });
    expect(result.files.map((f) => f.relPath)).toEqual(FILES);
    for (const [i, file] of result.files.entries()) {
      const { scores } = result.runs[i];
      const P = probationLength(file.values.length);
      expect(scores.length).toBe(file.values.length);
      expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
      expect(scores.subarray(0, P).every((s) => s === 0)).toBe(true);
      expect(scores.subarray(P).some((s) => s > 0)).toBe(true);
    }
    const std = result.score.profiles.standard.normalized;
    expect(std).toBeGreaterThan(-100);
    expect(std).toBeLessThanOrEqual(100);

    const folder = await writeNabResults(join(scratch, 'results'), TINY.name, result.files, result.runs);
    for (const file of result.files) {
      const lines = readFileSync(join(folder, file.category, `tiny_${file.name}.csv`), 'utf8').trimEnd().split('\n');
      const data = readFileSync(join(root, 'data', file.relPath), 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('timestamp,value,anomaly_score,label,raw_score');
      expect(lines.length).toBe(data.length); // one results row per data row, header for header
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(data.slice(1).map((l) => l.split(',')[0]));
    }
    const again = await evalNab({ results: folder, data: join(root, 'data'), labels: join(root, 'labels/combined_windows.json') });
    for (const [name, p] of Object.entries(result.score.profiles)) {
      expect(again.profiles[name].normalized).toBeCloseTo(p.normalized, 9);
      expect(again.profiles[name].threshold).toBe(p.threshold);
    }
  });

  it('gives identical scores in one thread or two, every run, and whatever the labels say', async () => {
    const one = await runNab(TINY, { data: root, jobs: 1 });
    const two = await runNab(TINY, { data: root, jobs: 2 });
    const moved = await runNab(TINY, { data: miniCorpus('moved', 300), jobs: 1 });
    const scores = (r: typeof one) => r.runs.map((x) => Array.from(x.scores));
    expect(scores(two)).toEqual(scores(one));
    expect(scores(moved)).toEqual(scores(one));
    expect(moved.score.profiles.standard.normalized).not.toBe(one.score.profiles.standard.normalized);
  });

  it('is causal: cutting the file after row k leaves the scores of rows before k unchanged', async () => {
    const [file] = await loadNabCorpus(root, (p) => p === FILES[1]);
    const n = 1600;
    const P = probationLength(file.values.length); // NAB's probation for the whole file, given
    const times = Float64Array.from(file.timestamps.slice(0, n), (t) => parseReplayTime(t)!);
    const full = await scoreNabSeries({ values: file.values.slice(0, n), times, probation: P }, TINY);
    for (const k of [P + 1, P + 17, 1000, n - 1]) {
      const cut = await scoreNabSeries({ values: file.values.slice(0, k), times: times.slice(0, k), probation: P }, TINY);
      expect(Array.from(cut.scores)).toEqual(Array.from(full.scores.subarray(0, k)));
      expect(Array.from(cut.raw)).toEqual(Array.from(full.raw.subarray(0, k)));
    }
  });
});

describe('the learning verdict\'s own likelihood (gateAveragingWindow)', () => {
  it('learns as the gate window says while reporting the averaging window\'s likelihood', async () => {
    const [file] = await loadNabCorpus(NAB, (p) => p === FILES[1]);
    const n = 2000;
    const input = { values: file.values.slice(0, n), times: Float64Array.from(file.timestamps.slice(0, n), (t) => parseReplayTime(t)!), probation: probationLength(file.values.length) };
    const withLikelihood = (averagingWindow: number, gateAveragingWindow: number | null): NabDetectorConfig => ({ ...TINY, likelihood: { ...TINY.likelihood, averagingWindow, gateAveragingWindow } });
    const ten = await scoreNabSeries(input, withLikelihood(10, null));
    const split = await scoreNabSeries(input, withLikelihood(15, 10));
    const fifteen = await scoreNabSeries(input, withLikelihood(15, null));
    // The raw scores depend only on what the members learned: the 10-row verdicts in both.
    expect(Array.from(split.raw)).toEqual(Array.from(ten.raw));
    expect(Array.from(split.raw)).not.toEqual(Array.from(fifteen.raw));
    // The reported scores are the 15-row likelihood's.
    expect(Array.from(split.scores)).not.toEqual(Array.from(ten.scores));
    expect(await scoreNabSeries(input, withLikelihood(15, 15))).toEqual(fifteen);
  });
});

describe('vigil bench nab --set', () => {
  it('changes one setting for the whole corpus and names what is wrong', () => {
    const c = nabConfigFromFlags({ detector: 'lstm', set: ['rawScale=3', 'spatial=null', 'members.0.hidden=8', 'members.0.inputs=["lag","diff"]', 'likelihood.averagingWindow=20'] });
    expect(c.rawScale).toBe(3);
    expect(c.spatial).toBeNull();
    expect(c.members[0]).toMatchObject({ hidden: 8, inputs: ['lag', 'diff'] });
    expect(c.likelihood.averagingWindow).toBe(20);
    expect(() => nabConfigFromFlags({ detector: 'lstm', set: ['rawscale=3'] })).toThrow(/'rawscale' is not a setting/);
    expect(() => nabConfigFromFlags({ detector: 'lstm', set: ['rawScale=three'] })).toThrow(/must be JSON/);
    expect(() => nabConfigFromFlags({ detector: 'lstm', set: ['rawScale="3"'] })).toThrow(/is a number/);
    expect(() => nabConfigFromFlags({ detector: 'lstm', set: [], name: 'my_lstm' })).toThrow(/cuts the name/);
  });
});
