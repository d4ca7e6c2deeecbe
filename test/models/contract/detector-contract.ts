// The one suite every detector passes (DESIGN principle 8), whatever its graph: built
// architectures and imported PyTorch models alike. A subject gives a deterministic factory
// (same seed every call) and small fit settings; the suite fits one detector on seeded sines
// and checks the contract on it and on fresh copies from parts().

import { beforeAll, describe, expect, it } from 'vitest';
import { GraphRunner } from '../../../engine/graph/runner.js';
import { createRng } from '../../../engine/rng.js';
import { floatTensor } from '../../../engine/tensor.js';
import { detectorFromParts } from '../../../models/create-detector.js';
import type { DetectorFitOptions, Series } from '../../../models/detector.js';
import type { GraphDetector } from '../../../models/graph-detector.js';
import { exportOnnx } from '../../../models/onnx/export.js';
import { encodeModel } from '../../../models/onnx/proto/index.js';
import { expectClose } from '../../helpers/gradcheck.js';
import { runOrt } from '../../helpers/ort.js';
import { sineSeries, windowsAt } from './signals.js';

export interface ContractSubject {
  readonly name: string;
  /** A fresh, deterministic detector: every call gives the same weights. */
  make(): GraphDetector;
  readonly fit?: DetectorFitOptions;
}

const FIT: DetectorFitOptions = { epochs: 8, batchSize: 16, stride: 2, learningRate: 0.01, validationSplit: 0.2, patience: 3, seed: 7 };

