// The stateful stream against the windowed graph it must agree with, its weight refresh, its
// allocation-free step, its refusals; and truncated BPTT over the same weights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/graph/graph.js';
import { GraphRunner } from '../../engine/graph/runner.js';
import { floatTensor } from '../../engine/tensor.js';
import { createDetector, detectorFromGraph } from '../../models/create-detector.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { importOnnx } from '../../models/onnx/import.js';
import { decodeModel } from '../../models/onnx/proto/index.js';
import { createForecastStream } from '../../models/streaming-forecaster.js';
import { buildStatefulGraph, trainStateful } from '../../models/streaming-forecaster-tbptt.js';
import { expectClose } from '../helpers/gradcheck.js';
import { torchCasesDir } from '../helpers/torch-cases.js';
import { countTypedArrays } from './count-typed-arrays.js';
import { sineSeries } from './contract/signals.js';

const channels = ['a', 'b', 'c'];
const C = 3;

function torchForecaster(edit?: (g: Graph) => Graph): GraphDetector {
  const g = importOnnx(decodeModel(readFileSync(join(torchCasesDir(), 'lstm_forecaster_f3_h16', 'model.onnx'))));
  return detectorFromGraph(edit ? edit(g) : g, { name: 'torch' });
}

/** The graph's scaled forecast for the window of samples [start, start + inputSteps). */
function graphForecast(det: GraphDetector, data: Float32Array, start: number): Float32Array {
  const T = det.meta.windowSize - det.meta.horizon;
  const { mean, std } = det.scaler;
  const x = floatTensor([1, T, C]);
  for (let i = 0; i < T * C; i++) x.data[i] = (data[start * C + i] - mean[i % C]) / std[i % C];
  return Float32Array.from(new GraphRunner(det.graph).run({ [det.graph.inputs[0].name]: x })[det.graph.outputs[0].name].data);
}

async function fitted(horizon = 1, layers = 2): Promise<GraphDetector> {
  const det = createDetector('lstm-forecaster', { channels, lookback: 12, horizon, hidden: 8, layers, seed: 4 });
  await det.fit([sineSeries(C, 200, 1)], { epochs: 2, learningRate: 0.01, stride: 2 });
  return det;
}

