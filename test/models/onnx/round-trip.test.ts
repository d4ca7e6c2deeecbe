// Import → fine-tune with Adam → export → onnxruntime-node runs the updated model and agrees with
// the engine: the loop a fleet runs (train in the cloud, adapt at the edge, send back).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GraphRunner } from '../../../engine/graph/runner.js';
import { lossBackward, lossForward } from '../../../engine/losses/loss.js';
import { createAdam } from '../../../engine/optim/adam.js';
import { floatTensor, fromNested } from '../../../engine/tensor.js';
import { exportOnnx } from '../../../models/onnx/export.js';
import { importOnnx } from '../../../models/onnx/import.js';
import { decodeModel, encodeModel } from '../../../models/onnx/proto/index.js';
import { expectClose } from '../../helpers/gradcheck.js';
import { runOrt } from '../../helpers/ort.js';
import { loadTorchCases } from '../../helpers/torch-cases.js';

describe('ONNX round trip with fine-tuning', () => {
  for (const c of loadTorchCases()) {
    it(`${c.name}: fine-tuned weights survive export and run in onnxruntime`, async () => {
      const graph = importOnnx(decodeModel(readFileSync(c.onnxPath)));
      const runner = new GraphRunner(graph);
      const input = fromNested(c.json.input);
      const target = c.json.target !== undefined ? fromNested(c.json.target) : fromNested(c.json.output);
      const before = Float32Array.from(runner.forward(input).data);
      const adam = createAdam(runner.params, { lr: 0.01 });
      for (let step = 0; step < 10; step++) {
        adam.zeroGrad();
        const pred = runner.forward(input);
        const d = floatTensor(pred.shape);
        lossBackward('mse', d.data, pred.data, target.data, pred.data.length);
        runner.backward(d);
        adam.step();
      }
      const after = runner.forward(input);
      const loss = lossForward('mse', after.data, target.data, after.data.length);
      expect(loss).toBeLessThan(lossForward('mse', before, target.data, before.length));
      const bytes = encodeModel(exportOnnx(graph, { metadata: { 'vigil.test': 'round-trip' } }));
      const feeds = { [graph.inputs[0].name]: input };
      const ort = await runOrt(bytes, feeds);
      const theirs = ort[graph.outputs[0].name];
      expect([...theirs.dims]).toEqual([...after.shape]);
      expectClose(after.data, theirs.data as Float32Array, { rtol: 1e-5, atol: 1e-6 }, 'engine vs onnxruntime');
      // And the exported file imports again to the same function.
      const again = new GraphRunner(importOnnx(decodeModel(bytes)));
      expectClose(again.forward(input).data, after.data, { rtol: 0, atol: 0 }, 're-imported');
    });
  }
});
