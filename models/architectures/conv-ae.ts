// The convolutional autoencoder in SKAB's shape, channels-first over time:
//   x [B,T,C] → Transpose [B,C,T] → Conv(f1, k, stride 2, pads k/2) Relu → Conv(f2, k, s2) Relu
//   → ConvTranspose(f2, k, s2, output_padding 1) Relu → ConvTranspose(f1, k, s2, op 1) Relu
//   → Conv(C, k, stride 1) → Transpose [B,T,C].
// Each stride-2 conv halves T and each transposed conv doubles it, so T must divide by 4.
// SKAB's defaults: 32 and 16 filters, kernel 7 (odd, so "same" padding is symmetric).

import { GraphBuilder } from '../../engine/graph/builder.js';
import type { Graph } from '../../engine/graph/graph.js';
import type { Rng } from '../../engine/rng.js';
import { fanInInit, positiveInt } from './torch-init.js';

export interface ConvAeConfig {
  readonly channels: number;
  readonly windowSize: number;
  readonly filters1?: number;
  readonly filters2?: number;
  readonly kernel?: number;
}

export const CONV_AE_DEFAULTS = { filters1: 32, filters2: 16, kernel: 7 } as const;

export function buildConvAe(config: ConvAeConfig, rng: Rng): Graph {
  const name = 'conv-ae';
  const C = positiveInt(name, 'channels', config.channels);
  const T = positiveInt(name, 'windowSize', config.windowSize);
  const f1 = positiveInt(name, 'filters1', config.filters1 ?? CONV_AE_DEFAULTS.filters1);
  const f2 = positiveInt(name, 'filters2', config.filters2 ?? CONV_AE_DEFAULTS.filters2);
  const k = positiveInt(name, 'kernel', config.kernel ?? CONV_AE_DEFAULTS.kernel);
  if (T % 4 !== 0) {
    const lo = Math.max(4, T - (T % 4));
    throw new Error(`conv-ae: windowSize must be divisible by 4 (two stride-2 convolutions down, two up), got ${T}; use ${lo} or ${lo + 4}`);
  }
  if (k % 2 !== 1) throw new Error(`conv-ae: kernel must be odd so that padding keeps lengths ("same"), got ${k}`);
  const p = (k - 1) / 2;
  const g = new GraphBuilder(name);
  const x = g.input('input', ['batch', T, C]);
  let h = g.op('Transpose', [x], { perm: [0, 2, 1] }, 'to_channels_first'); // [B,C,T]
  const conv = (layer: string, ci: number, co: number, stride: number, relu: boolean): void => {
    const w = g.param(`${layer}_weight`, [co, ci, k], fanInInit(ci * k));
    const b = g.param(`${layer}_bias`, [co], fanInInit(ci * k));
    h = g.op('Conv', [h, w, b], { kernel_shape: [k], strides: [stride], pads: [p, p] }, layer);
    if (relu) h = g.op('Relu', [h], {}, `${layer}_relu`);
  };
  const deconv = (layer: string, ci: number, co: number): void => {
    const w = g.param(`${layer}_weight`, [ci, co, k], fanInInit(co * k));
    const b = g.param(`${layer}_bias`, [co], fanInInit(co * k));
    h = g.op('ConvTranspose', [h, w, b], { kernel_shape: [k], strides: [2], pads: [p, p], output_padding: [1] }, layer);
    h = g.op('Relu', [h], {}, `${layer}_relu`);
  };
  conv('enc1', C, f1, 2, true); // [B,f1,T/2]
  conv('enc2', f1, f2, 2, true); // [B,f2,T/4]
  deconv('dec1', f2, f2); // [B,f2,T/2]
  deconv('dec2', f2, f1); // [B,f1,T]
  conv('out', f1, C, 1, false); // [B,C,T]
  g.output(g.op('Transpose', [h], { perm: [0, 2, 1] }, 'reconstruction'), ['batch', T, C]);
  return g.build(rng);
}