describe('forecast stream', () => {
  const cases: [string, () => Promise<GraphDetector>][] = [
    ['lstm-forecaster, 2 layers', () => fitted()],
    ['lstm-forecaster, horizon 3, 1 layer', () => fitted(3, 1)],
    ['PyTorch lstm_forecaster_f3_h16 (Gather of the last step)', async () => torchForecaster()],
  ];
  for (const [name, make] of cases) {
    it(`${name}: T samples through a fresh stream forecast what the windowed graph does`, async () => {
      const det = await make();
      const T = det.meta.windowSize - det.meta.horizon;
      const series = sineSeries(C, 80, 9);
      for (const start of [0, 17, 40]) {
        const stream = createForecastStream(det);
        for (let t = 0; t < T; t++) stream.step(series.data.subarray((start + t) * C, (start + t + 1) * C));
        expectClose(stream.forecastScaled, graphForecast(det, series.data, start), { rtol: 1e-6, atol: 1e-6 }, 'stream vs graph');
        const raw = Array.from(stream.forecastScaled, (z, i) => z * det.scaler.std[i % C] + det.scaler.mean[i % C]);
        expectClose(stream.forecast, raw, { rtol: 1e-6, atol: 1e-5 }, 'raw forecast');
      }
    });
  }

  it('returns null on the first sample, then the previous forecast\'s squared error per channel', async () => {
    const det = await fitted();
    const stream = createForecastStream(det);
    const s = sineSeries(C, 10, 3).data;
    expect(stream.step(s.subarray(0, C))).toBeNull();
    const prev = Float32Array.from(stream.forecastScaled);
    const err = stream.step(s.subarray(C, 2 * C))!;
    for (let c = 0; c < C; c++) {
      const z = (s[C + c] - det.scaler.mean[c]) / det.scaler.std[c];
      expect(err[c]).toBeCloseTo((prev[c] - z) ** 2, 5);
    }
    expect(stream.steps).toBe(2);
    stream.reset();
    expect(stream.steps).toBe(0);
    expect(stream.step(s.subarray(0, C))).toBeNull();
  });

  it('follows fine-tuning: after learn() the stream uses the new weights', async () => {
    const det = await fitted();
    const T = 12;
    const series = sineSeries(C, 60, 5);
    const stream = createForecastStream(det);
    for (let t = 0; t < 5; t++) stream.step(series.data.subarray(t * C, (t + 1) * C));
    const before = graphForecast(det, series.data, 0);
    det.learn(series.data.slice(0, 13 * C), 1);
    const after = graphForecast(det, series.data, 0);
    expect(after).not.toEqual(before);
    stream.reset();
    for (let t = 0; t < T; t++) stream.step(series.data.subarray(t * C, (t + 1) * C));
    expectClose(stream.forecastScaled, after, { rtol: 1e-6, atol: 1e-6 }, 'stream after learn');
  });

  it('allocates nothing per step and hands back the same buffer', async () => {
    const det = await fitted();
    const stream = createForecastStream(det);
    const s = sineSeries(C, 50, 3).data;
    stream.step(s.subarray(0, C));
    const first = stream.step(s.subarray(C, 2 * C));
    const samples = Array.from({ length: 40 }, (_, t) => s.subarray((t + 2) * C, (t + 3) * C));
    const n = countTypedArrays(() => {
      for (const x of samples) expect(stream.step(x)).toBe(first);
    });
    expect(n).toBe(0);
  });

  it('refuses autoencoders, graphs with other arithmetic, and heads that do not read the last step', () => {
    expect(() => createForecastStream(createDetector('lstm-ae', { channels, windowSize: 8, hidden: 4 }))).toThrow(/needs a forecaster/);
    // PyTorch's graph with the head moved to the FIRST step: structurally the same, numerically not.
    const firstStep = torchForecaster((g) => ({
      ...g,
      nodes: g.nodes.map((n) => (n.name === '/Constant' || n.outputs[0] === '/Constant_output_0' ? { ...n, attrs: { value: { dtype: 'int64', shape: [], data: Float64Array.of(0) } } } : n)),
    }));
    expect(() => createForecastStream(firstStep)).toThrow(/does not reproduce the graph's forecast/);
    const relu = torchForecaster((g) => ({
      ...g,
      nodes: g.nodes.flatMap((n) => (n.op === 'Gemm' ? [{ ...n, inputs: ['relu_h', ...n.inputs.slice(1)] }] : n.op === 'Gather' && n.outputs[0] === '/Gather_output_0' ? [n, { name: 'relu', op: 'Relu', inputs: [n.outputs[0]], outputs: ['relu_h'], attrs: {} }] : [n])),
    }));
    expect(() => createForecastStream(relu)).toThrow(/Relu node 'relu' does arithmetic/);
  });
});

describe('truncated BPTT', () => {
  it('shares the detector\'s parameters, and chunks carrying their state forecast as the stream does', async () => {
    const det = await fitted();
    const K = 7;
    const sg = buildStatefulGraph(det, K);
    expect(sg.graph.params).toBe(det.graph.params);
    const series = sineSeries(C, 30, 6);
    const { mean, std } = det.scaler;
    const z = series.data.map((v, i) => (v - mean[i % C]) / std[i % C]);
    const runner = new GraphRunner(sg.graph);
    const feeds: Record<string, ReturnType<typeof floatTensor>> = {};
    for (const s of sg.state) {
      feeds[s.h0] = floatTensor([1, 1, s.hidden]);
      feeds[s.c0] = floatTensor([1, 1, s.hidden]);
    }
    const stream = createForecastStream(det);
    for (let chunk = 0; chunk < 3; chunk++) {
      feeds.x = floatTensor([1, K, C], z.slice(chunk * K * C, (chunk + 1) * K * C));
      const out = runner.run(feeds);
      const y = out[sg.forecasts].data;
      for (let t = 0; t < K; t++) {
        const s = chunk * K + t;
        stream.step(series.data.subarray(s * C, (s + 1) * C));
        expectClose(stream.forecastScaled, y.subarray(t * C, (t + 1) * C), { rtol: 1e-5, atol: 1e-6 }, `step ${s}`);
      }
      for (const s of sg.state) {
        feeds[s.h0] = floatTensor([1, 1, s.hidden], Float32Array.from(out[s.hN].data));
        feeds[s.c0] = floatTensor([1, 1, s.hidden], Float32Array.from(out[s.cN].data));
      }
    }
  });

  it('lowers the stream\'s forecast error on seeded sines, one fine-tuning step per chunk', async () => {
    const det = createDetector('lstm-forecaster', { channels, lookback: 12, hidden: 12, layers: 1, seed: 5 });
    const train = sineSeries(C, 400, 1);
    await det.fit([train], { epochs: 0 }); // the scaler only
    const held = sineSeries(C, 300, 2);
    const streamError = (): number => {
      const stream = createForecastStream(det);
      let sum = 0;
      for (let t = 0; t < held.length; t++) {
        const e = stream.step(held.data.subarray(t * C, (t + 1) * C));
        if (e && t > 20) for (const v of e) sum += v;
      }
      return sum / ((held.length - 21) * C);
    };
    const before = streamError();
    const version = det.meta.version;
    const report = await trainStateful(det, [train], { chunk: 20, epochs: 6, learningRate: 0.01 });
    expect(report.stopReason).toBe('completed');
    expect(report.chunks).toBe(6 * Math.floor((400 - 1) / 20));
    expect(report.losses[report.losses.length - 1]).toBeLessThan(report.losses[0] * 0.5);
    expect(streamError()).toBeLessThan(before * 0.5);
    expect(det.meta.version).toBe(`${version.split('.')[0]}.${report.chunks}`);
    expect(det.optimizer().lr).toBe(1e-3); // the fine-tuning rate is back
  });

  it('holds the weights while it runs: learn() and fit() wait, and it will not start during fit', async () => {
    const det = await fitted();
    const train = sineSeries(C, 100, 1);
    const running = trainStateful(det, [train], { chunk: 10 });
    expect(det.training).toBe('trainStateful');
    expect(() => det.learn(train.data.slice(0, 13 * C), 1)).toThrow(/while trainStateful is running/);
    await expect(det.fit([train])).rejects.toThrow(/fit cannot start: trainStateful is running/);
    await running;
    const fitting = det.fit([train], { epochs: 1 });
    await expect(trainStateful(det, [train], { chunk: 10 })).rejects.toThrow(/trainStateful cannot start: fit is running/);
    await fitting;
  });
});
