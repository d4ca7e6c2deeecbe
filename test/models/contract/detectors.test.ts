// Runs the detector contract for every architecture Vigil builds and for a detector made from
// every PyTorch reference model (../shared/fixtures/torch), so built and imported graphs are
// held to the same promises.
import { readFileSync } from 'node:fs';
import { createDetector } from '../../../models/create-detector.js';
import { detectorFromGraph } from '../../../models/create-detector.js';
import { importOnnx } from '../../../models/onnx/import.js';
import { decodeModel } from '../../../models/onnx/proto/index.js';
import { loadTorchCases } from '../../helpers/torch-cases.js';
import { detectorContract } from './detector-contract.js';

const channels = ['temp', 'vib', 'current'];

detectorContract({ name: 'lstm-forecaster', make: () => createDetector('lstm-forecaster', { channels, lookback: 12, hidden: 8, layers: 2, seed: 3 }) });
detectorContract({
  name: 'lstm-forecaster, horizon 2',
  make: () => createDetector('lstm-forecaster', { channels, lookback: 10, horizon: 2, hidden: 8, layers: 1, seed: 3 }),
});
detectorContract({ name: 'dense-ae', make: () => createDetector('dense-ae', { channels, windowSize: 12, hidden: 16, bottleneck: 4, seed: 3 }) });
detectorContract({ name: 'lstm-ae', make: () => createDetector('lstm-ae', { channels, windowSize: 12, hidden: 8, seed: 3 }) });
detectorContract({ name: 'conv-ae', make: () => createDetector('conv-ae', { channels, windowSize: 16, filters1: 8, filters2: 4, kernel: 5, seed: 3 }) });

for (const c of loadTorchCases()) {
  const bytes = readFileSync(c.onnxPath);
  const rank2 = c.json.input_shape.length === 2;
  detectorContract({
    name: `torch fixture ${c.name}`,
    // A [batch, time·channels] input says nothing about channels: name three.
    make: () => detectorFromGraph(importOnnx(decodeModel(bytes)), { name: c.name, ...(rank2 ? { channels } : {}) }),
  });
}
