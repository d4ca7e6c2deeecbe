import { describe, expect, it } from 'vitest';
import { createManualClock, systemClock } from '../../../agent/runtime/clock.js';

describe('clock', () => {
  it('system clock reads the wall clock, never runs backwards, and resolves below a millisecond', () => {
    const t = systemClock.now();
    expect(Math.abs(t - Date.now())).toBeLessThan(1_000);
    let previous = t;
    let fractional = false;
    for (let i = 0; i < 1_000; i++) {
      const now = systemClock.now();
      expect(now).toBeGreaterThanOrEqual(previous);
      if (!Number.isInteger(now)) fractional = true;
      previous = now;
    }
    expect(fractional).toBe(true);
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
