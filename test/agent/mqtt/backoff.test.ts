import { describe, expect, it } from 'vitest';
import { backoffCap, backoffDelay, checkBackoff } from '../../../agent/mqtt/backoff.js';

const policy = { initialMs: 100, maxMs: 1000, factor: 2 };

describe('backoff', () => {
  it('caps grow by the factor from initialMs and stop at maxMs', () => {
    expect([0, 1, 2, 3, 4, 5, 60, 5000].map((a) => backoffCap(a, policy))).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it('full jitter: the delay is random() times the cap, so it spans [0, cap)', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
    expect(backoffDelay(3, policy, () => 0.999999)).toBe(799);
  });

  it('refuses policies that cannot work, naming the field', () => {
    expect(() => checkBackoff({ initialMs: 0, maxMs: 10, factor: 2 })).toThrow(/reconnect.initialMs/);
    expect(() => checkBackoff({ initialMs: 10, maxMs: 5, factor: 2 })).toThrow(/reconnect.maxMs must be at least initialMs/);
    expect(() => checkBackoff({ initialMs: 10, maxMs: 50, factor: 0.5 })).toThrow(/reconnect.factor/);
  });
});
