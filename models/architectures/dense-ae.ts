// The dense autoencoder: the window flattened and squeezed through a bottleneck.
//   x [B,T,C] → Flatten [B, T·C] → Gemm(hidden) Relu → Gemm(bottleneck) Relu → Gemm(hidden) Relu
//   → Gemm(T·C) → Reshape [B,T,C].
// Every Gemm is PyTorch's Linear (weight [O, I], transB = 1), named enc1/enc2/dec1/dec2.

import { GraphBuilder } from '../../engine/graph/builder.js';
import type { Graph } from '../../engine/graph/graph.js';
import type { Rng } from '../../engine/rng.js';
import { fanInInit, positiveInt } from './torch-init.js';

export interface DenseAeConfig {
  readonly channels: number;
  readonly windowSize: number;
  readonly hidden?: number;
  readonly bottleneck?: number;
}

export const DENSE_AE_DEFAULTS = { hidden: 64, bottleneck: 16 } as const;

export function buildDenseAe(config: DenseAeConfig, rng: Rng): Graph {
  const name = 'dense-ae';
  const C = positiveInt(name, 'channels', config.channels);
  const T = positiveInt(name, 'windowSize', config.windowSize);
  const hidden = positiveInt(name, 'hidden', config.hidden ?? DENSE_AE_DEFAULTS.hidden);
  const bottleneck = positiveInt(name, 'bottleneck', config.bottleneck ?? DENSE_AE_DEFAULTS.bottleneck);
  const g = new GraphBuilder(name);
  const x = g.input('input', ['batch', T, C]);
  let h = g.op('Flatten', [x], { axis: 1 }, 'flatten');
  const layers: [string, number, number, boolean][] = [
    ['enc1', T * C, hidden, true],
    ['enc2', hidden, bottleneck, true],
    ['dec1', bottleneck, hidden, true],
    ['dec2', hidden, T * C, false],
  ];
  for (const [layer, I, O, relu] of layers) {
    const w = g.param(`${layer}_weight`, [O, I], fanInInit(I));
    const b = g.param(`${layer}_bias`, [O], fanInInit(I));
    h = g.op('Gemm', [h, w, b], { transB: 1 }, layer);
    if (relu) h = g.op('Relu', [h], {}, `${layer}_relu`);
  }
  const shape = g.ints('window_shape', [-1, T, C]);
  g.output(g.op('Reshape', [h, shape], {}, 'reconstruction'), ['batch', T, C]);
  return g.build(rng);
}
