import { describe, expect, it } from 'vitest';
import { parseReplayTime } from '../../../agent/source/replay-time.js';

describe('parseReplayTime', () => {
  it('reads naive date-times as UTC, whatever the machine’s time zone', () => {
    expect(parseReplayTime('2013-12-02 21:15:00')).toBe(Date.UTC(2013, 11, 2, 21, 15));
    expect(parseReplayTime('2020-03-09T10:14:33.25')).toBe(Date.UTC(2020, 2, 9, 10, 14, 33, 250));
    expect(parseReplayTime('2020-03-09')).toBe(Date.UTC(2020, 2, 9));
  });

  it('honours an explicit zone', () => {
    expect(parseReplayTime('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseReplayTime('2024-05-01T12:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseReplayTime('2024-05-01 12:00:00 -0130')).toBe(Date.UTC(2024, 4, 1, 13, 30));
  });

  it('reads epoch numbers by magnitude', () => {
    expect(parseReplayTime(1_700_000_000)).toBe(1_700_000_000_000); // seconds
    expect(parseReplayTime('1700000000.5')).toBe(1_700_000_000_500);
    expect(parseReplayTime(1_700_000_000_123)).toBe(1_700_000_000_123); // ms
    expect(parseReplayTime('1700000000123456')).toBe(1_700_000_000_123.456); // µs
    expect(parseReplayTime(1.7e18)).toBe(1.7e12); // ns
  });

  it('returns undefined for what is not a time', () => {
    for (const bad of ['', 'yesterday', '2013-13-01 00:00:00', '2021-02-30', '2024-01-01 24:00:00', '2024-01-01T10:00:00+25:00', '-5', null, undefined, {}, Number.NaN, -1]) {
      expect(parseReplayTime(bad), String(bad)).toBeUndefined();
    }
  });
});
