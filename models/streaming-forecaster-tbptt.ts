// Truncated BPTT for the stateful forecaster: each series is cut into consecutive chunks of K
// steps; a chunk starts from the state the previous chunk ended in (carried over as values:
// gradients stop at the chunk boundary) and is trained to forecast, at every one of its K steps,
// the next `horizon` samples. That is what the stream does live, so training sees the long
// state the stream keeps instead of windows that always start from zeros.
// The training graph shares the detector's ParamStore (graphs can share one): it reads the
// same W/R/B and head weights, takes initial_h_l{k}/initial_c_l{k} [1,B,H] as inputs and
// outputs forecasts [B,K,N] plus every layer's final state. Optimizer steps use the detector's
// lifetime Adam and count as fine-tuning steps (the version moves, streams re-read weights).

import { GraphBuilder } from '../engine/graph/builder.js';
import type { Graph } from '../engine/graph/graph.js';
import { GraphRunner } from '../engine/graph/runner.js';
import { createRng } from '../engine/rng.js';
import { type FloatTensor, type Tensor, floatTensor } from '../engine/tensor.js';
import type { Series } from './detector.js';
import type { GraphDetector } from './graph-detector.js';
import { checkSeries } from './scoring/scaler.js';
import { streamModelFor } from './streaming-forecaster.js';

export interface StatefulGraph {
  readonly graph: Graph;
  readonly chunk: number;
  /** Names of the initial-state inputs and final-state outputs per layer. */
  readonly state: readonly { readonly h0: string; readonly c0: string; readonly hN: string; readonly cN: string; readonly hidden: number }[];
  readonly forecasts: string; // [B, K, N]
}

/** The chunked training graph over the detector's own parameters. */
export function buildStatefulGraph(detector: GraphDetector, chunk: number): StatefulGraph {
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`stateful chunk must be an integer >= 1 (steps per truncated-BPTT chunk), got ${chunk}`);
  const { spec, channels: C } = streamModelFor(detector);
  const K = chunk;
  const g = new GraphBuilder('lstm-forecaster-stateful', detector.graph.opset < 13 ? 17 : detector.graph.opset);
  const x = g.input('x', ['batch', K, C]);
  let seq = g.op('Transpose', [x], { perm: [1, 0, 2] }, 'to_time_major'); // [K,B,C]
  const axis1 = g.ints('stateful_axes_1', [1]);
  const state: { h0: string; c0: string; hN: string; cN: string; hidden: number }[] = [];
  spec.layers.forEach((l, k) => {
    const h0 = g.input(`initial_h_l${k}`, [1, 'batch', l.hidden]);
    const c0 = g.input(`initial_c_l${k}`, [1, 'batch', l.hidden]);
    const [Y, Yh, Yc] = g.node('LSTM', [seq, l.W, l.R, l.B ?? '', '', h0, c0], { hidden_size: l.hidden }, 3, `stateful_lstm_l${k}`);
    seq = g.op('Squeeze', [Y, axis1], {}, `stateful_squeeze_l${k}`); // [K,B,H]
    g.output(Yh, [1, 'batch', l.hidden]);
    g.output(Yc, [1, 'batch', l.hidden]);
    state.push({ h0, c0, hN: Yh, cN: Yc, hidden: l.hidden });
  });
  const H = spec.layers[spec.layers.length - 1].hidden;
  const head = spec.head;
  const batchFirst = g.op('Transpose', [seq], { perm: [1, 0, 2] }, 'to_batch_first'); // [B,K,H]
  const rows = g.op('Reshape', [batchFirst, g.ints('stateful_rows', [-1, H])], {}, 'rows'); // [B·K, H]
  const attrs = { transB: head.transB ? 1 : 0, alpha: head.alpha, beta: head.beta };
  const y = g.op('Gemm', head.bias ? [rows, head.weight, head.bias] : [rows, head.weight], attrs, 'stateful_head'); // [B·K, N]
  const forecasts = g.op('Reshape', [y, g.ints('stateful_forecast_shape', [-1, K, head.outputs])], {}, 'forecasts');
  // Outputs in order: the forecasts first (what backward() differentiates), then the states.
  g.output(forecasts, ['batch', K, head.outputs]);
  const built = g.build(createRng(0));
  const weights = [...spec.layers.flatMap((l) => [l.W, l.R, l.B]), head.weight, head.bias].filter((n): n is string => n !== null);
  const constants = new Map(built.constants);
  for (const n of weights) {
    const t = detector.graph.constants.get(n);
    if (t) constants.set(n, t); // frozen weights stay frozen
  }
  const outputs = [built.outputs[built.outputs.length - 1], ...built.outputs.slice(0, -1)];
  return { graph: { ...built, outputs, params: detector.graph.params, constants }, chunk: K, state, forecasts };
}

