import { describe, expect, it } from 'vitest';
import { createManualClock, systemClock } from '../../../agent/runtime/clock.js';

describe('clock', () => {
  it('system clock reads the wall clock', () => {
    const before = Date.now();
    const t = systemClock.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('manual clock moves only when told to', () => {
    const clock = createManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.advance(250)).toBe(1_250);
    clock.set(10);
    expect(clock.now()).toBe(10);
  });

  it('manual clock rejects nonsense with a message naming the fix', () => {
    const clock = createManualClock();
    expect(() => clock.advance(-1)).toThrow(/use set\(\) to rewind/);
    expect(() => clock.set(Number.NaN)).toThrow(/finite/);
  });
});
