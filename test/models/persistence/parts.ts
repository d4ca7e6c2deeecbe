// Test DetectorParts built from a PyTorch fixture (no architecture code needed): the LSTM
// forecaster takes [batch, 20, 3] and predicts [batch, 3], i.e. a window of 21 with horizon 1.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectorParts } from '../../../models/detector.js';
import { importOnnx } from '../../../models/onnx/import.js';
import { decodeModel } from '../../../models/onnx/proto/index.js';
import { torchCasesDir } from '../../helpers/torch-cases.js';

export const FORECASTER_DIR = join(torchCasesDir(), 'lstm_forecaster_f3_h16');

export function forecasterParts(withOptimizer = true): DetectorParts {
  const graph = importOnnx(decodeModel(readFileSync(join(FORECASTER_DIR, 'model.onnx'))));
  const n = graph.params.size;
  return {
    meta: {
      name: 'pump-7', version: '1.4', architecture: 'lstm-forecaster', role: 'forecaster',
      channels: ['temp', 'vibration', 'current'], windowSize: 21, horizon: 1,
      hyper: { hidden: 16, layers: 1, bidirectional: false, note: 'torch fixture' },
      createdAt: '2024-05-01T10:00:00.000Z', updatedAt: '2024-05-02T11:30:00.000Z', trainedWindows: 12_345, fineTuneSteps: 4,
    },
    graph,
    scaler: { mean: [40.125, 0.1 + 0.2, -3e-9], std: [2.5, 1e-3, 7] },
    calibration: {
      windows: 500, mean: 0.31, std: 0.12,
      quantiles: { '0.5': 0.28, '0.9': 0.49, '0.95': 0.58, '0.99': 0.8, '0.999': 1.1, '1': 1.3 },
      perChannelMean: [0.2, 0.4, 0.33], perChannelStd: [0.1, 0.2, 0.05],
    },
    optimizer: withOptimizer
      ? {
          kind: 'adam', stepCount: 17, lr: 1e-3,
          buffers: {
            expAvg: Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 1e-3)),
            // Not float32-representable: must still come back exactly.
            expAvgSq: Array.from({ length: n }, (_, i) => (i + 1) / 3e7),
          },
        }
      : null,
  };
}
