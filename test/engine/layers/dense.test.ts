import { describe, it } from 'vitest';
import { denseBackward, denseForward } from '../../../engine/layers/dense.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

describe('denseForward', () => {
  it('computes y = x·Wᵀ + b in nn.Linear layout (weight [O, I])', () => {
    const [B, I, O] = [2, 3, 2];
    const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const w = Float64Array.from([1, 0, -1, 0.5, 0.5, 0.5]); // rows: output units
    const b = Float64Array.from([10, -1]);
    const y = new Float64Array(B * O).fill(99); // overwritten, not accumulated
    denseForward(y, x, w, b, B, I, O);
    // row 0: [1-3+10, 0.5+1+1.5-1]; row 1: [4-6+10, 2+2.5+3-1]
    expectClose(y, [8, 2, 8, 6.5], { rtol: 0, atol: 1e-15 });
    denseForward(y, x, w, null, B, I, O);
    expectClose(y, [-2, 3, -2, 7.5], { rtol: 0, atol: 1e-15 });
  });
});

describe('denseBackward', () => {
  const [B, I, O] = [4, 5, 3];
  const x = randomArray(B * I, 21);
  const w = randomArray(O * I, 22);
  const bias = randomArray(O, 23);
  const g = randomArray(B * O, 24); // upstream gradient: loss = Σ g·y
  const y = new Float64Array(B * O);
  const loss = (): number => {
    denseForward(y, x, w, bias, B, I, O);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += g[i] * y[i];
    return s;
  };

  it('dx, dWeight and dBias match finite differences in float64', () => {
    const dx = new Float64Array(B * I);
    const dw = new Float64Array(O * I);
    const db = new Float64Array(O);
    denseBackward(dx, dw, db, g, x, w, B, I, O);
    expectGradient(loss, x, dx, 'dx');
    expectGradient(loss, w, dw, 'dWeight');
    expectGradient(loss, bias, db, 'dBias');
  });

  it('accumulates into the gradient buffers and skips the null ones', () => {
    const dx1 = new Float64Array(B * I);
    const dw1 = new Float64Array(O * I);
    const db1 = new Float64Array(O);
    denseBackward(dx1, dw1, db1, g, x, w, B, I, O);
    const dw2 = Float64Array.from(dw1);
    const db2 = Float64Array.from(db1);
    denseBackward(null, dw2, db2, g, x, w, B, I, O);
    expectClose(dw2, dw1.map((v) => 2 * v), { rtol: 1e-15, atol: 0 }, 'dWeight twice');
    expectClose(db2, db1.map((v) => 2 * v), { rtol: 1e-15, atol: 0 }, 'dBias twice');
    const dx2 = Float64Array.from(dx1);
    denseBackward(dx2, null, null, g, x, w, B, I, O);
    expectClose(dx2, dx1.map((v) => 2 * v), { rtol: 1e-15, atol: 0 }, 'dx twice');
  });
});
