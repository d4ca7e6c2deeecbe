// SKAB's alignment for a single-row autoencoder (Vanilla AE, N = 1): the notebook flags each test
// row by its own residual, so the run equals the causal one row for row (a row's window is the row
// itself either way). The window rule of LSTM-AE/Conv-AE must not be applied: with N = 1 it checks
// an empty slice, which Python's all() calls true, and every row would be flagged.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SkabConfig } from '../../../agent/bench/skab-config.js';
import { loadSkabFile } from '../../../agent/bench/skab-data.js';
import { protocolInput, runSkabFile } from '../../../agent/bench/skab-protocol.js';

const DATA = join(import.meta.dirname, '../../../../shared/datasets/skab/data');

const ROW_AE: SkabConfig = {
  name: 'row-ae',
  differenceSlowAbove: null,
  members: [{ architecture: 'dense-ae', create: { windowSize: 1, hidden: 5, bottleneck: 2 }, fit: { epochs: 3, batchSize: 32, lr: 5e-3, validationSplit: 0.2, patience: 3 }, residual: 'mae-sum', threshold: { q: 0.99, factor: 1 } }],
  combine: 'max',
  smoothing: 1,
  alignment: 'skab',
  decision: 'threshold',
  policy: {},
  learning: { batchSize: 8, every: 8, bufferWindows: 64 },
};

describe('SKAB alignment of a row autoencoder', () => {
  it('flags rows by their own residual, as the causal alignment does, not every row', async () => {
    const input = protocolInput(await loadSkabFile(DATA, 'valve1/1'));
    const skab = await runSkabFile(input, ROW_AE, 'frozen', { seed: 0 });
    const causal = await runSkabFile(input, { ...ROW_AE, alignment: 'causal' }, 'frozen', { seed: 0 });
    expect(skab.predicted).toEqual(causal.predicted);
    const flagged = skab.predicted.filter((p) => p === 1).length;
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThan(skab.predicted.length / 2);
  });
});
