// The SKAB runner end to end on three real files with tiny training (a smoke test: the bench
// itself takes minutes): predictions for every test row, metrics computed, the streaming run
// learning only from windows the decider judged normal; and no test-label information reaching
// fitting or deciding: shuffling the test parts' labels (in a copy of the files) changes the
// metrics but not one prediction or score. Same seed, same predictions, in one thread or two.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import type { SkabConfig } from '../../../agent/bench/skab-config.js';
import { loadSkabFile } from '../../../agent/bench/skab-data.js';
import { protocolInput, runSkabFile } from '../../../agent/bench/skab-protocol.js';
import { runSkab } from '../../../agent/bench/skab-run.js';

const DATA = join(import.meta.dirname, '../../../../shared/datasets/skab/data');
const FILES = ['valve1/3', 'valve2/1', 'other/13'];

/** Small and quick: a row autoencoder and a short forecaster, one epoch each. */
const CONFIG: SkabConfig = {
  name: 'smoke',
  differenceSlowAbove: 0.6,
  members: [
    { architecture: 'dense-ae', create: { windowSize: 1, hidden: 6, bottleneck: 3 }, fit: { epochs: 2, batchSize: 32, lr: 5e-3, validationSplit: 0.2, patience: 3 }, residual: 'mse-norm', threshold: { q: 0.99, factor: 2 } },
    { architecture: 'lstm-forecaster', create: { lookback: 8, horizon: 1, hidden: 8, layers: 1 }, fit: { epochs: 1, batchSize: 32, lr: 1e-3, validationSplit: 0.2, patience: 3 }, residual: 'mae-sum', threshold: { q: 0.99, factor: 1.5 } },
  ],
  combine: 'max',
  smoothing: 3,
  alignment: 'causal',
  decision: 'threshold',
  policy: { thresholds: { warning: { kind: 'fixed', value: 1 }, critical: { kind: 'fixed', value: 1e9 } }, raise: { k: 2, n: 3 }, clearWindows: 3, cooldownMs: 0, warmupWindows: 0 },
  learning: { batchSize: 8, every: 8, bufferWindows: 64 },
};

const scratch = mkdtempSync(join(tmpdir(), 'vigil-skab-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the files whose test rows' anomaly and changepoint cells are shuffled (seeded), features untouched. */
function shuffledLabelsCopy(): string {
  const rng = createRng(7);
  for (const name of FILES) {
    const lines = readFileSync(join(DATA, `${name}.csv`), 'utf8').split(/\r?\n/).filter((l) => l !== '');
    const cells = lines.map((l) => l.split(';'));
    const test = cells.slice(1 + 400);
    const labels = test.map((c) => c.slice(-2));
    rng.shuffle(labels);
    test.forEach((c, i) => c.splice(-2, 2, ...labels[i]));
    mkdirSync(join(scratch, name.split('/')[0]), { recursive: true });
    writeFileSync(join(scratch, `${name}.csv`), `${cells.map((c) => c.join(';')).join('\n')}\n`);
  }
  return scratch;
}

describe('vigil bench skab runner (smoke)', () => {
  it('runs frozen and streaming end to end on three files, one prediction per test row', async () => {
    const frozen = await runSkab(CONFIG, 'frozen', { data: DATA, files: FILES, seed: 0 });
    const streaming = await runSkab(CONFIG, 'streaming', { data: DATA, files: FILES, seed: 0 });
    for (const r of [frozen, streaming]) {
      expect(r.runs.map((f) => f.name)).toEqual(FILES);
      const rows = r.runs.reduce((s, f) => s + f.predicted.length, 0);
      const { tp, tn, fp, fn } = r.evaluation.outlier;
      expect(tp + tn + fp + fn).toBe(rows); // causal: every test row has a prediction
      expect(Number.isFinite(r.evaluation.changepoint.nab.standard)).toBe(true);
      expect(r.evaluation.changepoint.changepoints).toBe(4 + 4 + 4);
    }
    for (const run of streaming.runs) {
      for (const m of run.members) {
        // Only windows judged normal are offered, so never more than the test rows; some are.
        expect(m.learner!.offered).toBeGreaterThan(0);
        expect(m.learner!.offered).toBeLessThanOrEqual(run.predicted.length);
      }
    }
  });

  it('gives the same predictions and scores when the test labels are shuffled (no label reaches the protocol)', async () => {
    const real = await runSkab(CONFIG, 'streaming', { data: DATA, files: FILES, seed: 0 });
    const shuffled = await runSkab(CONFIG, 'streaming', { data: shuffledLabelsCopy(), files: FILES, seed: 0 });
    expect(shuffled.runs.map((r) => r.predicted)).toEqual(real.runs.map((r) => r.predicted));
    expect(shuffled.runs.map((r) => r.score)).toEqual(real.runs.map((r) => r.score));
    // The labels did change, and with them the metrics.
    expect(shuffled.evaluation.outlier).not.toEqual(real.evaluation.outlier);
  });

  it('ignores labels even when the whole file, labels included, is handed to the protocol', async () => {
    const file = await loadSkabFile(DATA, 'valve2/1');
    const flipped = { ...file, test: { ...file.test, anomaly: file.test.anomaly.map((a) => 1 - a), changepoint: file.test.changepoint.map(() => 1) } };
    const a = await runSkabFile(file, CONFIG, 'frozen', { seed: 3 });
    const b = await runSkabFile(flipped, CONFIG, 'frozen', { seed: 3 });
    expect(b.predicted).toEqual(a.predicted);
    expect(protocolInput(file)).not.toHaveProperty('test.anomaly');
  });

  it('is deterministic: same seed, same predictions, in this thread or spread over two workers', async () => {
    const one = await runSkab(CONFIG, 'frozen', { data: DATA, files: FILES, seed: 1 });
    const two = await runSkab(CONFIG, 'frozen', { data: DATA, files: FILES, seed: 1, jobs: 2 });
    expect(two.runs.map((r) => r.score)).toEqual(one.runs.map((r) => r.score));
    expect(two.evaluation).toEqual(one.evaluation);
  });
});
