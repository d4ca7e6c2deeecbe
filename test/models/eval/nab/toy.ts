// The toy file of benchmarks.md §1.7: 20 rows at 5-minute spacing from 2020-01-01 00:00, one window
// over rows 10–13, probation floor(0.15·20) = 3 rows, and the scores listed there.

import type { NabWindow } from '../../../../models/eval/nab/index.js';

/** `YYYY-MM-DD HH:MM:SS` for `minutes` after 2020-01-01 00:00 (UTC arithmetic, NAB's naive times). */
export function stamp(minutes: number): string {
  return new Date(Date.UTC(2020, 0, 1) + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function timestamps(n: number): string[] {
  return Array.from({ length: n }, (_, i) => stamp(5 * i));
}

/** A window over rows [first, last], spelled as combined_windows.json spells boundaries. */
export function windowOver(first: number, last: number): NabWindow {
  return [`${stamp(5 * first)}.000000`, `${stamp(5 * last)}.000000`];
}

export const TOY_TIMESTAMPS = timestamps(20);
export const TOY_WINDOWS: readonly NabWindow[] = [windowOver(10, 13)];
export const TOY_SCORES = (() => {
  const s = new Float64Array(20);
  s[2] = 0.9; // in probation
  s[5] = 0.8; // FP before any window
  s[11] = 0.7;
  s[12] = 0.95;
  s[14] = 0.6; // just after the window
  s[19] = 0.8; // far after
  return s;
})();