/** A batch-1 runner of a StatefulGraph with its carried state (shared by every chunked trainer). */
export interface CarriedRunner {
  readonly runner: GraphRunner;
  readonly x: FloatTensor; // [1, K, C] the chunk's inputs
  readonly dOut: FloatTensor; // [1, K, N] the loss's gradient with respect to the forecasts
  readonly h0: readonly FloatTensor[]; // per layer [1, 1, H], the state the next chunk starts from
  readonly c0: readonly FloatTensor[];
  /** Forward over x from the carried state. */
  run(): Record<string, Tensor>;
  /** The next chunk starts where this run ended (values only: truncation). */
  carry(out: Record<string, Tensor>): void;
  /** Back to the zero state. */
  reset(): void;
}

export function createCarriedRunner(sg: StatefulGraph, channels: number, outputs: number): CarriedRunner {
  const runner = new GraphRunner(sg.graph);
  const x = floatTensor([1, sg.chunk, channels]);
  const dOut = floatTensor([1, sg.chunk, outputs]);
  const h0 = sg.state.map((s) => floatTensor([1, 1, s.hidden]));
  const c0 = sg.state.map((s) => floatTensor([1, 1, s.hidden]));
  const feeds: Record<string, FloatTensor> = { x };
  sg.state.forEach((s, k) => {
    feeds[s.h0] = h0[k];
    feeds[s.c0] = c0[k];
  });
  return {
    runner, x, dOut, h0, c0,
    run: () => runner.run(feeds),
    carry(out) {
      sg.state.forEach((s, k) => {
        h0[k].data.set(out[s.hN].data);
        c0[k].data.set(out[s.cN].data);
      });
    },
    reset() {
      for (const t of [...h0, ...c0]) t.data.fill(0);
    },
  };
}

export interface StatefulTrainOptions {
  /** Steps per truncated-BPTT chunk (K). */
  readonly chunk: number;
  /** Passes over the series (default 1). */
  readonly epochs?: number;
  /** Learning rate for these steps (default: the detector's fine-tuning rate). */
  readonly learningRate?: number;
  readonly onChunk?: (log: { epoch: number; chunk: number; loss: number }) => void;
  readonly signal?: { readonly aborted: boolean };
  /** How to yield to the event loop after every chunk (default setImmediate). */
  readonly tick?: () => Promise<void>;
}

export interface StatefulTrainReport {
  readonly chunks: number;
  /** Mean chunk loss (MSE in scaled units, before each step) per epoch. */
  readonly losses: readonly number[];
  readonly stopReason: 'completed' | 'aborted' | 'nonFinite';
}

/**
 * Trains the detector's weights as the stream uses them, one chunk per Adam step. Uses the
 * detector's scaler as it is: fit() the detector first (fit with epochs: 0 fits only the scaler).
 */
export async function trainStateful(detector: GraphDetector, series: readonly Series[], options: StatefulTrainOptions): Promise<StatefulTrainReport> {
  const { epochs = 1, onChunk, signal, tick = nextTick } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`stateful epochs must be an integer >= 0, got ${epochs}`);
  const sg = buildStatefulGraph(detector, options.chunk);
  const model = streamModelFor(detector);
  const { channels: C, horizon } = model;
  const K = sg.chunk;
  const N = horizon * C;
  const carried = createCarriedRunner(sg, C, N);
  const { runner, x, dOut } = carried;
  const scaled = series.map((s) => {
    checkSeries(s, C);
    const z = new Float32Array(s.data.length);
    model.scaler.apply(z, s.data, s.length);
    return z;
  });
  const release = detector.claimTraining('trainStateful');
  const optimizer = detector.optimizer();
  const savedLr = optimizer.lr;
  if (options.learningRate !== undefined) optimizer.lr = options.learningRate;
  const losses: number[] = [];
  let chunks = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      let sum = 0;
      let count = 0;
      for (let si = 0; si < scaled.length; si++) {
        const z = scaled[si];
        const length = series[si].length;
        carried.reset();
        for (let start = 0; start + K + horizon <= length; start += K) {
          if (signal?.aborted) return { chunks, losses, stopReason: 'aborted' };
          x.data.set(z.subarray(start * C, (start + K) * C));
          const out = carried.run();
          const y = out[sg.forecasts].data; // [1, K, N]
          // Step t forecasts samples start+t+1 .. start+t+horizon: N contiguous scaled values.
          let loss = 0;
          for (let t = 0; t < K; t++) {
            const from = (start + t + 1) * C;
            for (let j = 0; j < N; j++) {
              const d = y[t * N + j] - z[from + j];
              loss += d * d;
              dOut.data[t * N + j] = d;
            }
          }
          loss /= K * N;
          if (!Number.isFinite(loss)) return { chunks, losses, stopReason: 'nonFinite' };
          const k2 = 2 / (K * N);
          for (let i = 0; i < dOut.data.length; i++) dOut.data[i] *= k2;
          optimizer.zeroGrad();
          runner.backwardAll({ [sg.forecasts]: dOut });
          optimizer.step();
          detector.recordUpdate(K);
          carried.carry(out);
          chunks++;
          sum += loss;
          count++;
          onChunk?.({ epoch, chunk: chunks - 1, loss });
          await tick();
        }
      }
      losses.push(count > 0 ? sum / count : Number.NaN);
    }
    return { chunks, losses, stopReason: 'completed' };
  } finally {
    optimizer.lr = savedLr;
    release();
  }
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
