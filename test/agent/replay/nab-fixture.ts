// A NAB series and a model for it, for replay tests: a small LSTM forecaster trained briefly on
// the series' first 300 rows (the rest is what the replay judges).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLogSamples } from '../../../agent/source/log-samples.js';
import { createDetector } from '../../../models/create-detector.js';
import { saveModel } from '../../../models/persistence/index.js';

export const NAB = '/work/shared/datasets/nab/data/realKnownCause/rogue_agent_key_hold.csv';
export const NAB_WINDOWS = '/work/shared/datasets/nab/labels/combined_windows.json';

/** Trains the model in `dir` and returns its path. */
export async function trainNabModel(dir: string): Promise<string> {
  const head = join(dir, 'nab-head.csv');
  writeFileSync(head, readFileSync(NAB, 'utf8').split('\n').slice(0, 301).join('\n'));
  const samples = await loadLogSamples(head);
  const detector = createDetector('lstm-forecaster', { channels: samples.channels, windowSize: 12, hidden: 8, layers: 1, seed: 3, name: 'nab-rogue' });
  await detector.fit(samples.series, { epochs: 3, seed: 3 });
  const model = join(dir, 'nab.onnx');
  await saveModel(model, detector.parts());
  return model;
}
