// The LSTM forecaster's stateful streaming mode: instead of re-running a window of T samples per
// new sample, a stream keeps every layer's (h, c) for one machine and advances ONE sample at a
// time with engine/layers/lstm.ts lstmStep, then forecasts the next sample(s) with the head.
//   step(sample)  raw sample [C] → per-channel squared error (scaled units) of the forecast made
//                 at the previous step against this sample; null on the first sample
// Fed the T samples of a window from a fresh state, a stream forecasts what the windowed graph
// does on that window (the detector's test proves it); after that the state simply carries on.
// Weights are the detector's own, reordered from ONNX (i,o,f,c) into PyTorch order (i,f,g,o)
// once per detector and refreshed whenever its version changes, so fine-tuning shows up in
// every stream; streams of one detector share them. Nothing is allocated per step.

import { createRng } from '../engine/rng.js';
import type { Graph } from '../engine/graph/graph.js';
import { GraphRunner } from '../engine/graph/runner.js';
import { lstmStep } from '../engine/layers/lstm.js';
import { onnxToTorchGates } from '../engine/layers/lstm-gates.js';
import { biasAddForward, matmulForward } from '../engine/kernels/matmul.js';
import { ParamStore } from '../engine/params.js';
import { floatTensor } from '../engine/tensor.js';
import type { Detector } from './detector.js';
import { createScaler, type Scaler } from './scoring/scaler.js';
import { extractStackedLstm, type StackedLstmSpec, weightTensor } from './streaming-forecaster-spec.js';

export interface ForecastStream {
  /** Samples stepped since creation or the last reset. */
  readonly steps: number;
  /** Forecast of the next `horizon` samples [horizon, C], raw units (zeros before the first step). */
  readonly forecast: Float32Array;
  /** The same in scaled units, as the graph outputs it. */
  readonly forecastScaled: Float32Array;
  /** Advances one raw sample [C]; returns the previous forecast's per-channel squared error (an internal buffer), or null on the first sample. */
  step(sample: ArrayLike<number>): Float32Array | null;
  /** Back to the zero state (e.g. after a gap in the data). */
  reset(): void;
}

interface LayerWeights {
  readonly F: number;
  readonly H: number;
  readonly wIh: Float32Array; // [4H, F] i,f,g,o
  readonly wHh: Float32Array; // [4H, H]
  readonly bIh: Float32Array; // [4H]
  readonly bHh: Float32Array; // [4H]
}

/** A detector's weights in stepping form, shared by all its streams. */
export interface StreamModel {
  readonly detector: Detector;
  readonly spec: StackedLstmSpec;
  readonly channels: number;
  readonly horizon: number;
  /** The head's outputs N = horizon·C. */
  readonly outputs: number;
  readonly layers: readonly LayerWeights[];
  readonly headWeight: Float32Array; // as the Gemm holds it
  readonly headBias: Float32Array; // [N] (beta applied)
  scaler: Scaler;
  version: string;
}

const models = new WeakMap<Detector, StreamModel>();

/** The stepping form of a detector's weights (made and checked once per detector, then shared). */
export function streamModelFor(detector: Detector): StreamModel {
  let m = models.get(detector);
  if (!m) {
    m = createStreamModel(detector);
    verifyAgainstGraph(m);
    models.set(detector, m);
  }
  return m;
}

export function createForecastStream(detector: Detector): ForecastStream {
  const model = streamModelFor(detector);
  const { channels: C, horizon, layers, spec } = model;
  const N = model.outputs;
  const Htop = layers[layers.length - 1].H;
  const h = layers.map((l) => new Float32Array(l.H)); // [H] per layer
  const c = layers.map((l) => new Float32Array(l.H));
  const gates = new Float32Array(Math.max(...layers.map((l) => 4 * l.H))); // [4H] scratch
  const z = new Float32Array(C); // the scaled sample
  const forecastScaled = new Float32Array(N);
  const forecast = new Float32Array(N);
  const errors = new Float32Array(C);
  let steps = 0;
  return {
    get steps() {
      return steps;
    },
    forecast,
    forecastScaled,
    step(sample) {
      if (sample.length !== C) throw new Error(`forecast stream step: a sample has ${C} channels, got ${sample.length} values`);
      syncStreamModel(model);
      model.scaler.apply(z, sample, 1);
      const had = steps > 0;
      if (had) for (let k = 0; k < C; k++) errors[k] = (forecastScaled[k] - z[k]) ** 2;
      let x: Float32Array = z;
      for (let k = 0; k < layers.length; k++) {
        const l = layers[k];
        lstmStep(h[k], c[k], x, l.wIh, l.wHh, l.bIh, l.bHh, gates, 1, l.F, l.H);
        x = h[k];
      }
      headForward(model, forecastScaled, x, Htop);
      model.scaler.invert(forecast, forecastScaled, horizon);
      steps++;
      return had ? errors : null;
    },
    reset() {
      for (const a of h) a.fill(0);
      for (const a of c) a.fill(0);
      forecastScaled.fill(0);
      forecast.fill(0);
      steps = 0;
    },
  };
}

/** out[N] = alpha·h·op(W) + beta·bias, with the same kernel calls as the Gemm op. */
export function headForward(model: StreamModel, out: Float32Array, h: Float32Array, H: number): void {
  const { transB, alpha } = model.spec.head;
  const N = model.outputs;
  matmulForward(out, h, model.headWeight, 1, H, N, false, transB);
  if (alpha !== 1) for (let i = 0; i < N; i++) out[i] *= alpha;
  biasAddForward(out, model.headBias, 1, N);
}

