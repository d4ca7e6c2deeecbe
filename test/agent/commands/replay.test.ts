import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../../agent/replay/replay-report.js';
import { makeSimFixture, type SimFixture } from '../replay/sim-fixture.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SKAB = '/work/shared/datasets/skab/data/valve1/1.csv';

let fx: SimFixture;
beforeAll(async () => {
  fx = await makeSimFixture(dir);
});

const readReport = (path: string): ReplayReport => JSON.parse(readFileSync(path, 'utf8')) as ReplayReport;

describe.concurrent('vigil replay (child process)', () => {
  it('replays a `vigil simulate --out` JSONL log: the same alerts file and report on every run, alerts in vigil.alert/1, a summary on stderr', async () => {
    const log = join(dir, 'sim.jsonl');
    const sim = await runCli(['simulate', '--out', log, '--machines', '2', '--interval-ms', '10000', '--hours', '6', '--seed', '7', '--fault', 'pump-02:cavitation@4h+2m~40m']);
    expect(sim.code).toBe(0);
    const args = (n: number) => ['replay', '--data', log, '--model', fx.model, '--out', join(dir, `sim-${n}.jsonl`), '--report', join(dir, `sim-${n}.json`)];
    const [one, two] = await Promise.all([runCli(args(1)), runCli(args(2))]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.stdout).toBe('');
    const alerts = readFileSync(join(dir, 'sim-1.jsonl'), 'utf8');
    expect(readFileSync(join(dir, 'sim-2.jsonl'), 'utf8')).toBe(alerts);
    expect(readFileSync(join(dir, 'sim-2.json'), 'utf8')).toBe(readFileSync(join(dir, 'sim-1.json'), 'utf8'));

    const events = alerts.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(Object.keys(e)).toEqual(['schema', 'id', 'eventId', 'seq', 'machineId', 'state', 'severity', 'score', 'threshold', 'topChannels', 'time', 'startedAt', 'receivedAt', 'model']);
      expect(e.schema).toBe('vigil.alert/1');
      expect(e.receivedAt).toBe(e.time); // event time, not the wall clock
    }
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1)); // one machine alerts here, in order

    const report = readReport(join(dir, 'sim-1.json'));
    expect(report.schema).toBe('vigil.replay-report/1');
    expect(report.log).toMatchObject({ format: 'jsonl', rows: 4320, messages: 4320, badLines: 0 });
    expect(report.machines['pump-01'].episodes).toBe(0);
    expect(report.machines['pump-02'].evaluation).toMatchObject({ segments: 1, segmentsDetected: 1 });
    expect(report.total.alertEvents.raised + report.total.alertEvents.updated + report.total.alertEvents.cleared).toBe(events.length);

    expect(one.stderr).toMatch(/^replay .*sim\.jsonl: 4320 rows, 4320 messages, 0 bad lines$/m);
    expect(one.stderr).toMatch(/note: sampling\.periodMs 10000 \(10 s\): derived from the log's median timestamp step/);
    expect(one.stderr).toMatch(/evaluation \(vigil-episode-overlap\/1; Vigil's own measures, not the NAB score; see --help\):\n    total      segments detected 1\/1, median delay [\d.]+ min, false alarm episodes \d+ \([\d.]+\/day\), samples P [\d.]+ R [\d.]+ F1 [\d.]+ FAR [\d.]+ MAR [\d.]+/);
    expect(one.stderr).toMatch(/^    pump-01 +segments detected 0\/0, false alarm episodes 0 \(0\.00\/day\), samples P n\/a R n\/a F1 n\/a FAR 0\.000 MAR n\/a$/m);
    // Not a terminal: progress as a line per tenth of the log, before the summary.
    expect(one.stderr).toMatch(/^replay: 10% \(event time 2024-01-01T00:35:59\.000Z\)\n(?:replay: \d+% .*\n){8}replay: 100% .*\nreplay .*sim\.jsonl: 4320 rows/m);
  });

  it('without --out the alerts go to stdout, the same bytes as --out writes', async () => {
    const [toStdout, toFile] = await Promise.all([
      runCli(['replay', '--data', fx.log, '--model', fx.model]),
      runCli(['replay', '--data', fx.log, '--model', fx.model, '--out', join(dir, 'csv.jsonl')]),
    ]);
    expect(toStdout.code).toBe(0);
    expect(toFile.code).toBe(0);
    expect(toStdout.stdout.length).toBeGreaterThan(0);
    expect(toStdout.stdout).toBe(readFileSync(join(dir, 'csv.jsonl'), 'utf8'));
    expect(toStdout.stderr).toMatch(/→ stdout$/m);
  });

  it('bad lines are counted and shown with their line numbers, never fatal', async () => {
    const lines = readFileSync(fx.log, 'utf8').split('\n');
    lines.splice(101, 0, '2024-01-01T00:08:20.000Z,pump-01,oops,1,2,3,4,0,,0');
    lines.splice(201, 0, 'not,a,row');
    lines.splice(301, 0, 'yesterday,pump-02,1,2,3,4,5,0,,0');
    const log = join(dir, 'damaged.csv');
    writeFileSync(log, lines.join('\n'));
    const r = await runCli(['replay', '--data', log, '--model', fx.model, '--report', join(dir, 'damaged.json'), '--out', join(dir, 'damaged.jsonl')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/4320 rows, 21600 messages, 3 bad lines \(1 non-numeric, 1 column-count, 1 bad-timestamp\)/);
    expect(r.stderr).toMatch(/bad lines \(first ones\):\n    line 102: non-numeric: channel 'vibration' is "oops"[^\n]*\n    line 202: column-count: 3 fields, the header has 10\n    line 302: bad-timestamp/);
    expect(readReport(join(dir, 'damaged.json')).log).toMatchObject({ badLines: 3, badByReason: { 'non-numeric': 1, 'column-count': 1, 'bad-timestamp': 1 } });
  });

  it('a bad model, log, channel list or option: exit code 2 with the reason', async () => {
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'not a model');
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, 'decision: { raise: { k: 4, n: 3 } }\n');
    const [model, log, channels, count, learning, config, outDir] = await Promise.all([
      runCli(['replay', '--data', fx.log, '--model', garbage]),
      runCli(['replay', '--data', join(dir, 'absent.csv'), '--model', fx.model]),
      runCli(['replay', '--data', SKAB, '--model', fx.model]),
      runCli(['replay', '--data', fx.log, '--model', fx.model, '--channels', 'vibration']),
      runCli(['replay', '--data', fx.log, '--model', fx.model, '--learning', 'worker']),
      runCli(['replay', '--data', fx.log, '--model', fx.model, '--config', badConfig]),
      runCli(['replay', '--data', fx.log, '--model', fx.model, '--out', join(dir, 'no', 'such', 'a.jsonl')]),
    ]);
    expect(model.stderr).toMatch(/garbage\.onnx: not a readable ONNX model/);
    expect(log.stderr).toMatch(/absent\.csv: cannot read the log: it does not exist/);
    expect(channels.stderr).toMatch(/1\.csv does not carry the model's channels 'vibration', 'current', 'temperature', 'pressure', 'flow': the model's channels are \[vibration, current, temperature, pressure, flow\]; the log's are \[Accelerometer1RMS, Accelerometer2RMS, Current, Pressure, Temperature, Thermocouple, Voltage, Volume_Flow_RateRMS\]; pass --channels/);
    expect(count.stderr).toMatch(/--channels names 1 log column \(vibration\) but the model takes 5/);
    expect(learning.stderr).toMatch(/argument 'worker' is invalid\. Allowed choices are off, inline/);
    expect(config.stderr).toMatch(/decision: raise\.k \(4\) cannot exceed raise\.n \(3\)/);
    expect(outDir.stderr).toMatch(/--out .*: the directory .*no\/such does not exist or is not writable/);
    for (const r of [model, log, channels, count, learning, config, outDir]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
  });

  it('--help states the evaluation definitions, the NAB mapping and the outputs', async () => {
    const r = await runCli(['replay', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: vigil replay \[options\] \[log\]$/m);
    expect(r.stdout).toMatch(/\(vigil-episode-overlap\/1: Vigil's own measures, sample level; NOT SKAB's\s+changepoint score\)/);
    for (const term of ['episode', 'sample', 'segment', 'detected', 'delay', 'false alarm', 'sample P/R/F1', 'FAR / MAR', 'false alarms/day']) expect(r.stdout).toMatch(new RegExp(`^  ${term.replace('/', '\\/')} +\\S`, 'm'));
    expect(r.stdout).toMatch(/anomaly_score of a row = min\(1, score \/ warning threshold in force\)/);
    expect(r.stdout).toMatch(/--out DIR +alerts\.jsonl .*scores\.csv/);
    expect(r.stdout).toMatch(/\{"topic":"\.\.\.","payload":<the payload, a string or JSON>,"ts":<receive time>\}/);
  });
});
