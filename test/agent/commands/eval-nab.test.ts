// vigil eval nab as a child process: the real NAB corpus with results folders written here (the null
// and perfect detectors, in NAB's results-root layout), and a small NAB tree for the refusals.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const NAB = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'datasets', 'nab');
const DATA = join(NAB, 'data');
const LABELS = join(NAB, 'labels', 'combined_windows.json');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-eval-nab-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes <root>/<detector>/<category>/<detector>_<file>.csv for every data file, scores from `score`. */
function writeResults(root: string, dataDir: string, detector: string, score: (relPath: string, timestamps: string[], i: number) => string): void {
  for (const category of readdirSync(dataDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    for (const name of readdirSync(join(dataDir, category)).filter((n) => n.endsWith('.csv'))) {
      const lines = readFileSync(join(dataDir, category, name), 'utf8').trimEnd().split('\n').slice(1);
      const timestamps = lines.map((l) => l.split(',')[0]);
      const rows = lines.map((l, i) => `${l},${score(`${category}/${name}`, timestamps, i)},0`);
      mkdirSync(join(root, detector, category), { recursive: true });
      writeFileSync(join(root, detector, category, `${detector}_${name}`), `timestamp,value,anomaly_score,label\n${rows.join('\n')}\n`);
    }
  }
}

describe('vigil eval nab on the NAB corpus', () => {
  const results = join(tmp, 'results');
  beforeAll(() => {
    const windows = JSON.parse(readFileSync(LABELS, 'utf8')) as Record<string, [string, string][]>;
    writeResults(results, DATA, 'null', () => '0.5'); // NAB's null detector
    writeResults(results, DATA, 'perfect', (relPath, ts, i) => (windows[relPath].some(([start]) => start.startsWith(ts[i])) ? '1' : '0'));
  });

  it('the null detector: −116 / −116 / −232 raw and 0 normalised, optimised and at thresholds.json\'s', async () => {
    for (const extra of [[], ['--thresholds', join(NAB, 'config', 'thresholds.json')]]) {
      const r = await runCli(['eval', 'nab', '--results', join(results, 'null'), '--data', DATA, '--labels', LABELS, ...extra]);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.detector).toBe('null');
      expect(report.corpus).toEqual({ files: 58, rows: 365_558, scoredRows: 332_842, windows: 116 });
      expect(report.profiles.standard).toMatchObject({ raw: -116, normalized: 0, nullRaw: -116, perfect: 116, tp: 0, fp: 0 });
      expect(report.profiles.reward_low_FP_rate).toMatchObject({ raw: -116, normalized: 0 });
      expect(report.profiles.reward_low_FN_rate).toMatchObject({ raw: -232, normalized: 0 });
      expect(report.profiles.standard.perFile).toBeUndefined();
      expect(report.profiles.standard.threshold).toBe(extra.length ? 0.6250000000000001 : 1.1);
    }
  });

  it('the perfect detector from NAB\'s results root (--detector picks the folder): 100, with per-file rows under --verbose', async () => {
    const r = await runCli(['eval', 'nab', '--results', results, '--detector', 'perfect', '--data', DATA, '--labels', LABELS, '--profiles', join(NAB, 'config', 'profiles.json'), '--verbose']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.detector).toBe('perfect');
    for (const name of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
      const p = report.profiles[name];
      expect(p.threshold).toBe(1);
      expect(Math.abs(p.normalized - 100)).toBeLessThan(1e-9);
      expect(Math.abs(p.raw - 116)).toBeLessThan(1e-9);
      expect(p.perFile).toHaveLength(58);
      expect(p.perFile.reduce((s: number, f: { total: number }) => s + f.total, 0)).toBe(332_842);
    }
    const taxi = report.profiles.standard.perFile.find((f: { file: string }) => f.file === 'realKnownCause/nyc_taxi.csv');
    expect(taxi).toMatchObject({ threshold: 1, score: 5, tp: 5, fp: 0 }); // five windows, each caught at its first row
  });

  it('NAB\'s results root without --detector: names the detectors found', async () => {
    const r = await runCli(['eval', 'nab', '--results', results, '--data', DATA, '--labels', LABELS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NAB's results root, with detectors null, perfect: pass --detector NAME/);
  });
});

describe('vigil eval nab refuses bad inputs (exit 2, naming file and line)', () => {
  const nab = join(tmp, 'mini');
  const data = join(nab, 'data');
  const labels = join(nab, 'combined_windows.json');
  const stamp = (i: number): string => `2020-01-01 ${String(Math.floor(i / 12)).padStart(2, '0')}:${String((i % 12) * 5).padStart(2, '0')}:00`;
  const writeFile = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  /** A fresh results folder for detector `det`, `edit` changing the lines of file a's results. */
  const results = (name: string, edit: (lines: string[]) => string[] = (l) => l, det = 'det'): string => {
    const dir = join(nab, name);
    writeResults(dir, data, det, (_relPath, _ts, i) => (i === 11 ? '0.9' : '0.1'));
    const a = join(dir, det, 'cat', `${det}_a.csv`);
    writeFileSync(a, edit(readFileSync(a, 'utf8').split('\n')).join('\n'));
    return join(dir, det);
  };
  const run = (resultsDir: string, extra: string[] = []) => runCli(['eval', 'nab', '--results', resultsDir, '--data', data, '--labels', labels, ...extra]);

  beforeAll(() => {
    for (const f of ['a', 'b']) writeFile(join(data, 'cat', `${f}.csv`), `timestamp,value\n${Array.from({ length: 20 }, (_, i) => `${stamp(i)},${i}`).join('\n')}\n`);
    writeFile(labels, JSON.stringify({ 'cat/a.csv': [[`${stamp(10)}.000000`, `${stamp(13)}.000000`]], 'cat/b.csv': [] }));
  });

  it('a good mini corpus scores (the baseline for the cases below)', async () => {
    const r = await run(results('good'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).profiles.standard.threshold).toBe(0.9);
  });

  it('two detectors\' files in one folder: --detector picks one', async () => {
    const root = join(nab, 'two');
    writeResults(root, data, 'det', () => '0.1');
    writeResults(root, data, 'other', () => '0');
    const both = join(root, 'both');
    for (const det of ['det', 'other']) {
      for (const f of ['a', 'b']) writeFile(join(both, 'cat', `${det}_${f}.csv`), readFileSync(join(root, det, 'cat', `${det}_${f}.csv`), 'utf8'));
    }
    const r = await run(both);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/results of several detectors \(det, other\): pass --detector/);
    const picked = await run(both, ['--detector', 'other']);
    expect(picked.code, picked.stderr).toBe(0);
    expect(JSON.parse(picked.stdout).detector).toBe('other');
  });

  it('a missing results file', async () => {
    const dir = results('missing');
    rmSync(join(dir, 'cat', 'det_b.csv'));
    const r = await run(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing results for 1 of 2 data files: .*det_b\.csv/);
  });

  it('a row count that differs from the data file', async () => {
    const r = await run(results('short', (l) => l.filter((_, k) => k !== 5)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/det_a\.csv: 19 rows, but its data file cat\/a\.csv has 20/);
  });

  it('an anomaly_score outside [0, 1], and one that is not a number', async () => {
    const high = await run(results('high', (l) => l.map((x, k) => (k === 4 ? x.replace(',0.1,', ',1.5,') : x))));
    expect(high.code).toBe(2);
    expect(high.stderr).toMatch(/det_a\.csv:5: anomaly_score 1\.5 is outside \[0, 1\], which NAB refuses \(data row 3, 2020-01-01 00:15:00\)/);
    const bad = await run(results('nan', (l) => l.map((x, k) => (k === 7 ? x.replace(',0.1,', ',abc,') : x))));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/det_a\.csv:8: anomaly_score "abc" is not a number/);
    const empty = await run(results('empty', (l) => l.map((x, k) => (k === 2 ? x.replace(',0.1,', ',,') : x))));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/det_a\.csv:3: anomaly_score "" is not a number/);
  });

  it('no anomaly_score column', async () => {
    const r = await run(results('nocol', (l) => l.map((x, k) => (k === 0 ? 'timestamp,value,score,label' : x))));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/det_a\.csv:1: no anomaly_score column/);
  });

  it('a thresholds file without the detector, and labels whose boundary is not in the data', async () => {
    const thresholds = join(nab, 'thresholds.json');
    writeFileSync(thresholds, JSON.stringify({ other: { standard: { threshold: 0.5, score: 0 } } }));
    const t = await run(results('thr'), ['--thresholds', thresholds]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/no thresholds for detector 'det' \(it has: other\)/);
    const badLabels = join(nab, 'bad-labels.json');
    writeFileSync(badLabels, JSON.stringify({ 'cat/a.csv': [['2020-01-01 00:52:00.000000', `${stamp(13)}.000000`]], 'cat/b.csv': [] }));
    const l = await runCli(['eval', 'nab', '--results', results('lab'), '--data', data, '--labels', badLabels]);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/cat\/a\.csv: window \[2020-01-01 00:52:00\.000000, .*\]: 2020-01-01 00:52:00\.000000 is the timestamp of no row/);
  });

  it('a missing option or folder', async () => {
    const r = await runCli(['eval', 'nab', '--data', data, '--labels', labels]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '--results <dir>'/);
    const gone = await run(join(nab, 'nowhere'));
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/nowhere: not a directory/);
  });

  it('--help explains the procedure and exits 0', async () => {
    const r = await runCli(['eval', 'nab', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/anomaly_score >= the threshold/);
  });
});
