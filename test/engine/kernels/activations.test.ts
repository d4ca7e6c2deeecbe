import { describe, expect, it } from 'vitest';
import { type Activation, activationBackward, activationForward, sigmoid } from '../../../engine/kernels/activations.js';
import { expectGradient, randomArray } from '../../helpers/gradcheck.js';

describe('activations', () => {
  it('sigmoid is stable at the extremes', () => {
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
  });

  for (const kind of ['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu'] as Activation[]) {
    it(`${kind}: backward matches finite differences`, () => {
      // Keep inputs away from 0 so the ReLU kink is not straddled by the finite difference.
      const x = randomArray(16, 11, 3).map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
      const g = randomArray(16, 12);
      const y = new Float64Array(16);
      const loss = (): number => {
        activationForward(kind, y, x, 16, 0.2);
        let s = 0;
        for (let i = 0; i < 16; i++) s += g[i] * y[i];
        return s;
      };
      loss();
      const dx = new Float64Array(16);
      activationBackward(kind, dx, g, x, y, 16, 0.2);
      expectGradient(loss, x, dx, kind);
    });
  }
});
