// The LSTM member of a NAB detector: `ensemble` stateful forecasters (seeds seed, seed+1, …) over
// the standardised value (plus the configured inputs), each one a Vigil lstm-forecaster detector
// streamed by models/streaming-forecaster.ts. Its residual for row t is the mean over the
// ensemble of (z_t − forecast) / σ_t, the forecast made at row t−1 (σ_t = 1, or the predicted
// standard deviation with nll). Training, all by truncated BPTT with a carried state (nab-tbptt.ts):
//   fit      `epochs` passes over the fit rows, chunks aligned to end at the last fit row
//   online   every `chunk` rows, one Adam step on the chunk just completed, unless a row in it was
//            judged anomalous (then the chunk only moves the carried state)
// Inputs per row: z_t, then per feature 'lag' z_{t+1−day} (the value a day before the target;
// z_t while there is no day of history), 'week' the same a week back, and 'diff' z_t − z_{t−1}.

import { createDetector } from '../../models/create-detector.js';
import { createForecastStream, type ForecastStream } from '../../models/streaming-forecaster.js';
import type { LstmMemberConfig } from './nab-config.js';
import type { NabFeatures } from './nab-features.js';
import type { NabMember } from './nab-member.js';
import { type CarriedTbptt, createCarriedTbptt, LOGVAR_MAX, LOGVAR_MIN } from './nab-tbptt.js';

interface Net {
  readonly stream: ForecastStream;
  readonly tbptt: CarriedTbptt;
}

export async function createLstmMember(features: NabFeatures, fitRows: number, cfg: LstmMemberConfig, seed: number): Promise<NabMember> {
  const { z, dayRows } = features;
  const n = features.rows;
  const extra = cfg.inputs.length;
  // nll needs a second output (the log-variance): a forecaster has as many outputs as inputs.
  const C = 1 + Math.max(extra, cfg.nll ? 1 : 0);
  const x = new Float32Array(n * C); // [n, C] the forecasters' input rows
  const fill = (t: number): void => {
    x[t * C] = z[t];
    cfg.inputs.forEach((f, k) => {
      if (f === 'diff') x[t * C + 1 + k] = t > 0 ? z[t] - z[t - 1] : 0;
      else {
        const back = f === 'week' ? 7 * dayRows : dayRows;
        x[t * C + 1 + k] = back > 0 && t + 1 - back >= 0 ? z[t + 1 - back] : z[t];
      }
    });
  };
  for (let t = 0; t < fitRows; t++) fill(t);
  const channels = ['value', ...Array.from({ length: C - 1 }, (_, k) => cfg.inputs[k] ?? 'logvar')];
  const K = cfg.chunk;
  const first = (fitRows - 1) % K; // the fit chunks end exactly at the last fit row's target
  const chunkAt = (tbptt: CarriedTbptt, a: number, learn: boolean): number =>
    tbptt.chunkStep(x.subarray(a * C, (a + K) * C), x.subarray((a + 1) * C, (a + K + 1) * C), learn);
  const weights = Array.from({ length: C }, (_, c) => (c === 0 ? 1 : 0));

  const nets: Net[] = [];
  for (let k = 0; k < cfg.ensemble; k++) {
    const detector = createDetector('lstm-forecaster', { channels, lookback: K, hidden: cfg.hidden, layers: cfg.layers, seed: seed + k, lr: cfg.lrOnline });
    const tbptt = createCarriedTbptt(detector, K, weights, cfg.nll);
    const optimizer = detector.optimizer();
    optimizer.lr = cfg.lrFit;
    for (let e = 0; e < Math.max(1, cfg.epochs); e++) {
      tbptt.reset();
      tbptt.advance(x, first);
      for (let a = first; a + K <= fitRows - 1; a += K) chunkAt(tbptt, a, cfg.epochs > 0);
    }
    optimizer.lr = cfg.lrOnline;
    nets.push({ stream: createForecastStream(detector), tbptt });
  }

  const sigma = new Float64Array(cfg.ensemble).fill(1); // each net's predicted σ for the next row
  const step = (t: number): number => {
    let sum = 0;
    nets.forEach((net, k) => {
      const forecast = net.stream.forecastScaled[0];
      net.stream.step(x.subarray(t * C, (t + 1) * C));
      sum += (z[t] - forecast) / sigma[k];
      if (cfg.nll) sigma[k] = Math.exp(0.5 * Math.min(LOGVAR_MAX, Math.max(LOGVAR_MIN, net.stream.forecastScaled[1])));
    });
    return sum / nets.length;
  };

  let flaggedInChunk = false;
  return {
    fitResiduals() {
      const out = new Float64Array(fitRows).fill(NaN);
      for (let t = 0; t < fitRows; t++) {
        const r = step(t);
        if (t > 0) out[t] = r;
      }
      return out;
    },
    residual(t) {
      fill(t);
      return step(t);
    },
    judged(t, normal) {
      if (!normal) flaggedInChunk = true;
      // The chunk of inputs a … a+K−1 (targets a+1 … a+K = t) is complete.
      const a = t - K;
      if (a >= fitRows - 1 && (a - (fitRows - 1)) % K === 0) {
        for (const net of nets) chunkAt(net.tbptt, a, !flaggedInChunk);
        flaggedInChunk = false;
      }
    },
  };
}
