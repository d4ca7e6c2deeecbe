// vigil replay with decision.likelihood on a NAB file: the live pipeline decides on the anomaly
// likelihood (the first 200 windows learning), raises alerts judged against the likelihood levels
// while carrying the raw score, and gives the same bytes on every run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../../agent/replay/replay-report.js';
import { runCli } from '../commands/run-cli.js';
import { NAB, NAB_WINDOWS, trainNabModel } from './nab-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-likelihood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let model: string;

beforeAll(async () => {
  model = await trainNabModel(dir);
  writeFileSync(join(dir, 'likelihood.yaml'), 'decision:\n  likelihood: { averagingWindow: 10, historicWindow: 2000, learningWindows: 100, estimationWindows: 100, reestimationPeriod: 100, redFilter: false }\n');
});

const read = (...p: string[]): string => readFileSync(join(dir, ...p), 'utf8');

describe('vigil replay with decision.likelihood', () => {
  it('alerts on the likelihood, the same bytes on every run', async () => {
    const args = (n: number) => ['replay', NAB, '--model', model, '--config', join(dir, 'likelihood.yaml'), '--out', join(dir, `run-${n}`), '--no-progress'];
    const [one, two] = await Promise.all([runCli(args(1)), runCli(args(2))]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    for (const f of ['alerts.jsonl', 'scores.csv', 'metrics.json']) expect(read('run-2', f), f).toBe(read('run-1', f));
    const alerts = read('run-1', 'alerts.jsonl').trim().split('\n').map((l) => JSON.parse(l) as { state: string; severity: string; score: number; threshold: number; likelihood: number });
    const raised = alerts.filter((a) => a.state === 'raised');
    expect(raised.length).toBeGreaterThan(0);
    for (const a of raised) expect(a.threshold).toBe(a.severity === 'critical' ? 0.5 : 0.4); // the likelihood levels …
    expect(raised.some((a) => a.score !== a.threshold && a.score > 0)).toBe(true); // … beside the raw score
    for (const a of raised) expect(a.likelihood).toBeGreaterThan(a.threshold); // what was judged, published
    const report = JSON.parse(read('run-1', 'metrics.json')) as ReplayReport;
    expect((report.pipeline.decisions as { windows: Record<string, number> }).windows.learning).toBe(200);
  });

  it('shows what was judged: the likelihood column in scores.csv, NAB rules on the likelihood, the report lane', async () => {
    const out = join(dir, 'judged');
    const r = await runCli(['replay', NAB, '--model', model, '--config', join(dir, 'likelihood.yaml'), '--labels', NAB_WINDOWS, '--out', out, '--report', join(dir, 'judged-report.html'), '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...lines] = read('judged', 'scores.csv').trim().split('\n');
    const cols = header.split(',');
    const at = (name: string): number => cols.indexOf(name);
    expect(at('likelihood')).toBeGreaterThan(at('score'));
    const rows = lines.map((l) => l.split(','));
    const judged = rows.filter((c) => c[at('verdict')] !== 'learning').map((c) => Number(c[at('likelihood')]));
    expect(judged.length).toBeGreaterThan(0);
    for (const v of judged) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    expect(rows.every((c) => c[at('warning')] === '' || c[at('warning')] === '0.4')).toBe(true);
    // The 'warning' rule maps the judged value by the judged levels: its detections are rows whose
    // likelihood reached 0.4 (raw scores over the likelihood levels made nearly every row one).
    const above = rows.filter((c) => Number(c[at('likelihood')]) >= 0.4).length;
    const report = JSON.parse(read('judged', 'metrics.json')) as ReplayReport;
    const warning = report.nab!.rules!.warning.standard;
    expect(warning.tp + warning.fp).toBeGreaterThan(0);
    expect(warning.tp + warning.fp).toBeLessThanOrEqual(above);
    expect(above).toBeLessThan(rows.length / 10);
    const html = read('judged-report.html');
    expect(html).toContain('"judged":"likelihood"');
  });
});
