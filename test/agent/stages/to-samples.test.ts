import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createSampleCounters, toSamples } from '../../../agent/stages/to-samples.js';
import type { Reading, Sample } from '../../../agent/types.js';

const r = (machineId: string, time: number, values: Record<string, number>): Reading => ({ machineId, time, values, receivedAt: time + 5 });
const plain = (s: Sample) => ({ m: s.machineId, t: s.time, v: Array.from(s.values) });

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('toSamples (marble)', () => {
  it('emits a sample as soon as every channel of a slot has arrived, per machine', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const input = cold('abcd|', {
        a: r('m1', 1000, { t: 20 }),
        b: r('m2', 1000, { t: 30, p: 3 }),
        c: r('m1', 1010, { p: 1 }), // within tolerance of the 1000 slot
        d: r('m1', 2000, { t: 21, p: 2 }),
      });
      const out = input.pipe(toSamples({ channels: ['t', 'p'], periodMs: 1000 }));
      expectObservable(out.pipe(map(plain))).toBe('-xyz|', {
        x: { m: 'm2', t: 1000, v: [30, 3] },
        y: { m: 'm1', t: 1000, v: [20, 1] },
        z: { m: 'm1', t: 2000, v: [21, 2] },
      });
    });
  });

  it('holds a missing channel within maxHold and drops the slot when it is staler, counting both', () => {
    const counters = createSampleCounters();
    scheduler().run(({ cold, expectObservable }) => {
      const input = cold('abcde|', {
        a: r('m', 0, { t: 1, p: 10 }),
        b: r('m', 1000, { t: 2 }), // p missing: held from slot 0 when slot 2000 starts
        c: r('m', 2000, { t: 3 }),
        d: r('m', 9000, { t: 4 }), // slot 2000 flushed with p held (2000 - 0 ≤ 3000)
        e: r('m', 10000, { t: 5, p: 11 }), // slot 9000: p last seen at 0 → stale, dropped
      });
      const out = input.pipe(toSamples({ channels: ['t', 'p'], periodMs: 1000, counters }));
      expectObservable(out.pipe(map(plain))).toBe('a-bce|', {
        a: { m: 'm', t: 0, v: [1, 10] },
        b: { m: 'm', t: 1000, v: [2, 10] },
        c: { m: 'm', t: 2000, v: [3, 10] },
        e: { m: 'm', t: 10000, v: [5, 11] },
      });
    });
    expect(counters).toMatchObject({ held: 2, stale: 1, samples: 4 });
  });

  it('counts late and off-grid readings instead of assembling them', () => {
    const counters = createSampleCounters();
    scheduler().run(({ cold, expectObservable }) => {
      const input = cold('abc|', {
        a: r('m', 2000, { t: 1 }),
        b: r('m', 1000, { p: 1 }), // older slot than the one assembling
        c: r('m', 2700, { p: 1 }), // 300 ms off the grid, tolerance 200
      });
      expectObservable(input.pipe(toSamples({ channels: ['t', 'p'], periodMs: 1000, toleranceMs: 200, counters }))).toBe('---|');
    });
    expect(counters).toMatchObject({ late: 1, offGrid: 1, samples: 0 });
  });
});
