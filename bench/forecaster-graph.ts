// The reference forecaster as PyTorch exports it (nn.LSTM(F, H, num_layers=2, batch_first=True) →
// last step → nn.Linear(H, O)): Transpose → LSTM → Squeeze → LSTM → Y_h → Squeeze → Gemm.
// Weights are U(-1/√H, 1/√H) as torch initialises them; the batch axis is symbolic.

import { GraphBuilder } from '../engine/graph/builder.js';
import type { Graph } from '../engine/graph/graph.js';
import { uniformFill } from '../engine/init.js';
import { createRng, type Rng } from '../engine/rng.js';
import type { FloatArray } from '../engine/tensor.js';

export interface ForecasterSize {
  readonly features: number; // F
  readonly hidden: number; // H
  readonly window: number; // T
  readonly outputs: number; // O
}

export const REFERENCE: ForecasterSize = { features: 8, hidden: 32, window: 60, outputs: 8 };

/** FLOPs of one window (one batch row) forward: the gate matmuls of both layers plus the head. */
export function forecasterFlops({ features: F, hidden: H, window: T, outputs: O }: ForecasterSize): number {
  return T * (2 * 4 * H * (F + H) + 2 * 4 * H * (H + H)) + 2 * H * O;
}

export const FLOPS_FORMULA =
  'flops per window = T·[2·4H·(F+H) + 2·4H·(H+H)] + 2·H·O  (gate matmuls of layers 1 and 2, head); ' +
  'forward+backward counted as 3× forward (backward does two matmuls per forward matmul); nonlinearities not counted';

export function forecasterGraph(size: ForecasterSize = REFERENCE, seed = 7): Graph {
  const { features: F, hidden: H, window: T, outputs: O } = size;
  const a = 1 / Math.sqrt(H);
  const u = (lo: number, hi: number) => (v: FloatArray, rng: Rng): void => {
    uniformFill(v, lo, hi, rng);
  };
  const gb = new GraphBuilder('forecaster');
  const input = gb.input('input', ['batch', T, F]);
  const x = gb.op('Transpose', [input], { perm: [1, 0, 2] }); // [T, B, F]
  const w1 = gb.param('lstm.W0', [1, 4 * H, F], u(-a, a));
  const r1 = gb.param('lstm.R0', [1, 4 * H, H], u(-a, a));
  const b1 = gb.param('lstm.B0', [1, 8 * H], u(-a, a));
  const [y1] = gb.node('LSTM', [x, w1, r1, b1], { hidden_size: H }, 3); // Y [T, 1, B, H]
  const s1 = gb.op('Squeeze', [y1, gb.ints('axes1', [1])]); // [T, B, H]
  const w2 = gb.param('lstm.W1', [1, 4 * H, H], u(-a, a));
  const r2 = gb.param('lstm.R1', [1, 4 * H, H], u(-a, a));
  const b2 = gb.param('lstm.B1', [1, 8 * H], u(-a, a));
  const [, yh2] = gb.node('LSTM', [s1, w2, r2, b2], { hidden_size: H }, 3); // Y_h [1, B, H]
  const last = gb.op('Squeeze', [yh2, gb.ints('axes0', [0])]); // [B, H]
  const hw = gb.param('head.weight', [O, H], u(-a, a));
  const hb = gb.param('head.bias', [O], u(-a, a));
  gb.output(gb.op('Gemm', [last, hw, hb], { transB: 1 }), ['batch', O]);
  return gb.build(createRng(seed));
}
