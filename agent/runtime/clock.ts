// Wall-clock time as an injected dependency (DESIGN principle 13): code that needs "now" takes
// a Clock instead of calling Date.now, so tests and replays control time. A Clock gives
// milliseconds since the Unix epoch and never schedules anything; scheduling is an RxJS
// SchedulerLike's job. Event time (when a sensor measured) never comes from a Clock.
// The system clock has sub-millisecond resolution (the inference-latency histogram starts at
// 100 µs), so `receivedAt` and the decision time must both come from the same Clock.

import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/**
 * The real wall clock, in fractional milliseconds: the process start time plus the monotonic
 * clock, so it never steps backwards with NTP (it follows NTP's slewing, not its steps).
 */
export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };

/** A clock that moves only when told to: for tests, and for replays that follow event time. */
export interface ManualClock extends Clock {
  /** Jumps to `time` (ms since the epoch). Moving backwards is allowed: replays may rewind. */
  set(time: number): void;
  /** Moves forward by `ms` (must be >= 0) and returns the new time. */
  advance(ms: number): number;
}

export function createManualClock(start = 0): ManualClock {
  if (!Number.isFinite(start)) throw new RangeError(`createManualClock: start must be a finite number of ms, got ${start}`);
  let time = start;
  return {
    now: () => time,
    set(t) {
      if (!Number.isFinite(t)) throw new RangeError(`ManualClock.set: time must be a finite number of ms, got ${t}`);
      time = t;
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0 (use set() to rewind), got ${ms}`);
      time += ms;
      return time;
    },
  };
}
