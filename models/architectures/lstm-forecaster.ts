// The LSTM forecaster: predicts the next `horizon` samples from the `lookback` before them.
//   x [B, lookback, C] → Transpose [T,B,C] → L × LSTM (layout 0, hidden H; Y [T,1,B,H] squeezed
//   to [T,B,H] between layers) → last layer's Y_h [1,B,H] → Squeeze [B,H] → Gemm [B, horizon·C]
//   (→ Reshape [B, horizon, C] when horizon > 1).
// Parameters: lstm_l{k}_W [1,4H,F], _R [1,4H,H], _B [1,8H] (ONNX gate order i,o,f,c), head_weight
// [horizon·C, H] (Gemm transB = 1, as PyTorch's Linear), head_bias. Defaults give the reference
// forecaster: lookback 60, hidden 32, 2 layers, horizon 1.

import { GraphBuilder } from '../../engine/graph/builder.js';
import type { Graph } from '../../engine/graph/graph.js';
import type { Rng } from '../../engine/rng.js';
import { fanInInit, lstmInit, positiveInt } from './torch-init.js';

export interface LstmForecasterConfig {
  readonly channels: number;
  readonly lookback?: number;
  readonly hidden?: number;
  readonly layers?: number;
  readonly horizon?: number;
}

export const LSTM_FORECASTER_DEFAULTS = { lookback: 60, hidden: 32, layers: 2, horizon: 1 } as const;

export function buildLstmForecaster(config: LstmForecasterConfig, rng: Rng): Graph {
  const name = 'lstm-forecaster';
  const C = positiveInt(name, 'channels', config.channels);
  const T = positiveInt(name, 'lookback', config.lookback ?? LSTM_FORECASTER_DEFAULTS.lookback);
  const H = positiveInt(name, 'hidden', config.hidden ?? LSTM_FORECASTER_DEFAULTS.hidden);
  const L = positiveInt(name, 'layers', config.layers ?? LSTM_FORECASTER_DEFAULTS.layers);
  const horizon = positiveInt(name, 'horizon', config.horizon ?? LSTM_FORECASTER_DEFAULTS.horizon);
  const g = new GraphBuilder(name);
  const x = g.input('input', ['batch', T, C]);
  let seq = g.op('Transpose', [x], { perm: [1, 0, 2] }, 'to_time_major'); // [T,B,C]
  const axis1 = L > 1 ? g.ints('axes_1', [1]) : '';
  const axis0 = g.ints('axes_0', [0]);
  let last = '';
  for (let k = 0; k < L; k++) {
    const F = k === 0 ? C : H;
    const W = g.param(`lstm_l${k}_W`, [1, 4 * H, F], lstmInit(H));
    const R = g.param(`lstm_l${k}_R`, [1, 4 * H, H], lstmInit(H));
    const B = g.param(`lstm_l${k}_B`, [1, 8 * H], lstmInit(H));
    const [Y, Yh] = g.node('LSTM', [seq, W, R, B], { hidden_size: H }, k === L - 1 ? 2 : 1, `lstm_l${k}`);
    if (k < L - 1) seq = g.op('Squeeze', [Y, axis1], {}, `lstm_l${k}_squeeze`); // [T,B,H]
    else last = g.op('Squeeze', [Yh, axis0], {}, 'last_h'); // [B,H]
  }
  const hw = g.param('head_weight', [horizon * C, H], fanInInit(H));
  const hb = g.param('head_bias', [horizon * C], fanInInit(H));
  const out = g.op('Gemm', [last, hw, hb], { transB: 1 }, 'head');
  if (horizon === 1) {
    g.output(out, ['batch', C]);
  } else {
    const shape = g.ints('forecast_shape', [-1, horizon, C]);
    g.output(g.op('Reshape', [out, shape], {}, 'forecast'), ['batch', horizon, C]);
  }
  return g.build(rng);
}
