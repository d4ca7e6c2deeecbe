// The LSTM autoencoder in SKAB's shape (encoder LSTM → final h repeated T times → decoder LSTM
// → per-step dense):
//   x [B,T,C] → Transpose [T,B,C] → LSTM enc (hidden H) → Y_h [1,B,H] → Expand [T,B,H]
//   → LSTM dec (hidden H) → Y [T,1,B,H] → Squeeze [T,B,H] → Transpose [B,T,H]
//   → MatMul out_weight [H,C] → Add out_bias [C] → [B,T,C].
// SKAB uses 100 units with ReLU cells; ONNX's LSTM (and onnxruntime) run the standard
// σ/tanh cell, so that is what this is, with a default of 32 units for the edge.

import { GraphBuilder } from '../../engine/graph/builder.js';
import type { Graph } from '../../engine/graph/graph.js';
import type { Rng } from '../../engine/rng.js';
import { fanInInit, lstmInit, positiveInt } from './torch-init.js';

export interface LstmAeConfig {
  readonly channels: number;
  readonly windowSize: number;
  readonly hidden?: number;
}

export const LSTM_AE_DEFAULTS = { hidden: 32 } as const;

export function buildLstmAe(config: LstmAeConfig, rng: Rng): Graph {
  const name = 'lstm-ae';
  const C = positiveInt(name, 'channels', config.channels);
  const T = positiveInt(name, 'windowSize', config.windowSize);
  const H = positiveInt(name, 'hidden', config.hidden ?? LSTM_AE_DEFAULTS.hidden);
  const g = new GraphBuilder(name);
  const x = g.input('input', ['batch', T, C]);
  const seq = g.op('Transpose', [x], { perm: [1, 0, 2] }, 'to_time_major'); // [T,B,C]
  const lstm = (prefix: string, input: string, F: number): string[] => {
    const W = g.param(`${prefix}_W`, [1, 4 * H, F], lstmInit(H));
    const R = g.param(`${prefix}_R`, [1, 4 * H, H], lstmInit(H));
    const B = g.param(`${prefix}_B`, [1, 8 * H], lstmInit(H));
    return g.node('LSTM', [input, W, R, B], { hidden_size: H }, 2, prefix);
  };
  const [, code] = lstm('encoder', seq, C); // Y_h [1,B,H]
  const repeat = g.ints('repeat_shape', [T, 1, 1]);
  const repeated = g.op('Expand', [code, repeat], {}, 'repeat_vector'); // [T,B,H]
  const [decoded] = lstm('decoder', repeated, H); // [T,1,B,H]
  const squeezed = g.op('Squeeze', [decoded, g.ints('axes_1', [1])], {}, 'decoder_squeeze'); // [T,B,H]
  const batchFirst = g.op('Transpose', [squeezed], { perm: [1, 0, 2] }, 'to_batch_first'); // [B,T,H]
  const w = g.param('out_weight', [H, C], fanInInit(H));
  const b = g.param('out_bias', [C], fanInInit(H));
  const projected = g.op('MatMul', [batchFirst, w], {}, 'time_distributed');
  g.output(g.op('Add', [projected, b], {}, 'reconstruction'), ['batch', T, C]);
  return g.build(rng);
}
