// Truncated BPTT with a carried state, for a stateful LSTM forecaster that learns online: the
// series is cut into consecutive chunks of K steps, each chunk starts from the state the previous
// one ended in (values only: gradients stop at the boundary) and forecasts, at each of its K steps,
// the next sample. The same training graph (models/streaming-forecaster-tbptt.ts, over the
// detector's own parameters) serves the probation epochs and the online chunks, so the weights the
// stream reads are the ones trained here. A chunk can be passed with learn = false: it only moves
// the carried state (a chunk holding a flagged sample is never learned from). advance() moves the
// state over a few samples outside any chunk (the alignment before the first one).
// Losses are MSE in the units the samples are given in (the caller scales them).

import { lstmStep } from '../../engine/layers/lstm.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { buildStatefulGraph, createCarriedRunner, type StatefulGraph } from '../../models/streaming-forecaster-tbptt.js';
import { streamModelFor, syncStreamModel } from '../../models/streaming-forecaster.js';

export interface CarriedTbptt {
  readonly chunk: number;
  /** Back to the zero state. */
  reset(): void;
  /** Moves the carried state over `count` samples [count, C] without learning. */
  advance(samples: Float32Array, count: number): void;
  /**
   * One chunk: inputs [K, C] from the carried state, targets [K, C] (each input's next sample).
   * With learn, one Adam step on the chunk's MSE; returns that loss (before the step).
   */
  chunkStep(inputs: Float32Array, targets: Float32Array, learn: boolean): number;
}

export const LOGVAR_MIN = -8;
export const LOGVAR_MAX = 6;

export function createCarriedTbptt(detector: GraphDetector, chunk: number, lossWeights?: readonly number[], nll = false): CarriedTbptt {
  const sg: StatefulGraph = buildStatefulGraph(detector, chunk);
  const model = streamModelFor(detector);
  const C = model.channels;
  if (model.horizon !== 1) throw new Error(`online TBPTT forecasts one step ahead; the detector's horizon is ${model.horizon}`);
  const K = sg.chunk;
  const carried = createCarriedRunner(sg, C, C);
  const { runner, x, dOut, h0, c0 } = carried;
  const weights = Float64Array.from({ length: C }, (_, c) => lossWeights?.[c] ?? 1);
  const wSum = weights.reduce((a, b) => a + b, 0);
  const gates = new Float32Array(Math.max(...model.layers.map((l) => 4 * l.H)));
  const optimizer = detector.optimizer();

  /** Channel 0 forecasts the next value (mean), channel 1 its log-variance: Gaussian NLL; fills dOut. */
  const nllLoss = (y: ArrayLike<number>, targets: ArrayLike<number>): number => {
    let loss = 0;
    dOut.data.fill(0);
    for (let t = 0; t < K; t++) {
      const d = y[t * C] - targets[t * C];
      const raw = y[t * C + 1];
      const sv = Math.min(LOGVAR_MAX, Math.max(LOGVAR_MIN, raw));
      const inv = Math.exp(-sv);
      loss += 0.5 * (sv + d * d * inv);
      dOut.data[t * C] = (d * inv) / K;
      dOut.data[t * C + 1] = raw === sv ? (0.5 * (1 - d * d * inv)) / K : 0;
    }
    return loss / K;
  };
  /** Channel-weighted mean squared error; fills dOut with its gradient. */
  const mseLoss = (y: ArrayLike<number>, targets: ArrayLike<number>): number => {
    let loss = 0;
    for (let i = 0; i < K * C; i++) {
      const w = weights[i % C];
      const d = y[i] - targets[i];
      loss += w * d * d;
      dOut.data[i] = w * d;
    }
    const k2 = 2 / (K * wSum);
    for (let i = 0; i < K * C; i++) dOut.data[i] *= k2;
    return loss / (K * wSum);
  };

  return {
    chunk: K,
    reset: carried.reset,
    advance(samples, count) {
      syncStreamModel(model);
      for (let t = 0; t < count; t++) {
        let v: Float32Array = samples.subarray(t * C, (t + 1) * C);
        model.layers.forEach((l, k) => {
          lstmStep(h0[k].data, c0[k].data, v, l.wIh, l.wHh, l.bIh, l.bHh, gates, 1, l.F, l.H);
          v = h0[k].data as Float32Array;
        });
      }
    },
    chunkStep(inputs, targets, learn) {
      x.data.set(inputs.subarray(0, K * C));
      const out = carried.run();
      const y = out[sg.forecasts].data; // [1, K, C]
      const loss = nll ? nllLoss(y, targets) : mseLoss(y, targets);
      if (learn && Number.isFinite(loss)) {
        optimizer.zeroGrad();
        runner.backwardAll({ [sg.forecasts]: dOut });
        optimizer.step();
        detector.recordUpdate(K);
      }
      carried.carry(out);
      return loss;
    },
  };
}
