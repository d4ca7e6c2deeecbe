import { describe, expect, it } from 'vitest';
import { absoluteError, rowError, squaredError } from '../../../engine/losses/errors.js';
import { lossBackward, lossForward } from '../../../engine/losses/loss.js';
import { maeBackward, maeLoss } from '../../../engine/losses/mae.js';
import { mseBackward, mseLoss } from '../../../engine/losses/mse.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

describe('mse', () => {
  it('is the mean of squared differences', () => {
    const pred = Float64Array.from([1, 2, 3, 4]);
    const target = Float64Array.from([1, 0, 4, 1]);
    expect(mseLoss(pred, target, 4)).toBe((0 + 4 + 1 + 9) / 4);
  });

  it('backward matches finite differences in float64 and honours scale', () => {
    const n = 12;
    const pred = randomArray(n, 31, 2);
    const target = randomArray(n, 32, 2);
    const d = new Float64Array(n);
    mseBackward(d, pred, target, n);
    expectGradient(() => mseLoss(pred, target, n), pred, d, 'dPred');
    const d3 = Float64Array.from(d);
    mseBackward(d3, pred, target, n, 2); // accumulates: 1 + 2 = 3 times the gradient
    expectClose(d3, d.map((v) => 3 * v), { rtol: 1e-14, atol: 0 });
  });
});

describe('mae', () => {
  it('is the mean of absolute differences', () => {
    const pred = Float64Array.from([1, 2, 3, 4]);
    const target = Float64Array.from([1, 0, 4, 1]);
    expect(maeLoss(pred, target, 4)).toBe((0 + 2 + 1 + 3) / 4);
  });

  it('backward matches finite differences away from the kink', () => {
    const n = 12;
    const target = randomArray(n, 33, 2);
    // Keep |pred - target| >= 0.1 so the central difference never straddles zero.
    const pred = randomArray(n, 34, 2).map((v, i) => (Math.abs(v - target[i]) < 0.1 ? target[i] + 0.5 : v));
    const d = new Float64Array(n);
    maeBackward(d, pred, target, n);
    expectGradient(() => maeLoss(pred, target, n), pred, d, 'dPred');
  });

  it('uses the subgradient 0 where pred equals target (PyTorch sign(0) = 0)', () => {
    const d = new Float64Array(3);
    maeBackward(d, Float64Array.from([1, 2, 3]), Float64Array.from([1, 1, 4]), 3, 3);
    expect([...d]).toEqual([0, 1, -1]);
  });
});

describe('loss by name', () => {
  it('dispatches to mse and mae', () => {
    const pred = Float64Array.from([0, 3]);
    const target = Float64Array.from([1, 1]);
    expect(lossForward('mse', pred, target, 2)).toBe(2.5);
    expect(lossForward('mae', pred, target, 2)).toBe(1.5);
    const d = new Float64Array(2);
    lossBackward('mse', d, pred, target, 2);
    lossBackward('mae', d, pred, target, 2);
    expect([...d]).toEqual([-1 - 0.5, 2 + 0.5]);
  });
});

describe('unreduced errors for scoring', () => {
  const pred = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const target = Float64Array.from([1, 0, 4, 4, 8, 6]);

  it('per element', () => {
    const out = new Float64Array(6);
    squaredError(out, pred, target, 6);
    expect([...out]).toEqual([0, 4, 1, 0, 9, 0]);
    absoluteError(out, pred, target, 6);
    expect([...out]).toEqual([0, 2, 1, 0, 3, 0]);
  });

  it('per row agrees with the reduced loss of each row', () => {
    const out = new Float64Array(2);
    rowError('mse', out, pred, target, 2, 3);
    expect([...out]).toEqual([5 / 3, 3]);
    expect(out[1]).toBe(mseLoss(pred.subarray(3), target.subarray(3), 3));
    rowError('mae', out, pred, target, 2, 3);
    expect([...out]).toEqual([1, 1]);
  });
});
