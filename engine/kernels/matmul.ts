// matmulForward: out[M,N] (=|+=) op(a)[M,K] · op(b)[K,N], where op transposes when asked.
// Row-major flat arrays. Loop orders keep the innermost loop on contiguous memory:
//   a·b    : i-k-j (axpy of b's rows)         aᵀ·b : k-i-j
//   a·bᵀ   : i-j-k (dot of two rows)          aᵀ·bᵀ: i-j-k with strided reads (rare)
// Backward of y = x·wᵀ (Dense) is two more calls: dx += dy·w, dw += dyᵀ·x.

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
  if (!accumulate) out.fill(0, 0, M * N);
  if (!transA && !transB) {
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      const oi = i * N;
      for (let k = 0; k < K; k++) {
        const av = a[ai + k];
        if (av === 0) continue;
        const bk = k * N;
        for (let j = 0; j < N; j++) out[oi + j] += av * b[bk + j];
      }
    }
  } else if (!transA && transB) {
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      const oi = i * N;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        let k = 0;
        for (; k + 3 < K; k += 4) {
          s0 += a[ai + k] * b[bj + k];
          s1 += a[ai + k + 1] * b[bj + k + 1];
          s2 += a[ai + k + 2] * b[bj + k + 2];
          s3 += a[ai + k + 3] * b[bj + k + 3];
        }
        for (; k < K; k++) s0 += a[ai + k] * b[bj + k];
        out[oi + j] += s0 + s1 + s2 + s3;
      }
    }
  } else if (transA && !transB) {
    for (let k = 0; k < K; k++) {
      const ak = k * M;
      const bk = k * N;
      for (let i = 0; i < M; i++) {
        const av = a[ak + i];
        if (av === 0) continue;
        const oi = i * N;
        for (let j = 0; j < N; j++) out[oi + j] += av * b[bk + j];
      }
    }
  } else {
    for (let i = 0; i < M; i++) {
      const oi = i * N;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += a[k * M + i] * b[bj + k];
        out[oi + j] += s;
      }
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
