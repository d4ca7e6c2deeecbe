import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLogSamples } from '../../../agent/source/log-samples.js';
import { detectorFromParts } from '../../../models/create-detector.js';
import { loadModel, statePath } from '../../../models/persistence/index.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SKAB = '/work/shared/datasets/skab/data/valve1/0.csv';

describe.concurrent('vigil train', () => {
  it('on a SKAB file: progress per epoch on stderr, a summary, and a loadable model whose scores are finite', async () => {
    const out = join(dir, 'skab.onnx');
    const r = await runCli(['train', '--data', SKAB, '--model', 'lstm-forecaster', '--window', '11', '--epochs', '2', '--stride', '2', '--seed', '3', '--name', 'valve1', '--out', out]);
    expect(r.stderr).toMatch(/0\.csv: 1147 rows, 8 channels, 1 machine → 2 series/);
    expect(r.stderr).toMatch(/left out 402 rows labelled anomalous/);
    // stderr is not a terminal here: one line per epoch, with the validation loss.
    expect(r.stderr.match(/^epoch [12]\/2  loss [\d.e-]+  val_loss [\d.e-]+$/gm)).toHaveLength(2);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trained lstm-forecaster 'valve1' version 1\.0/);
    expect(r.stdout).toMatch(/windows: +\d+ of 11 samples \(\d+ held out/);
    expect(r.stdout).toMatch(/epochs: +2 \(all epochs\)/);
    expect(r.stdout).toMatch(/final loss: +train [\d.]+, validation [\d.]+/);
    expect(r.stdout).toMatch(/calibration: +p50 [\d.]+, p90 [\d.]+, p95 [\d.]+, p99 [\d.]+, p99\.9 [\d.]+, max [\d.]+/);
    expect(r.stdout).toContain(`saved:       ${out}`);
    expect(existsSync(statePath(out))).toBe(true);

    const loaded = await loadModel(out);
    expect(loaded.kind).toBe('vigil');
    if (loaded.kind !== 'vigil') return;
    expect(loaded.parts.optimizer?.kind).toBe('adam');
    const detector = detectorFromParts(loaded.parts);
    const samples = await loadLogSamples(SKAB);
    expect(detector.meta.channels).toEqual(samples.channels);
    const W = detector.meta.windowSize;
    const C = samples.channels.length;
    const s = samples.series[0];
    const batch = Math.floor(s.length / W);
    const scores = detector.score(s.data.slice(0, batch * W * C), batch);
    expect(scores.total.length).toBe(batch);
    expect(scores.total.every(Number.isFinite)).toBe(true);
    expect(scores.perChannel.every(Number.isFinite)).toBe(true);
  });

  it('skips NaN and non-numeric rows with a warning; trains on the rest', async () => {
    const rows = ['timestamp;a;b;label'];
    for (let t = 0; t < 80; t++) {
      const a = t === 7 ? 'NaN' : t === 9 ? 'oops' : String(Math.sin(t / 5));
      rows.push(`2024-01-01 00:${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')};${a};${Math.cos(t / 7)};0`);
    }
    const data = join(dir, 'noisy.csv');
    writeFileSync(data, rows.join('\n'));
    const out = join(dir, 'noisy.onnx');
    const r = await runCli(['train', '--data', data, '--model', 'dense-ae', '--window', '8', '--epochs', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: skipped 2 of 80 rows \(2 non-numeric\); first ones:\n  line 9: non-numeric: channel 'a' is "NaN"/);
    expect(r.stdout).toMatch(/78 samples in 1 series \(1 machine\), 2 channels: a, b/);
    expect((await loadModel(out)).kind).toBe('vigil');
  });

  it('bad arguments: exit code 2 naming the option or the data', async () => {
    const out = join(dir, 'never.onnx');
    const [tooLong, badModel, badEpochs, noFile, horizon, noDir] = await Promise.all([
      runCli(['train', '--data', SKAB, '--model', 'dense-ae', '--window', '5000', '--out', out]),
      runCli(['train', '--data', SKAB, '--model', 'transformer', '--out', out]),
      runCli(['train', '--data', SKAB, '--model', 'dense-ae', '--epochs', '0', '--out', out]),
      runCli(['train', '--data', join(dir, 'absent.csv'), '--model', 'dense-ae', '--out', out]),
      runCli(['train', '--data', SKAB, '--model', 'conv-ae', '--horizon', '2', '--out', out]),
      runCli(['train', '--data', SKAB, '--model', 'dense-ae', '--out', join(dir, 'no', 'such', 'm.onnx')]),
    ]);
    expect(tooLong.stderr).toMatch(/no run of 5000 consecutive normal samples to make a window from \(the longest has 573\); lower --window/);
    expect(badModel.stderr).toMatch(/argument 'transformer' is invalid\. Allowed choices are lstm-forecaster, dense-ae, lstm-ae, conv-ae/);
    expect(badEpochs.stderr).toMatch(/option '--epochs <n>' argument '0' is invalid\. expected an integer >= 1/);
    expect(noFile.stderr).toMatch(/absent\.csv: cannot read the log: it does not exist/);
    expect(horizon.stderr).toMatch(/--horizon is for lstm-forecaster/);
    expect(noDir.stderr).toMatch(/the directory .*no\/such does not exist or is not writable/);
    for (const r of [tooLong, badModel, badEpochs, noFile, horizon, noDir]) expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
