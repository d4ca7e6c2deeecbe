// Conv1d (PyTorch nn.Conv1d, ONNX Conv over one spatial axis), channels-first (NCL), zero padding:
//   out[b, co, lo] = bias[co] + Σ_{c < Ci/groups} Σ_{k < K} weight[co, c, k] · x[b, g·Ci/groups + c, lo·stride + k·dilation - padBegin]
// where g = floor(co / (Co/groups)) and x reads as 0 outside [0, L). Lo = conv1dOutputLength(...).
// The caller validates the geometry once (Lo ≥ 1, Ci and Co divisible by groups); kernels do not.
// Loops walk the weight taps (b, co, c, k); the innermost loop is an axpy over exactly the output
// positions that tap reaches (tapBegin/tapEnd), so there are no bounds checks inside and no im2col
// buffer. conv1dBackward ACCUMULATES into dx, dWeight and dBias; pass null to skip one.

import type { FloatArray } from '../tensor.js';

/** Output length of a convolution: floor((L + padBegin + padEnd - dilation·(K-1) - 1) / stride) + 1. */
export function conv1dOutputLength(L: number, K: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  return Math.floor((L + padBegin + padEnd - dilation * (K - 1) - 1) / stride) + 1;
}

/**
 * A tap at offset `off` connects short-axis position s to long-axis position s·stride + off.
 * tapBegin is the first s ≥ 0 whose long position is ≥ 0; tapEnd is one past the last s < n whose
 * long position is < len. (Short axis: conv output, transposed-conv input. Long axis: the other.)
 */
export function tapBegin(off: number, stride: number): number {
  return off >= 0 ? 0 : Math.ceil(-off / stride);
}
export function tapEnd(off: number, stride: number, len: number, n: number): number {
  const end = Math.floor((len - 1 - off) / stride) + 1;
  return end < n ? end : n;
}

export function conv1dForward(
  out: FloatArray, // [B, Co, Lo]
  x: FloatArray, // [B, Ci, L]
  weight: FloatArray, // [Co, Ci/groups, K]
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
): void {
  const Lo = conv1dOutputLength(L, K, stride, padBegin, padEnd, dilation);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    for (let co = 0; co < Co; co++) {
      const o = (b * Co + co) * Lo;
      out.fill(bias === null ? 0 : bias[co], o, o + Lo);
      const xGroup = (b * Ci + Math.floor(co / Cog) * Cig) * L;
      for (let c = 0; c < Cig; c++) {
        const xRow = xGroup + c * L;
        const wRow = (co * Cig + c) * K;
        for (let k = 0; k < K; k++) {
          const w = weight[wRow + k];
          const off = k * dilation - padBegin;
          const lo1 = tapEnd(off, stride, L, Lo);
          let lo = tapBegin(off, stride);
          let xi = xRow + lo * stride + off;
          for (; lo < lo1; lo++, xi += stride) out[o + lo] += w * x[xi];
        }
      }
    }
  }
}

export function conv1dBackward(
  dx: FloatArray | null, // [B, Ci, L]        += ∂loss/∂x
  dWeight: FloatArray | null, // [Co, Ci/groups, K] += ∂loss/∂weight
  dBias: FloatArray | null, // [Co]             += ∂loss/∂bias
  dOut: FloatArray, // [B, Co, Lo]
  x: FloatArray, // [B, Ci, L]  (read only for dWeight)
  weight: FloatArray, // [Co, Ci/groups, K] (read only for dx)
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
): void {
  const Lo = conv1dOutputLength(L, K, stride, padBegin, padEnd, dilation);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    for (let co = 0; co < Co; co++) {
      const o = (b * Co + co) * Lo;
      if (dBias !== null) {
        let s = 0;
        for (let lo = 0; lo < Lo; lo++) s += dOut[o + lo];
        dBias[co] += s;
      }
      const xGroup = (b * Ci + Math.floor(co / Cog) * Cig) * L;
      for (let c = 0; c < Cig; c++) {
        const xRow = xGroup + c * L;
        const wRow = (co * Cig + c) * K;
        for (let k = 0; k < K; k++) {
          const off = k * dilation - padBegin;
          const lo0 = tapBegin(off, stride);
          const lo1 = tapEnd(off, stride, L, Lo);
          const xi0 = xRow + lo0 * stride + off;
          if (dx !== null) {
            const w = weight[wRow + k];
            for (let lo = lo0, xi = xi0; lo < lo1; lo++, xi += stride) dx[xi] += w * dOut[o + lo];
          }
          if (dWeight !== null) {
            let s = 0;
            for (let lo = lo0, xi = xi0; lo < lo1; lo++, xi += stride) s += dOut[o + lo] * x[xi];
            dWeight[wRow + k] += s;
          }
        }
      }
    }
  }
}
