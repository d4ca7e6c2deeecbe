// Principle 8 through persistence: every architecture, fitted briefly, saved and loaded, scores
// exactly as before and resumes fine-tuning with the same optimizer state.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuiltArchitecture, createDetector, detectorFromParts } from '../../../models/create-detector.js';
import { loadModel, saveModel } from '../../../models/persistence/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-detector-rt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const C = 2;
const series = [{ length: 64, data: Float32Array.from({ length: 64 * C }, (_, i) => Math.sin(i / 3) + (i % C)) }];
const small: Record<BuiltArchitecture, object> = {
  'lstm-forecaster': { windowSize: 9, hidden: 4, layers: 1 },
  'dense-ae': { windowSize: 8, hidden: 6, bottleneck: 2 },
  'lstm-ae': { windowSize: 8, hidden: 4 },
  'conv-ae': { windowSize: 8, filters1: 4, filters2: 2, kernel: 3 },
};

describe('detector → saveModel → loadModel → detectorFromParts', () => {
  for (const arch of Object.keys(small) as BuiltArchitecture[]) {
    it(`${arch}: identical scores, and the same next fine-tuning step`, async () => {
      const d = createDetector(arch, { channels: ['a', 'b'], seed: 1, ...small[arch] });
      await d.fit(series, { epochs: 1, batchSize: 8, seed: 1 });
      const path = join(dir, `${arch}.onnx`);
      await saveModel(path, d.parts());
      const loaded = await loadModel(path);
      if (loaded.kind !== 'vigil') throw new Error('expected a Vigil model');
      const back = detectorFromParts(loaded.parts);
      expect(back.meta).toEqual(d.meta);
      const W = d.meta.windowSize;
      const windows = series[0].data.slice(0, 3 * W * C);
      expect(Array.from(back.score(windows, 3).total)).toEqual(Array.from(d.score(windows, 3).total));
      expect(back.learn(windows, 3)).toBe(d.learn(windows, 3));
      expect(Array.from(back.graph.params.values)).toEqual(Array.from(d.graph.params.values));
    });
  }
});
