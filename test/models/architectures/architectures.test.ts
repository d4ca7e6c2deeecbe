// Each architecture at its default sizes (the reference forecaster: 8 features, hidden 32,
// 2 layers, window 60): the graph Vigil runs is the graph onnxruntime runs, every parameter
// starts inside PyTorch's default init bound, and the shapes are the documented ones.
import { describe, expect, it } from 'vitest';
import { GraphRunner } from '../../../engine/graph/runner.js';
import { createRng } from '../../../engine/rng.js';
import { floatTensor } from '../../../engine/tensor.js';
import { type BuiltArchitecture, createDetector } from '../../../models/create-detector.js';
import { exportOnnx } from '../../../models/onnx/export.js';
import { encodeModel } from '../../../models/onnx/proto/index.js';
import { expectClose } from '../../helpers/gradcheck.js';
import { runOrt } from '../../helpers/ort.js';

const channels = Array.from({ length: 8 }, (_, i) => `s${i}`);

/** PyTorch's bound for each parameter, by the builders' names. */
function bound(name: string, shape: readonly number[]): number {
  if (/_[WRB]$/.test(name)) return 1 / Math.sqrt(name.endsWith('_B') ? shape[1] / 8 : shape[1] / 4);
  return NaN; // checked through its weight below
}

describe('architectures at default sizes', () => {
  for (const arch of ['lstm-forecaster', 'dense-ae', 'lstm-ae', 'conv-ae'] as BuiltArchitecture[]) {
    it(`${arch}: onnxruntime agrees, and the init follows PyTorch's defaults`, async () => {
      const det = createDetector(arch, { channels, seed: 1 });
      const g = det.graph;
      const S = det.meta.windowSize - det.meta.horizon;
      expect(g.inputs[0].shape).toEqual(['batch', S, 8]);
      expect(g.opset).toBe(17);
      const rng = createRng(2);
      const x = floatTensor([2, S, 8], Float32Array.from({ length: 2 * S * 8 }, () => rng.normal()));
      const ours = new GraphRunner(g).run({ input: x })[g.outputs[0].name];
      expect(ours.shape).toEqual(arch === 'lstm-forecaster' ? [2, 8] : [2, 60, 8]);
      const theirs = await runOrt(encodeModel(exportOnnx(g)), { input: x });
      expectClose(ours.data, theirs[g.outputs[0].name].data as Float32Array, { rtol: 1e-5, atol: 1e-6 }, `${arch} vs onnxruntime`);
      for (const p of g.params.list) {
        let b = bound(p.name, p.shape);
        if (Number.isNaN(b)) {
          // Gemm weight [O, I]: 1/√I; Conv [Co, Ci, k]: 1/√(Ci·k); ConvTranspose [Ci, Co, k]: 1/√(Co·k)
          // (dim 1 both times, as torch reads fan-in); the lstm-ae's MatMul [H, C]: 1/√H. Biases as their weight.
          const w = p.name.endsWith('_bias') ? g.params.get(p.name.replace(/_bias$/, '_weight')) : p;
          const s = w.shape;
          b = s.length === 3 ? 1 / Math.sqrt(s[1] * s[2]) : 1 / Math.sqrt(w.name === 'out_weight' && arch === 'lstm-ae' ? s[0] : s[1]);
        }
        const max = Math.max(...Array.from(p.value, Math.abs));
        expect(max, p.name).toBeLessThanOrEqual(b);
        if (p.size >= 64) expect(max, `${p.name} fills its range`).toBeGreaterThan(0.8 * b);
      }
    });
  }
});
