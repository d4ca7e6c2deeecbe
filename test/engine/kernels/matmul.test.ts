import { describe, expect, it } from 'vitest';
import { biasAddBackward, biasAddForward, matmulForward } from '../../../engine/kernels/matmul.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

/** Naive reference: out[i,j] = Σk A[i,k]·B[k,j] with explicit index maps for the transposes. */
function reference(a: Float64Array, b: Float64Array, M: number, K: number, N: number, tA: boolean, tB: boolean): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
      out[i * N + j] = s;
    }
  return out;
}

describe('matmulForward', () => {
  for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`matches the naive product (transA=${tA}, transB=${tB}) on odd sizes`, () => {
      const [M, K, N] = [5, 7, 3];
      const a = randomArray(M * K, 1);
      const b = randomArray(K * N, 2);
      const out = new Float64Array(M * N);
      matmulForward(out, a, b, M, K, N, tA, tB);
      expectClose(out, reference(a, b, M, K, N, tA, tB), { rtol: 1e-12, atol: 1e-12 });
    });
  }

  it('accumulates when asked and overwrites otherwise', () => {
    const a = Float64Array.from([1, 2]);
    const b = Float64Array.from([3, 4]);
    const out = Float64Array.from([10]);
    matmulForward(out, a, b, 1, 2, 1, false, false, true);
    expect(out[0]).toBe(21);
    matmulForward(out, a, b, 1, 2, 1);
    expect(out[0]).toBe(11);
  });

  it('backward of y = x·wᵀ + b (dx = dy·w, dw = dyᵀ·x, db = Σ dy) matches finite differences', () => {
    const [B, I, O] = [3, 4, 2];
    const x = randomArray(B * I, 3);
    const w = randomArray(O * I, 4);
    const bias = randomArray(O, 5);
    const g = randomArray(B * O, 6); // fixed upstream gradient: loss = Σ g·y
    const y = new Float64Array(B * O);
    const loss = (): number => {
      matmulForward(y, x, w, B, I, O, false, true);
      biasAddForward(y, bias, B, O);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += g[i] * y[i];
      return s;
    };
    const dx = new Float64Array(B * I);
    const dw = new Float64Array(O * I);
    const db = new Float64Array(O);
    matmulForward(dx, g, w, B, O, I, false, false, true);
    matmulForward(dw, g, x, O, B, I, true, false, true);
    biasAddBackward(db, g, B, O);
    expectGradient(loss, x, dx, 'dx');
    expectGradient(loss, w, dw, 'dw');
    expectGradient(loss, bias, db, 'db');
  });
});
