// ConvTranspose1d (PyTorch nn.ConvTranspose1d, ONNX ConvTranspose over one spatial axis), NCL:
//   out[b, co, i·stride + k·dilation - padBegin] += weight[ci, co - g·Co/groups, k] · x[b, ci, i]   (+ bias[co])
// for every input channel ci of group g = floor(ci / (Ci/groups)) and every co of that group, dropping
// positions outside [0, Lo), with
//   Lo = (L-1)·stride - padBegin - padEnd + dilation·(K-1) + outputPadding + 1.
// It is the adjoint of conv1dForward with the same weight buffer ([Ci, Co/groups, K] here is Conv's
// [Co', Ci'/groups, K] with the channel roles swapped). outputPadding only lengthens the end: positions
// no tap reaches hold the bias. The caller validates the geometry (Lo ≥ 1, channels divisible by groups).
// Loops walk weight taps; the innermost loop runs over the input positions a tap reaches, reading x
// (and writing dx) contiguously. convTranspose1dBackward ACCUMULATES into dx, dWeight, dBias (null skips).

import type { FloatArray } from '../tensor.js';
import { tapBegin, tapEnd } from './conv1d.js';

export function convTranspose1dOutputLength(
  L: number,
  K: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  outputPadding: number,
): number {
  return (L - 1) * stride - padBegin - padEnd + dilation * (K - 1) + outputPadding + 1;
}

export function convTranspose1dForward(
  out: FloatArray, // [B, Co, Lo]
  x: FloatArray, // [B, Ci, L]
  weight: FloatArray, // [Ci, Co/groups, K]
  bias: FloatArray | null, // [Co]
  B: number,
  Ci: number,
  L: number,
  Co: number,
  K: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  groups: number,
  outputPadding: number,
): void {
  const Lo = convTranspose1dOutputLength(L, K, stride, padBegin, padEnd, dilation, outputPadding);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    const oBatch = b * Co * Lo;
    if (bias === null) out.fill(0, oBatch, oBatch + Co * Lo);
    else for (let co = 0; co < Co; co++) out.fill(bias[co], oBatch + co * Lo, oBatch + (co + 1) * Lo);
    for (let ci = 0; ci < Ci; ci++) {
      const xRow = (b * Ci + ci) * L;
      const oGroup = oBatch + Math.floor(ci / Cig) * Cog * Lo;
      for (let c = 0; c < Cog; c++) {
        const oRow = oGroup + c * Lo;
        const wRow = (ci * Cog + c) * K;
        for (let k = 0; k < K; k++) {
          const w = weight[wRow + k];
          const off = k * dilation - padBegin;
          const i1 = tapEnd(off, stride, Lo, L);
          let i = tapBegin(off, stride);
          let oi = oRow + i * stride + off;
          for (; i < i1; i++, oi += stride) out[oi] += w * x[xRow + i];
        }
      }
    }
  }
}

export function convTranspose1dBackward(
  dx: FloatArray | null, // [B, Ci, L]           += ∂loss/∂x
  dWeight: FloatArray | null, // [Ci, Co/groups, K] += ∂loss/∂weight
  dBias: FloatArray | null, // [Co]               += ∂loss/∂bias
  dOut: FloatArray, // [B, Co, Lo]
  x: FloatArray, // [B, Ci, L]  (read only for dWeight)
  weight: FloatArray, // [Ci, Co/groups, K] (read only for dx)
  B: number,
  Ci: number,
  L: number,
  Co: number,
  K: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  dilation: number,
  groups: number,
  outputPadding: number,
): void {
  const Lo = convTranspose1dOutputLength(L, K, stride, padBegin, padEnd, dilation, outputPadding);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    const oBatch = b * Co * Lo;
    if (dBias !== null) {
      for (let co = 0; co < Co; co++) {
        const o = oBatch + co * Lo;
        let s = 0;
        for (let j = 0; j < Lo; j++) s += dOut[o + j];
        dBias[co] += s;
      }
    }
    for (let ci = 0; ci < Ci; ci++) {
      const xRow = (b * Ci + ci) * L;
      const oGroup = oBatch + Math.floor(ci / Cig) * Cog * Lo;
      for (let c = 0; c < Cog; c++) {
        const oRow = oGroup + c * Lo;
        const wRow = (ci * Cog + c) * K;
        for (let k = 0; k < K; k++) {
          const off = k * dilation - padBegin;
          const i0 = tapBegin(off, stride);
          const i1 = tapEnd(off, stride, Lo, L);
          const oi0 = oRow + i0 * stride + off;
          if (dx !== null) {
            const w = weight[wRow + k];
            for (let i = i0, oi = oi0; i < i1; i++, oi += stride) dx[xRow + i] += w * dOut[oi];
          }
          if (dWeight !== null) {
            let s = 0;
            for (let i = i0, oi = oi0; i < i1; i++, oi += stride) s += x[xRow + i] * dOut[oi];
            dWeight[wRow + k] += s;
          }
        }
      }
    }
  }
}
