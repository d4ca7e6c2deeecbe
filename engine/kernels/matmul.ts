// matmulForward: out[M,N] (=|+=) op(a)[M,K] · op(b)[K,N], where op transposes when asked.
// Row-major flat arrays. Backward of y = x·wᵀ (Dense) is two more calls: dx += dy·w, dw += dyᵀ·x.
// All four transpose cases run one register-blocked kernel, gemmStrided, that reads A and B
// through strides: each 4×4 block of out keeps its 16 sums in locals across the whole k loop, so
// every 8 loads feed 16 multiply-adds and out is written once (the plain i-k-j loop loads and
// stores out for every multiply-add); single rows (batch-1 steps) use 1×8 blocks. bench/ measured
// this at 3-6× the plain loops on every shape the LSTM produces. Sums are kept in float64 locals
// and rounded once on store.

import type { FloatArray } from '../tensor.js';

export function matmulForward(
  out: FloatArray, // [M, N]
  a: FloatArray, // [M, K] or, with transA, [K, M]
  b: FloatArray, // [K, N] or, with transB, [N, K]
  M: number,
  K: number,
  N: number,
  transA = false,
  transB = false,
  accumulate = false,
): void {
  gemmStrided(out, 0, N, a, 0, transA ? 1 : K, transA ? M : 1, b, 0, transB ? 1 : N, transB ? K : 1, M, K, N, accumulate);
}

/**
 * out(i,j) (=|+=) Σk A(i,k)·B(k,j) for i < M, j < N, k < K, where
 *   A(i,k) = a[aOff + i·aRow + k·aK],  B(k,j) = b[bOff + k·bK + j·bCol],  out(i,j) = out[outOff + i·outRow + j].
 * Strides express the transposes and sub-blocks of larger buffers (one LSTM step's rows inside a
 * [B·T, 4H] buffer) without copies. out must not overlap a or b.
 */
export function gemmStrided(
  out: FloatArray, outOff: number, outRow: number,
  a: FloatArray, aOff: number, aRow: number, aK: number,
  b: FloatArray, bOff: number, bK: number, bCol: number,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  const M4 = M - (M % 4), N4 = N - (N % 4);
  const a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow;
  const b1 = bCol, b2 = 2 * bCol, b3 = 3 * bCol;
  for (let i = 0; i < M4; i += 4) {
    const ai = aOff + i * aRow;
    const oi = outOff + i * outRow;
    for (let j = 0; j < N4; j += 4) {
      // 4×4 block: rows i..i+3, columns j..j+3.
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let k = 0; k < K; k++) {
        const x0 = a[pa], x1 = a[pa + a1], x2 = a[pa + a2], x3 = a[pa + a3];
        const y0 = b[pb], y1 = b[pb + b1], y2 = b[pb + b2], y3 = b[pb + b3];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
        pa += aK;
        pb += bK;
      }
      const o0 = oi + j, o1 = o0 + outRow, o2 = o1 + outRow, o3 = o2 + outRow;
      if (accumulate) {
        out[o0] += s00; out[o0 + 1] += s01; out[o0 + 2] += s02; out[o0 + 3] += s03;
        out[o1] += s10; out[o1 + 1] += s11; out[o1 + 2] += s12; out[o1 + 3] += s13;
        out[o2] += s20; out[o2 + 1] += s21; out[o2 + 2] += s22; out[o2 + 3] += s23;
        out[o3] += s30; out[o3 + 1] += s31; out[o3 + 2] += s32; out[o3 + 3] += s33;
      } else {
        out[o0] = s00; out[o0 + 1] = s01; out[o0 + 2] = s02; out[o0 + 3] = s03;
        out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
        out[o2] = s20; out[o2 + 1] = s21; out[o2 + 2] = s22; out[o2 + 3] = s23;
        out[o3] = s30; out[o3 + 1] = s31; out[o3 + 2] = s32; out[o3 + 3] = s33;
      }
    }
    for (let j = N4; j < N; j++) {
      // 4×1 block: the last N % 4 columns.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let k = 0; k < K; k++) {
        const y = b[pb];
        s0 += a[pa] * y; s1 += a[pa + a1] * y; s2 += a[pa + a2] * y; s3 += a[pa + a3] * y;
        pa += aK;
        pb += bK;
      }
      const o0 = oi + j, o1 = o0 + outRow, o2 = o1 + outRow, o3 = o2 + outRow;
      if (accumulate) {
        out[o0] += s0; out[o1] += s1; out[o2] += s2; out[o3] += s3;
      } else {
        out[o0] = s0; out[o1] = s1; out[o2] = s2; out[o3] = s3;
      }
    }
  }
  const N8 = N - (N % 8);
  const b4 = 4 * bCol, b5 = 5 * bCol, b6 = 6 * bCol, b7 = 7 * bCol;
  for (let i = M4; i < M; i++) {
    // The last M % 4 rows (all of a batch-1 LSTM step): 1×8 blocks (each a load feeds 8 sums),
    // then 1×4, then single dots.
    const ai = aOff + i * aRow;
    const oi = outOff + i * outRow;
    for (let j = 0; j < N8; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let k = 0; k < K; k++) {
        const x = a[pa];
        s0 += x * b[pb]; s1 += x * b[pb + b1]; s2 += x * b[pb + b2]; s3 += x * b[pb + b3];
        s4 += x * b[pb + b4]; s5 += x * b[pb + b5]; s6 += x * b[pb + b6]; s7 += x * b[pb + b7];
        pa += aK;
        pb += bK;
      }
      const o = oi + j;
      if (accumulate) {
        out[o] += s0; out[o + 1] += s1; out[o + 2] += s2; out[o + 3] += s3;
        out[o + 4] += s4; out[o + 5] += s5; out[o + 6] += s6; out[o + 7] += s7;
      } else {
        out[o] = s0; out[o + 1] = s1; out[o + 2] = s2; out[o + 3] = s3;
        out[o + 4] = s4; out[o + 5] = s5; out[o + 6] = s6; out[o + 7] = s7;
      }
    }
    for (let j = N8; j < N4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let k = 0; k < K; k++) {
        const x = a[pa];
        s0 += x * b[pb]; s1 += x * b[pb + b1]; s2 += x * b[pb + b2]; s3 += x * b[pb + b3];
        pa += aK;
        pb += bK;
      }
      const o = oi + j;
      if (accumulate) {
        out[o] += s0; out[o + 1] += s1; out[o + 2] += s2; out[o + 3] += s3;
      } else {
        out[o] = s0; out[o + 1] = s1; out[o + 2] = s2; out[o + 3] = s3;
      }
    }
    for (let j = N4; j < N; j++) {
      let s = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let k = 0; k < K; k++) {
        s += a[pa] * b[pb];
        pa += aK;
        pb += bK;
      }
      out[oi + j] = accumulate ? out[oi + j] + s : s;
    }
  }
}

/** out[M,N] += bias[N] broadcast over rows. */
export function biasAddForward(out: FloatArray, bias: FloatArray, M: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const oi = i * N;
    for (let j = 0; j < N; j++) out[oi + j] += bias[j];
  }
}

/** dBias[N] += column sums of dOut[M,N]. */
export function biasAddBackward(dBias: FloatArray, dOut: FloatArray, M: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const oi = i * N;
    for (let j = 0; j < N; j++) dBias[j] += dOut[oi + j];
  }
}
