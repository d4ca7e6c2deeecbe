// pyRound follows Python's round(x, 2): nearest decimal to the double's exact value, exact ties to even.

import { describe, expect, it } from 'vitest';
import { pyRound } from '../../../../models/eval/skab/py-round.js';

describe('pyRound', () => {
  it('breaks exact ties to even, as Python does (toFixed would go away from zero)', () => {
    // Python: round(0.125, 2) = 0.12, round(0.375, 2) = 0.38, round(2.5, 0) = 2.0, round(-0.125, 2) = -0.12
    expect(pyRound(0.125)).toBe(0.12);
    expect(pyRound(0.375)).toBe(0.38);
    expect(pyRound(0.625)).toBe(0.62);
    expect(pyRound(0.875)).toBe(0.88);
    expect(pyRound(2.5, 0)).toBe(2);
    expect(pyRound(3.5, 0)).toBe(4);
    expect(pyRound(-0.125)).toBe(-0.12);
  });

  it('rounds what only looks like a tie by the exact binary value', () => {
    // 2.675 is 2.67499999999999982236431605997495353221893310546875: Python gives 2.67; 1.005 → 1.0.
    expect(pyRound(2.675)).toBe(2.67);
    expect(pyRound(1.005)).toBe(1);
    // 0.285 is 0.284999999999999975575093458246556110680103302001953125 → 0.28; 1.125 is exact, a tie → 1.12
    expect(pyRound(0.285)).toBe(0.28);
    expect(pyRound(1.125)).toBe(1.12);
  });

  it('passes ordinary values and non-finite ones through', () => {
    expect(pyRound(54.7312)).toBe(54.73);
    expect(pyRound(-1.4666)).toBe(-1.47);
    expect(pyRound(100)).toBe(100);
    expect(pyRound(Number.NaN)).toBeNaN();
    expect(pyRound(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});
