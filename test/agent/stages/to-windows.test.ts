import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createWindowCounters, toWindows } from '../../../agent/stages/to-windows.js';
import type { Sample, Window } from '../../../agent/types.js';

const s = (machineId: string, time: number, ...values: number[]): Sample => ({ machineId, time, values: Float32Array.from(values), receivedAt: time });
const plain = (w: Window) => ({ m: w.machineId, t: w.time, d: Array.from(w.data) });

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('toWindows (marble)', () => {
  it('emits oldest-first windows of `size` samples every `stride` samples, per machine', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const input = cold('abcdefg|', {
        a: s('m', 1, 1, 10), b: s('m', 2, 2, 20), c: s('x', 1, 9, 9), d: s('m', 3, 3, 30), e: s('m', 4, 4, 40), f: s('m', 5, 5, 50), g: s('m', 6, 6, 60),
      });
      const out = input.pipe(toWindows({ channels: ['a', 'b'], size: 3, stride: 2 }), map(plain));
      // m fills at t=3 (first window), then every 2 samples: t=5.
      expectObservable(out).toBe('---x-y-|', {
        x: { m: 'm', t: 3, d: [1, 10, 2, 20, 3, 30] },
        y: { m: 'm', t: 5, d: [3, 30, 4, 40, 5, 50] },
      });
    });
  });

  it('restarts a machine after a gap so no window spans an outage', () => {
    const counters = createWindowCounters();
    scheduler().run(({ cold, expectObservable }) => {
      const input = cold('abcde|', { a: s('m', 1000, 1), b: s('m', 2000, 2), c: s('m', 60000, 3), d: s('m', 61000, 4), e: s('m', 62000, 5) });
      const out = input.pipe(toWindows({ channels: ['a'], size: 2, maxGapMs: 5000, counters }), map(plain));
      expectObservable(out).toBe('-x-yz|', {
        x: { m: 'm', t: 2000, d: [1, 2] },
        y: { m: 'm', t: 61000, d: [3, 4] },
        z: { m: 'm', t: 62000, d: [4, 5] },
      });
    });
    expect(counters.gaps).toBe(1);
  });
});