/** Re-reads weights and scaler when the detector's version moved (fit or fine-tuning). */
export function syncStreamModel(m: StreamModel): void {
  const version = m.detector.meta.version;
  if (version === m.version) return;
  const graph = m.detector.graph;
  m.spec.layers.forEach((s, k) => {
    const l = m.layers[k];
    onnxToTorchGates(l.wIh, weightTensor(graph, s.W, s.node).data.subarray(0, 4 * l.H * l.F), l.H, l.F);
    onnxToTorchGates(l.wHh, weightTensor(graph, s.R, s.node).data.subarray(0, 4 * l.H * l.H), l.H, l.H);
    if (s.B) {
      const b = weightTensor(graph, s.B, s.node).data;
      onnxToTorchGates(l.bIh, b.subarray(0, 4 * l.H), l.H, 1);
      onnxToTorchGates(l.bHh, b.subarray(4 * l.H, 8 * l.H), l.H, 1);
    }
  });
  const head = m.spec.head;
  m.headWeight.set(weightTensor(graph, head.weight, head.node).data);
  if (head.bias) {
    const b = weightTensor(graph, head.bias, head.node).data;
    for (let i = 0; i < head.outputs; i++) m.headBias[i] = head.beta * b[b.length === 1 ? 0 : i];
  }
  m.scaler = createScaler(m.detector.scaler);
  m.version = version;
}

function createStreamModel(detector: Detector): StreamModel {
  const { meta, graph } = detector;
  if (meta.role !== 'forecaster') throw new Error(`a forecast stream needs a forecaster; '${meta.name}' is an ${meta.role}`);
  const C = meta.channels.length;
  const spec = extractStackedLstm(graph, C, meta.horizon);
  // Sizes from a loaded model's tensor shapes can be doubles (int64 dims decoded from the file). The
  // kernels are optimized for small-integer sizes: one double deoptimizes them into a generic form
  // that runs a step 1.8× slower (measured: 13.6 → 24 µs), for every caller in the process. `| 0`
  // keeps them small integers.
  const layers = spec.layers.map((s) => ({
    F: s.inputSize | 0, H: s.hidden | 0,
    wIh: new Float32Array(4 * s.hidden * s.inputSize), wHh: new Float32Array(4 * s.hidden * s.hidden),
    bIh: new Float32Array(4 * s.hidden), bHh: new Float32Array(4 * s.hidden),
  }));
  const m: StreamModel = {
    detector, spec, channels: C, horizon: meta.horizon | 0, outputs: spec.head.outputs | 0, layers,
    headWeight: new Float32Array(weightTensor(graph, spec.head.weight, spec.head.node).data.length),
    headBias: new Float32Array(spec.head.outputs),
    scaler: createScaler(detector.scaler),
    version: '',
  };
  syncStreamModel(m);
  return m;
}

/**
 * The structure check cannot see which step the head reads (PyTorch exports Gather(-1) on Y,
 * Vigil uses Y_h); one window run both ways settles it before any stream relies on it.
 */
function verifyAgainstGraph(m: StreamModel): void {
  const { graph, meta } = m.detector;
  const C = m.channels;
  const T = meta.windowSize - meta.horizon;
  const rng = createRng(0x5eed);
  const x = Float32Array.from({ length: T * C }, () => rng.normal());
  const info = graph.inputs[0];
  const input = floatTensor(info.shape?.length === 2 ? [1, T * C] : [1, T, C], x);
  const want = new GraphRunner(withSmallIntegerShapes(graph)).run({ [info.name]: input })[graph.outputs[0].name].data;
  const h = m.layers.map((l) => new Float32Array(l.H));
  const c = m.layers.map((l) => new Float32Array(l.H));
  const gates = new Float32Array(Math.max(...m.layers.map((l) => 4 * l.H)));
  for (let t = 0; t < T; t++) {
    let v = x.subarray(t * C, (t + 1) * C);
    m.layers.forEach((l, k) => {
      lstmStep(h[k], c[k], v, l.wIh, l.wHh, l.bIh, l.bHh, gates, 1, l.F, l.H);
      v = h[k];
    });
  }
  const got = new Float32Array(m.spec.head.outputs);
  headForward(m, got, h[h.length - 1], m.layers[m.layers.length - 1].H);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1e-5 + 1e-4 * Math.abs(want[i])));
  if (!(worst <= 1)) {
    throw new Error(`'${meta.name}': stepping its LSTM layers sample by sample does not reproduce the graph's forecast, so its head does not read the last step; the stateful stream runs graphs shaped LSTM layers → last step → Gemm`);
  }
}

/**
 * The graph over a copy of its parameters whose shapes are small integers. A model file's shapes
 * decode as doubles (int64 dims); run through the graph as loaded, they reach the matmul and LSTM
 * kernels as sizes and deoptimize them into a generic form, process-wide: after that a stream step
 * costs 23 µs instead of 13.5 (5 channels, hidden 32, 2 layers). The stream shares those kernels,
 * so its one graph run (the check above) must not do that.
 */
function withSmallIntegerShapes(graph: Graph): Graph {
  const params = new ParamStore(graph.params.list.map((p) => ({ name: p.name, shape: p.shape.map((d) => d | 0) })));
  params.values.set(graph.params.values);
  return { ...graph, params };
}
