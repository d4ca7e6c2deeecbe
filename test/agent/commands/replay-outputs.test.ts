// vigil replay's outputs as files, from outside: --out DIR (alerts.jsonl, scores.csv, metrics.json),
// --report .html, byte-identical across runs and speeds, and the input adapters (NAB with --labels,
// SKAB's ';' and label columns, a capture of raw MQTT messages).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../../agent/replay/replay-report.js';
import { NAB, NAB_WINDOWS, trainNabModel } from '../replay/nab-fixture.js';
import { makeSimFixture, type SimFixture } from '../replay/sim-fixture.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SKAB = '/work/shared/datasets/skab/data/valve1/1.csv';

let fx: SimFixture;
let nabModel: string;
beforeAll(async () => {
  fx = await makeSimFixture(dir);
  nabModel = await trainNabModel(dir);
});

const read = (...p: string[]): string => readFileSync(join(dir, ...p), 'utf8');
const csvRows = (text: string): string[][] => text.trim().split('\n').map((l) => l.split(','));

describe.concurrent('vigil replay --out DIR --report FILE.html', () => {
  it('writes alerts.jsonl, scores.csv and metrics.json, and the HTML report: the same bytes on every run', async () => {
    const args = (n: number) => ['replay', fx.log, '--model', fx.model, '--out', join(dir, `run-${n}`), '--report', join(dir, `run-${n}.html`)];
    const [one, two] = await Promise.all([runCli(args(1)), runCli(args(2))]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.stdout).toBe(''); // the alerts went to the directory
    expect(readdirSync(join(dir, 'run-1')).sort()).toEqual(['alerts.jsonl', 'metrics.json', 'scores.csv']);
    for (const f of ['alerts.jsonl', 'scores.csv', 'metrics.json']) expect(read('run-2', f)).toBe(read('run-1', f));
    expect(read('run-2.html')).toBe(read('run-1.html'));
    expect(one.stderr).toMatch(/^ {2}outputs: {3}.*run-1: alerts\.jsonl, scores\.csv, metrics\.json$/m);
    expect(one.stderr).toMatch(/^ {2}report: {4}.*run-1\.html$/m);

    // scores.csv: one row per scored window, the decider's verdict counts, one event per alert.
    const report = JSON.parse(read('run-1', 'metrics.json')) as ReplayReport;
    const [header, ...rows] = csvRows(read('run-1', 'scores.csv'));
    const channels = ['vibration', 'current', 'temperature', 'pressure', 'flow'];
    expect(header).toEqual(['time', 'machine', 'score', ...channels.map((c) => `score.${c}`), 'warning', 'critical', 'verdict', 'event', 'episode', ...channels.map((c) => `value.${c}`)]);
    expect(rows).toHaveLength(report.total.scored);
    const col = (name: string) => header.indexOf(name);
    const verdicts: Record<string, number> = { normal: 0, anomalous: 0, learning: 0, invalid: 0 };
    for (const r of rows) verdicts[r[col('verdict')]]++;
    expect(verdicts).toEqual((report.pipeline.decisions as { windows: Record<string, number> }).windows);
    const alerts = read('run-1', 'alerts.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { id: string; state: string; time: string });
    expect(rows.filter((r) => r[col('event')] !== '').map((r) => [r[col('event')], r[col('episode')], r[col('time')]])).toEqual(alerts.map((a) => [a.state, a.id, a.time]));
    expect(rows.every((r) => Number(r[col('warning')]) > 0 && Number(r[col('critical')]) >= Number(r[col('warning')]))).toBe(true);

    // metrics.json: the report document with the sample metrics and their definitions' method.
    expect(report.schema).toBe('vigil.replay-report/1');
    expect(report.labels).toEqual({ kind: 'columns' });
    expect(report.nab).toBeNull();
    expect(report.total.evaluation).toMatchObject({ segments: 1, segmentsDetected: 1, labelledSamples: 4320, anomalousSamples: 240 });
    for (const k of ['samplePrecision', 'sampleRecall', 'sampleF1', 'falseAlarmRate', 'missedAlarmRate', 'falseAlarmsPerDay'] as const) expect(typeof report.total.evaluation![k]).toBe('number');
    expect(report.total.evaluation!.labelledDays).toBeCloseTo(2 * (6 * 3600 - 10) / 86_400, 9);
  });

  it('--data is the same log as LOG, and --config with model.path is the same model as --model', async () => {
    const config = join(dir, 'with-model.yaml');
    writeFileSync(config, `model: { path: ${JSON.stringify(fx.model)} }\n`);
    const [positional, alias, configured] = await Promise.all([
      runCli(['replay', fx.log, '--model', fx.model, '--out', join(dir, 'pos'), '--no-progress']),
      runCli(['replay', '--data', fx.log, '--model', fx.model, '--out', join(dir, 'alias'), '--no-progress']),
      runCli(['replay', fx.log, '--config', config, '--out', join(dir, 'configured'), '--no-progress']),
    ]);
    for (const r of [positional, alias, configured]) expect(r.code).toBe(0);
    for (const d of ['alias', 'configured']) {
      expect(read(d, 'alerts.jsonl')).toBe(read('pos', 'alerts.jsonl'));
      expect(read(d, 'scores.csv')).toBe(read('pos', 'scores.csv'));
    }
    expect(positional.stderr).not.toMatch(/replay: \d+%/); // --no-progress
    expect(configured.stderr).toMatch(/settings: {2}.*with-model\.yaml;/);
  });

  it('NAB: a timestamp,value file with --labels combined_windows.json gets the NAB score in three profiles, and its windows shaded', async () => {
    const r = await runCli(['replay', NAB, '--model', nabModel, '--labels', NAB_WINDOWS, '--out', join(dir, 'nab'), '--report', join(dir, 'nab.html')]);
    expect(r.code).toBe(0);
    const report = JSON.parse(read('nab', 'metrics.json')) as ReplayReport;
    expect(report.labels).toEqual({ kind: 'windows', file: NAB_WINDOWS, format: 'nab', key: 'realKnownCause/rogue_agent_key_hold.csv' });
    const rows = readFileSync(NAB, 'utf8').trim().split('\n').length - 1;
    expect(report.total.evaluation).toMatchObject({ labelledSamples: rows, segments: 2 });
    const nab = report.nab!;
    expect(nab.error).toBeNull();
    // NAB's windows, on rows of the file: the same instants as combined_windows.json's.
    const windows = (JSON.parse(readFileSync(NAB_WINDOWS, 'utf8')) as Record<string, string[][]>)['realKnownCause/rogue_agent_key_hold.csv'];
    expect(nab.files).toEqual([{ file: 'realKnownCause/rogue_agent_key_hold.csv', machine: 'rogue_agent_key_hold', rows, windows: windows.map((w) => w.map((t) => t.replace(/000$/, ''))) }]);
    for (const rule of ['alerts', 'warning', 'optimized'] as const) {
      expect(Object.keys(nab.rules![rule])).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
      for (const p of Object.values(nab.rules![rule])) expect(p.normalized).toBeLessThanOrEqual(100);
    }
    expect(r.stderr).toMatch(/^ {2}NAB score \(normalised; standard \/ reward_low_FP_rate \/ reward_low_FN_rate\):\n {4}alerts +-?[\d.]+ \/ -?[\d.]+ \/ -?[\d.]+$/m);
    const html = read('nab.html');
    expect(html).toMatch(/<table id="nab-table">/);
    expect(html).toContain('entry <code>realKnownCause/rogue_agent_key_hold.csv</code>');
  });

  it("SKAB: ';'-separated with its anomaly column as labels, fed to a model through --channels", async () => {
    const r = await runCli(['replay', SKAB, '--model', fx.model, '--channels', 'Accelerometer1RMS,Current,Temperature,Pressure,Volume_Flow_RateRMS', '--out', join(dir, 'skab'), '--no-progress']);
    expect(r.code).toBe(0);
    const report = JSON.parse(read('skab', 'metrics.json')) as ReplayReport;
    const lines = readFileSync(SKAB, 'utf8').trim().split('\n').slice(1).map((l) => l.split(';'));
    expect(report.log).toMatchObject({ rows: lines.length, badLines: 0 });
    expect(report.total.evaluation).toMatchObject({ labelledSamples: lines.length, anomalousSamples: lines.filter((c) => Number(c[9]) === 1).length });
    expect(report.model.logChannels).toEqual(['Accelerometer1RMS', 'Current', 'Temperature', 'Pressure', 'Volume_Flow_RateRMS']);
  });

  it('a capture of raw MQTT messages {topic, payload, ts} replays to the same alerts and scores as the log it carries', async () => {
    // The simulator CSV as the wire carried it: one message per channel per row, payload verbatim.
    const [head, ...rows] = csvRows(readFileSync(fx.log, 'utf8'));
    const channels = head.slice(2, 7);
    const capture: string[] = [];
    for (const r of rows) {
      const ts = Date.parse(r[0]);
      channels.forEach((ch, k) => {
        if (r[2 + k] !== '') capture.push(JSON.stringify({ topic: `plant/${r[1]}/${ch}`, payload: `{"ts":${ts},"value":${JSON.stringify(Number(r[2 + k]))}}`, ts: ts + 37 }));
      });
    }
    writeFileSync(join(dir, 'capture.jsonl'), `${capture.join('\n')}\n`);
    const [fromCsv, fromCapture] = await Promise.all([
      runCli(['replay', fx.log, '--model', fx.model, '--out', join(dir, 'from-csv'), '--no-progress']),
      runCli(['replay', join(dir, 'capture.jsonl'), '--model', fx.model, '--out', join(dir, 'from-capture'), '--no-progress']),
    ]);
    expect(fromCsv.code).toBe(0);
    expect(fromCapture.code).toBe(0);
    expect(read('from-capture', 'alerts.jsonl').length).toBeGreaterThan(0);
    expect(read('from-capture', 'alerts.jsonl')).toBe(read('from-csv', 'alerts.jsonl'));
    expect(read('from-capture', 'scores.csv')).toBe(read('from-csv', 'scores.csv'));
  });

  it('--speed N paces the replay at N times the log\'s time and changes nothing it says', async () => {
    // 150 NAB rows at 5 min: 12.4 h of log; at 20000× that is at least 2.2 s of wall time.
    const head = join(dir, 'paced.csv');
    writeFileSync(head, readFileSync(NAB, 'utf8').split('\n').slice(0, 151).join('\n'));
    const started = Date.now();
    const paced = await runCli(['replay', head, '--model', nabModel, '--speed', '20000', '--out', join(dir, 'paced'), '--no-progress']);
    const wall = Date.now() - started;
    const fast = await runCli(['replay', head, '--model', nabModel, '--speed', 'max', '--out', join(dir, 'fast'), '--no-progress']);
    expect(paced.code).toBe(0);
    expect(fast.code).toBe(0);
    expect(wall).toBeGreaterThanOrEqual((149 * 300_000) / 20_000);
    for (const f of ['alerts.jsonl', 'scores.csv', 'metrics.json']) expect(read('paced', f)).toBe(read('fast', f));
  });

  it('bad outputs, speeds, labels and missing inputs: exit code 2 naming the fault, and nothing written', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const results = await Promise.all([
      runCli(['replay', fx.log, '--model', fx.model, '--report', join(dir, 'report.txt')]),
      runCli(['replay', fx.log, '--model', fx.model, '--speed', '0']),
      runCli(['replay', fx.log, '--model', fx.model, '--labels', join(dir, 'absent.json')]),
      runCli(['replay', fx.log, '--model', fx.model, '--labels', NAB_WINDOWS]),
      runCli(['replay', '--model', fx.model]),
      runCli(['replay', fx.log, '--data', SKAB, '--model', fx.model]),
      runCli(['replay', fx.log]),
      runCli(['replay', fx.log, '--model', fx.model, '--out', join(dir, 'a-file')]),
      runCli(['replay', fx.log, '--model', join(dir, 'absent.onnx'), '--out', join(dir, 'never-made')]),
    ]);
    const expected = [
      /--report .*report\.txt: name an \.html file \(the HTML report\) or a \.json file \(the JSON report\)/,
      /option '--speed <max\|N>' argument '0' is invalid\. expected 'max' or a number > 0/,
      /absent\.json: cannot read the label windows \(--labels\): it does not exist/,
      /--labels .*combined_windows\.json: no entry for .*plant\.csv/,
      /no log: vigil replay LOG --model FILE/,
      /two logs given/,
      /no model: give --model FILE, or --config FILE whose model\.path names one/,
      /--out .*a-file: a file, not a directory/,
      /absent\.onnx/,
    ];
    results.forEach((r, i) => {
      expect(r.stderr).toMatch(expected[i]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    });
    expect(readdirSync(dir)).not.toContain('never-made'); // a refused replay leaves no empty output directory
  });
});
