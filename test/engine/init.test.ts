import { describe, expect, it } from 'vitest';
import { calculateGain, heNormal, heUniform, linearDefaultInit, xavierNormal, xavierUniform } from '../../engine/init.js';
import { createRng } from '../../engine/rng.js';

function stats(a: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    s2 += a[i] * a[i];
    min = Math.min(min, a[i]);
    max = Math.max(max, a[i]);
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), min, max };
}

const N = 200_000; // large enough that the sample std is within ~1% of the population std

describe('initialisers (torch.nn.init formulas)', () => {
  it('xavierUniform: U(±gain·√(6/(in+out))), std = bound/√3', () => {
    const w = xavierUniform(new Float64Array(N), 24, 16, createRng(1), 2);
    const bound = 2 * Math.sqrt(6 / 40);
    const s = stats(w);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeLessThan(bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expect(s.std / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
  });

  it('xavierNormal: std = gain·√(2/(in+out))', () => {
    const s = stats(xavierNormal(new Float64Array(N), 24, 16, createRng(2)));
    expect(s.std / Math.sqrt(2 / 40)).toBeCloseTo(1, 1);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
  });

  it('heUniform / heNormal: ReLU gain √2 over fanIn by default', () => {
    const u = stats(heUniform(new Float64Array(N), 50, createRng(3)));
    expect(u.max).toBeLessThan(Math.sqrt(6 / 50));
    expect(u.std / Math.sqrt(2 / 50)).toBeCloseTo(1, 1);
    const n = stats(heNormal(new Float64Array(N), 50, createRng(4)));
    expect(n.std / Math.sqrt(2 / 50)).toBeCloseTo(1, 1);
  });

  it('linearDefaultInit: weight and bias U(±1/√fanIn) as nn.Linear.reset_parameters', () => {
    const w = new Float32Array(N);
    const b = new Float32Array(1000);
    linearDefaultInit(w, b, 16, createRng(5));
    const sw = stats(w);
    const sb = stats(b);
    expect(sw.min).toBeGreaterThanOrEqual(-0.25);
    expect(sw.max).toBeLessThanOrEqual(0.25);
    expect(sw.std / (0.25 / Math.sqrt(3))).toBeCloseTo(1, 1);
    expect(sb.max).toBeLessThanOrEqual(0.25);
    expect(sb.std).toBeGreaterThan(0.1);
  });

  it('the same seed gives the same weights', () => {
    const a = xavierUniform(new Float32Array(64), 8, 8, createRng(42));
    const b = xavierUniform(new Float32Array(64), 8, 8, createRng(42));
    const c = xavierUniform(new Float32Array(64), 8, 8, createRng(43));
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it('calculateGain matches torch.nn.init.calculate_gain', () => {
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
  });

  it('rejects a fan that is not a positive integer, naming it', () => {
    expect(() => heUniform(new Float32Array(4), 0, createRng(1))).toThrow(/fan must be a positive integer/);
  });
});
