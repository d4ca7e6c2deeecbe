// The register-blocked kernel under matmulForward: every block shape (4×4, 4×1, 1×4, 1×1) in every
// transpose case, and gemmStrided's offsets and row strides, against a naive triple loop in float64.
import { describe, expect, it } from 'vitest';
import { gemmStrided, matmulForward } from '../../../engine/kernels/matmul.js';
import { expectClose, randomArray } from '../../helpers/gradcheck.js';

function naive(a: Float64Array, b: Float64Array, M: number, K: number, N: number, tA: boolean, tB: boolean): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
      out[i * N + j] = s;
    }
  return out;
}

describe('matmulForward block paths', () => {
  // M and N cover multiples of 4, remainders 1-3, and the batch-1 row; K covers 0 and 1.
  const sizes: [number, number, number][] = [[8, 5, 12], [9, 6, 11], [7, 1, 6], [1, 40, 128], [3, 8, 2], [4, 0, 4], [13, 17, 15]];
  for (const [M, K, N] of sizes) {
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      it(`M=${M} K=${K} N=${N} transA=${tA} transB=${tB}, overwrite and accumulate`, () => {
        const a = randomArray(M * K, M + 3 * K);
        const b = randomArray(K * N, N + 5);
        const ref = naive(a, b, M, K, N, tA, tB);
        const out = randomArray(M * N, 99); // garbage: overwrite must ignore it
        matmulForward(out, a, b, M, K, N, tA, tB);
        expectClose(out, ref, { rtol: 1e-13, atol: 1e-14 }, 'overwrite');
        const base = randomArray(M * N, 7);
        const acc = Float64Array.from(base);
        matmulForward(acc, a, b, M, K, N, tA, tB, true);
        expectClose(acc, ref.map((v, i) => v + base[i]), { rtol: 1e-13, atol: 1e-14 }, 'accumulate');
      });
    }
  }

  it('works on float32 arrays, summing in float64 and rounding once', () => {
    const [M, K, N] = [6, 50, 7];
    const a64 = randomArray(M * K, 1), b64 = randomArray(K * N, 2);
    const a = Float32Array.from(a64), b = Float32Array.from(b64);
    const out = new Float32Array(M * N);
    matmulForward(out, a, b, M, K, N);
    const ref = naive(Float64Array.from(a), Float64Array.from(b), M, K, N, false, false);
    for (let i = 0; i < ref.length; i++) expect(out[i]).toBe(Math.fround(ref[i]));
  });
});

describe('gemmStrided', () => {
  it('reads and writes sub-blocks of larger buffers through offsets and row strides', () => {
    // Rows 1, 4, 7, 10, 13 (stride 3) of a [15, 6] buffer, times the transpose of rows 2..9 of a
    // [12, 6] buffer, written into every other row of a [10, 8] buffer from row 1 on.
    const [M, K, N] = [5, 6, 8];
    const big = randomArray(15 * 6, 3);
    const w = randomArray(12 * 6, 4);
    const a = new Float64Array(M * K), b = new Float64Array(N * K);
    for (let i = 0; i < M; i++) a.set(big.subarray((1 + 3 * i) * 6, (2 + 3 * i) * 6), i * K);
    b.set(w.subarray(2 * 6, 10 * 6));
    const ref = naive(a, b, M, K, N, false, true);
    const out = randomArray(10 * 8, 5);
    const before = Float64Array.from(out);
    gemmStrided(out, 8, 16, big, 6, 18, 1, w, 12, 1, 6, M, K, N, true);
    for (let r = 0; r < 10; r++) {
      const row = out.subarray(r * 8, r * 8 + 8), was = before.subarray(r * 8, r * 8 + 8);
      const i = (r - 1) / 2;
      if (Number.isInteger(i) && i >= 0 && i < M) expectClose(row, ref.subarray(i * N, i * N + N).map((v, j) => v + was[j]), { rtol: 1e-13, atol: 1e-14 }, `row ${r}`);
      else expect(Array.from(row)).toEqual(Array.from(was));
    }
  });
});
