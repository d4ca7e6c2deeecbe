import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { shedOverload } from '../../../agent/stages/shed-overload.js';

describe('shedOverload', () => {
  it('hands messages on in order, in chunks, one chunk per drain', () => {
    const drains: (() => void)[] = [];
    const input = new Subject<number>();
    const seen: number[][] = [];
    let current: number[] = [];
    input.pipe(shedOverload({ capacity: 100, chunk: 3, schedule: (f) => drains.push(f) })).subscribe((v) => current.push(v));
    for (let i = 0; i < 7; i++) input.next(i);
    while (drains.length) {
      drains.shift()!();
      seen.push(current);
      current = [];
    }
    expect(seen).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('sheds the newest messages beyond capacity, counting each, and keeps memory bounded', () => {
    const drains: (() => void)[] = [];
    const input = new Subject<number>();
    const out: number[] = [];
    let shed = 0;
    input.pipe(shedOverload({ capacity: 4, chunk: 100, schedule: (f) => drains.push(f), onShed: () => shed++ })).subscribe((v) => out.push(v));
    for (let i = 0; i < 10; i++) input.next(i);
    drains.shift()!();
    for (let i = 10; i < 12; i++) input.next(i);
    input.complete();
    drains.shift()!();
    expect(out).toEqual([0, 1, 2, 3, 10, 11]);
    expect(shed).toBe(6);
    expect(out.length + shed).toBe(12);
  });

  it('completes only after the queue is drained', () => {
    const drains: (() => void)[] = [];
    const input = new Subject<number>();
    let done = false;
    input.pipe(shedOverload({ capacity: 10, schedule: (f) => drains.push(f) })).subscribe({ complete: () => (done = true) });
    input.next(1);
    input.complete();
    expect(done).toBe(false);
    drains.shift()!();
    expect(done).toBe(true);
  });
});
