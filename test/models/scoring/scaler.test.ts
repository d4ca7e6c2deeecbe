import { describe, expect, it } from 'vitest';
import { createScaler, fitScalerParams, identityScalerParams, stdFloor } from '../../../models/scoring/scaler.js';

describe('scaler', () => {
  it('fits population mean/std per channel across series and round-trips apply/invert', () => {
    // channel 0: 1..6, channel 1: constant 1000 (hits the floor), split over two series.
    const a = { data: Float32Array.from([1, 1000, 2, 1000, 3, 1000]), length: 3 };
    const b = { data: Float32Array.from([4, 1000, 5, 1000, 6, 1000]), length: 3 };
    const p = fitScalerParams([a, b], 2);
    expect(p.mean[0]).toBeCloseTo(3.5, 12);
    expect(p.std[0]).toBeCloseTo(Math.sqrt(35 / 12), 12);
    expect(p.mean[1]).toBe(1000);
    expect(p.std[1]).toBe(stdFloor(1000));
    const s = createScaler(p);
    const z = new Float32Array(6);
    s.apply(z, a.data, 3);
    expect(z[1]).toBe(0);
    expect(z[0]).toBeCloseTo((1 - 3.5) / Math.sqrt(35 / 12), 6);
    const back = new Float32Array(6);
    s.invert(back, z, 3);
    for (let i = 0; i < 6; i++) expect(back[i]).toBeCloseTo(a.data[i], 4);
  });

  it('applies with offsets into a larger buffer, and the identity scaler changes nothing', () => {
    const s = createScaler(identityScalerParams(2));
    const out = new Float32Array(6).fill(-1);
    s.apply(out, [0, 0, 7, 8], 1, 4, 2);
    expect([...out]).toEqual([-1, -1, -1, -1, 7, 8]);
  });

  it('refuses series whose length disagrees with the data and stds that are not positive', () => {
    expect(() => fitScalerParams([{ data: new Float32Array(5), length: 3 }], 2)).toThrow(/needs 6 values/);
    expect(() => fitScalerParams([], 2)).toThrow(/at least one sample/);
    expect(() => createScaler({ mean: [0], std: [0] })).toThrow(/std\[0\]/);
  });
});
