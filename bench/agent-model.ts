// The model bench:agent scores with: Vigil's lstm-forecaster at a realistic size (5 channels,
// hidden 32, 2 layers, lookback 30, horizon 1) trained briefly on the simulated healthy pumps
// the publisher plays (same seed), so its scaler and calibration fit the traffic and alerts stay
// rare, as on a healthy plant. Scoring cost does not depend on how well it is trained. The file
// is cached in the temp dir, keyed by these settings.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatedSeries } from '../agent/model/serving-model.js';
import { CHANNELS } from '../agent/source/simulator.js';
import { createDetector } from '../models/create-detector.js';
import { saveModel } from '../models/persistence/index.js';

export const BENCH_MODEL = { lookback: 30, hidden: 32, layers: 2, horizon: 1 } as const;

export async function benchModelFile(log: (line: string) => void): Promise<string> {
  const { lookback, hidden, layers } = BENCH_MODEL;
  const path = join(tmpdir(), `vigil-bench-agent-lstm-c${CHANNELS.length}-h${hidden}-l${layers}-w${lookback}-v1.onnx`);
  if (existsSync(path)) return path;
  const t0 = Date.now();
  const detector = createDetector('lstm-forecaster', { channels: [...CHANNELS], lookback, hidden, layers, seed: 1, name: 'bench-pump' });
  const report = await detector.fit(simulatedSeries(1, 10, 1500, 1000), { epochs: 2, stride: 4, seed: 1 });
  await saveModel(path, detector.parts());
  log(`model: trained ${report.windows} windows in ${((Date.now() - t0) / 1000).toFixed(1)} s (val loss ${report.valLoss?.toFixed(4)}), saved ${path}`);
  return path;
}
