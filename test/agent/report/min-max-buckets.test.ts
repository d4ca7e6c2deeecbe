import { describe, expect, it } from 'vitest';
import { createMinMaxBuckets } from '../../../agent/report/min-max-buckets.js';

/** Buckets of `width` anchored at the first time, computed in one pass: the reference. */
function onePass(times: number[], values: number[][], width: number) {
  const out = { time: [] as number[], min: values[0].map(() => [] as number[]), max: values[0].map(() => [] as number[]) };
  let last = NaN;
  times.forEach((t, i) => {
    const k = Math.floor((t - times[0]) / width);
    if (k !== last) {
      out.time.push(t);
      values[i].forEach((v, s) => (out.min[s].push(v), out.max[s].push(v)));
      last = k;
    } else {
      const b = out.time.length - 1;
      values[i].forEach((v, s) => ((out.min[s][b] = Math.min(out.min[s][b], v)), (out.max[s][b] = Math.max(out.max[s][b], v))));
    }
  });
  return out;
}

describe('createMinMaxBuckets', () => {
  it('keeps every point while they fit', () => {
    const b = createMinMaxBuckets(2, 5, 1000);
    for (let i = 0; i < 5; i++) b.add(i * 1000, [i, -i]);
    expect(b.result()).toEqual({ widthMs: 0, time: [0, 1000, 2000, 3000, 4000], min: [[0, 1, 2, 3, 4], [-0, -1, -2, -3, -4]], max: [[0, 1, 2, 3, 4], [-0, -1, -2, -3, -4]], points: 5 });
  });

  it('past maxBuckets: power-of-two multiples of the period, exactly the one-pass buckets at the final width, never more than maxBuckets', () => {
    const times: number[] = [];
    const values: number[][] = [];
    const b = createMinMaxBuckets(2, 100, 1000);
    for (let i = 0; i < 5000; i++) {
      const t = 7_000 + i * 1000 + (i % 3) * 10; // a little jitter
      const v = [Math.sin(i / 50) + (i === 3210 ? 40 : 0), (i * 7919) % 101];
      times.push(t);
      values.push(v);
      b.add(t, v);
      expect(b.result().time.length).toBeLessThanOrEqual(100);
    }
    const r = b.result();
    expect(r.points).toBe(5000);
    expect(Math.log2(r.widthMs / 1000) % 1).toBe(0);
    expect(r.widthMs).toBe(64_000); // 5000 s in ≤ 100 buckets: 64 s (32 s would make 157)
    const ref = onePass(times, values, r.widthMs);
    expect(r.time).toEqual(ref.time);
    expect(r.min).toEqual(ref.min);
    expect(r.max).toEqual(ref.max);
    expect(Math.max(...r.max[0])).toBe(Math.max(...values.map((v) => v[0]))); // the spike survives
  });

  it('NaN is a missing value: ignored in a bucket, NaN for a bucket without any value', () => {
    const b = createMinMaxBuckets(1, 2, 10);
    for (const [t, v] of [[0, NaN], [10, 5], [20, NaN], [30, NaN], [40, 1]] as const) b.add(t, [v]);
    const r = b.result();
    expect(r.widthMs).toBe(40);
    expect(r.min).toEqual([[5, 1]]);
    expect(r.max).toEqual([[5, 1]]);
    const c = createMinMaxBuckets(1, 4, 10);
    for (const t of [0, 10, 20, 30, 40]) c.add(t, [t === 0 ? 1 : NaN]);
    expect(c.result()).toMatchObject({ widthMs: 40, time: [0, 40], max: [[1, NaN]] });
  });

  it('a year of 1 s samples stays within the budget (about 10-minute buckets for 50 000) and keeps its one spike', () => {
    const b = createMinMaxBuckets(1, 50_000, 1000);
    const v = new Float64Array(1);
    const year = 365 * 86_400;
    const spikeAt = 200 * 86_400 + 12_345;
    for (let i = 0; i < year; i++) {
      v[0] = i === spikeAt ? 1e6 : (i % 86_400) / 86_400;
      b.add(i * 1000, v);
    }
    const r = b.result();
    expect(r.points).toBe(year);
    expect(r.time.length).toBeLessThanOrEqual(50_000);
    expect(r.widthMs).toBe(1024_000);
    expect(Math.max(...r.max[0])).toBe(1e6);
  });

  it('refuses budgets and periods that cannot work', () => {
    expect(() => createMinMaxBuckets(1, 1, 1000)).toThrow(/maxBuckets must be an integer >= 2/);
    expect(() => createMinMaxBuckets(1, 10, 0)).toThrow(/baseWidthMs must be > 0/);
    expect(() => createMinMaxBuckets(2, 10, 1).add(0, [1])).toThrow(/1 values, expected 2/);
  });
});