export function detectorContract(subject: ContractSubject): void {
  describe(`detector contract: ${subject.name}`, () => {
    let fitted: GraphDetector;
    let C: number;
    let W: number;
    let series: Series;
    let fresh: Series;
    const fitOptions = { ...FIT, ...subject.fit };

    beforeAll(async () => {
      fitted = subject.make();
      C = fitted.meta.channels.length;
      W = fitted.meta.windowSize;
      series = sineSeries(C, 320, 1);
      fresh = sineSeries(C, 200, 2); // the same machine, another stretch of time
      await fitted.fit([series], fitOptions);
    });

    const normalStarts = (n: number): number[] => Array.from({ length: n }, (_, i) => 5 + i * 7);

    it('scores one window at a time exactly as in a batch, before and after fit', () => {
      for (const det of [subject.make(), fitted]) {
        const starts = normalStarts(5);
        const batch = windowsAt(fresh, C, W, starts);
        const together = det.score(batch, starts.length);
        const total = Float32Array.from(together.total);
        const perChannel = Float32Array.from(together.perChannel);
        starts.forEach((_, i) => {
          const one = det.score(batch.subarray(i * W * C, (i + 1) * W * C), 1);
          expect(one.total[0]).toBe(total[i]);
          expect([...one.perChannel]).toEqual([...perChannel.subarray(i * C, (i + 1) * C)]);
        });
        // total is the mean over channels of the per-channel scores (both rounded to float32)
        for (let i = 0; i < starts.length; i++) {
          let s = 0;
          for (let c = 0; c < C; c++) s += perChannel[i * C + c];
          expectClose([total[i]], [s / C], { rtol: 1e-6, atol: 0 }, 'total vs mean of perChannel');
        }
      }
    });

    it('gives the same weights and, after the same seeded fit, the same scores', async () => {
      const a = subject.make();
      const b = subject.make();
      expect(Array.from(a.graph.params.values)).toEqual(Array.from(b.graph.params.values));
      const again = subject.make();
      await again.fit([series], fitOptions);
      expect(Array.from(again.graph.params.values)).toEqual(Array.from(fitted.graph.params.values));
      const w = windowsAt(fresh, C, W, normalStarts(3));
      expect([...again.score(w, 3).total]).toEqual([...fitted.score(w, 3).total]);
      expect(again.calibration).toEqual(fitted.calibration);
      expect(again.scaler).toEqual(fitted.scaler);
    });

    it('is finite and calibrated after fit, with ordered quantiles and a bumped version', () => {
      const w = windowsAt(fresh, C, W, normalStarts(16));
      const s = fitted.score(w, 16);
      for (const v of [...s.total, ...s.perChannel]) expect(Number.isFinite(v)).toBe(true);
      for (const v of fitted.graph.params.values) expect(Number.isFinite(v)).toBe(true);
      const cal = fitted.calibration!;
      expect(cal).not.toBeNull();
      const q = ['0.5', '0.9', '0.95', '0.99', '0.999', '1'].map((k) => cal.quantiles[k]);
      for (let i = 1; i < q.length; i++) expect(q[i]).toBeGreaterThanOrEqual(q[i - 1]);
      expect(cal.perChannelMean).toHaveLength(C);
      expect(fitted.meta.version).toBe('1.0');
      expect(fitted.meta.trainedWindows).toBeGreaterThan(0);
    });

    it('learn() lowers the loss on repeated normal data and bumps the version each step', () => {
      const det = detectorFromParts(fitted.parts());
      const w = windowsAt(fresh, C, W, normalStarts(8));
      const losses: number[] = [];
      for (let i = 0; i < 25; i++) losses.push(det.learn(w, 8));
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
      expect(det.meta.version).toBe('1.25');
      expect(det.meta.fineTuneSteps).toBe(25);
      // learn's loss is the mean score (MSE in scaled units) before the step
      const s = det.score(w, 8);
      const mean = s.total.reduce((p, v) => p + v, 0) / 8;
      expect(det.learn(w, 8)).toBeCloseTo(mean, 5);
      // the fitted detector it was copied from is untouched
      expect(fitted.meta.version).toBe('1.0');
    });

    it('scores a window with a fault above every normal window, and names the faulty channel', () => {
      const starts = normalStarts(16);
      const normal = fitted.score(windowsAt(fresh, C, W, starts), starts.length);
      const worstNormal = Math.max(...normal.total);
      for (let k = 0; k < C; k++) {
        const w = windowsAt(fresh, C, W, [40]);
        const std = fitted.scaler.std[k];
        const from = W - Math.max(1, Math.floor(W / 4));
        for (let t = from; t < W; t++) w[t * C + k] += 6 * std;
        const s = fitted.score(w, 1);
        expect(s.total[0]).toBeGreaterThan(worstNormal);
        const pc = [...s.perChannel];
        expect(pc.indexOf(Math.max(...pc)), `faulty channel ${k}, per channel ${pc}`).toBe(k);
      }
    });

    it('comes back from parts() with identical scores, and fine-tunes on identically (optimizer state kept)', () => {
      const src = detectorFromParts(fitted.parts());
      const w = windowsAt(fresh, C, W, normalStarts(4));
      src.learn(w, 4);
      const copy = detectorFromParts(src.parts());
      expect(copy.meta).toEqual(src.meta);
      expect(copy.calibration).toEqual(src.calibration);
      expect([...copy.score(w, 4).perChannel]).toEqual([...src.score(w, 4).perChannel]);
      expect(copy.learn(w, 4)).toBe(src.learn(w, 4));
      expect(Array.from(copy.graph.params.values)).toEqual(Array.from(src.graph.params.values));
      expect(copy.parts().optimizer).toEqual(src.parts().optimizer);
    });

    it('exports to ONNX that onnxruntime runs to the same outputs, fine-tuned weights included', async () => {
      const det = detectorFromParts(fitted.parts());
      const w = windowsAt(fresh, C, W, normalStarts(4));
      for (let i = 0; i < 3; i++) det.learn(w, 4);
      const graph = det.graph;
      const info = graph.inputs[0];
      const S = det.meta.windowSize - det.meta.horizon;
      const B = 3;
      const shape = info.shape?.length === 2 ? [B, S * C] : [B, S, C];
      const rng = createRng(11);
      const x = floatTensor(shape, Float32Array.from({ length: B * S * C }, () => rng.normal()));
      const ours = Float32Array.from(new GraphRunner(graph).run({ [info.name]: x })[graph.outputs[0].name].data);
      const theirs = await runOrt(encodeModel(exportOnnx(graph)), { [info.name]: x });
      expectClose(ours, theirs[graph.outputs[0].name].data as Float32Array, { rtol: 1e-5, atol: 1e-5 }, 'engine vs onnxruntime');
    });

    it('refuses windows of the wrong size with a message that says what it needs', () => {
      expect(() => fitted.score(new Float32Array(W * C + 1), 1)).toThrow(/need \d+ values/);
      expect(() => fitted.learn(new Float32Array(W * C), 0)).toThrow(/batch must be/);
    });
  });
}
