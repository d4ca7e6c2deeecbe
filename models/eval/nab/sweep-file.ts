// The per-row sweep of one file, as NAB's Sweeper.calcSweepScore (nab/sweeper.py) computes it.
// For each row, `weights[i]` is what the row would add to the score if it were a detection, and
// `tags[i]` says how it counts: PROBATIONARY (never scored), OUTSIDE (a false positive), or k >= 0,
// the k-th window of `windows` (a true positive for window k). Walking the rows in file order:
//   enter    the next window when a row's timestamp equals its start; its right edge and width come
//            from the FIRST row holding the end and start timestamps (list.index, as NAB does)
//   inside   weight = scaledSigmoid(-(right - i + 1) / width) · tpWeight / MAX_TP
//   outside  weight = fpWeight · (-1 before any window has ended, else
//            scaledSigmoid(|prevRight - i| / (prevWidth - 1)): the PREVIOUS window only, never the next)
//   tag      the window (or OUTSIDE), overridden by PROBATIONARY for i < probationaryLength(n)
//   leave    after the row, when its timestamp equals the current window's end
// The walk does not depend on the profile: locateRows does it once, weighRows applies a profile.
// Timestamps compare as instants (nabTimestampKey). NAB fails, and so does this (NabInputError),
// when a window's start never comes up in row order, its end is not in the file or precedes its
// start, or a one-row window is followed by rows outside windows (NAB divides by zero there).

import { NabInputError } from './errors.js';
import type { NabProfile } from './profiles.js';
import { MAX_TP, scaledSigmoid } from './scaled-sigmoid.js';
import { nabTimestampKey } from './timestamp-key.js';

/** A labelled window: its first and last timestamps, as in combined_windows.json. */
export type NabWindow = readonly [start: string, end: string];

export const PROBATIONARY = -2;
export const OUTSIDE = -1;
/** NAB's runner: the first 15% of each file (at most 750 rows) is never scored. */
export const PROBATION_PERCENT = 0.15;

/** min(floor(0.15·n), 0.15·5000): a float, 750 for files of 5,000 rows or more. */
export function probationaryLength(rows: number): number {
  return Math.min(Math.floor(PROBATION_PERCENT * rows), PROBATION_PERCENT * 5000);
}

/** Where each row stands, whatever the profile. */
export interface RowGeometry {
  /** [n] the window holding the row (index in `windows`), or -1 outside; probation ignored. */
  readonly window: Int32Array;
  /** [n] scaledSigmoid's argument for the row; NaN outside when no window has ended yet. */
  readonly position: Float64Array;
  /** [n] PROBATIONARY, OUTSIDE, or the window: how the row counts when scored. */
  readonly tags: Int32Array;
}

export interface FileSweep {
  /** [n] what each row adds if it is a detection (NAB's S(t)_<profile> column). */
  readonly weights: Float64Array;
  /** [n] PROBATIONARY, OUTSIDE, or the index in `windows` of the window holding the row. */
  readonly tags: Int32Array;
}

/** calcSweepScore for one profile: locateRows then weighRows. */
export function sweepFile(timestamps: readonly string[], windows: readonly NabWindow[], profile: NabProfile, file = 'file'): FileSweep {
  const geometry = locateRows(timestamps, windows, file);
  return { weights: weighRows(geometry, profile), tags: geometry.tags };
}

export function locateRows(timestamps: readonly string[], windows: readonly NabWindow[], file = 'file'): RowGeometry {
  const n = timestamps.length;
  const keys = timestamps.map(nabTimestampKey);
  const starts = windows.map((w) => nabTimestampKey(w[0]));
  const ends = windows.map((w) => nabTimestampKey(w[1]));
  const probation = probationaryLength(n);
  const window = new Int32Array(n);
  const position = new Float64Array(n);
  const tags = new Int32Array(n);
  let next = 0; // the head of NAB's window queue
  let cur = -1; // the window the walk is in, or -1
  let right = 0;
  let width = 0;
  let prevRight = -1; // -1: no window has ended yet
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (next < windows.length && key === starts[next]) {
      cur = next++;
      right = keys.indexOf(ends[cur]);
      if (right < 0) throw new NabInputError(`${file}: window [${windows[cur][0]}, ${windows[cur][1]}]: its end is not a timestamp of the file`);
      width = right - keys.indexOf(starts[cur]) + 1;
      if (width < 1) throw new NabInputError(`${file}: window [${windows[cur][0]}, ${windows[cur][1]}]: its end comes before its start in the file`);
    }
    window[i] = cur;
    if (cur >= 0) {
      position[i] = -(right - i + 1) / width;
    } else if (prevRight < 0) {
      position[i] = NaN;
    } else {
      if (prevWidth === 1) throw new NabInputError(`${file}: row ${i} follows a one-row window: NAB divides by zero scoring it`);
      position[i] = Math.abs(prevRight - i) / (prevWidth - 1);
    }
    tags[i] = i < probation ? PROBATIONARY : cur >= 0 ? cur : OUTSIDE;
    if (cur >= 0 && key === ends[cur]) {
      prevRight = i;
      prevWidth = width;
      cur = -1;
    }
  }
  if (next < windows.length) {
    throw new NabInputError(`${file}: window [${windows[next][0]}, ${windows[next][1]}] is never entered: its start is not a timestamp of the file after the previous window`);
  }
  return { window, position, tags };
}

/** [n] each row's weight under `profile`, computed as NAB computes it (same operations, same order). */
export function weighRows(geometry: RowGeometry, profile: NabProfile): Float64Array {
  const { window, position } = geometry;
  const { tpWeight, fpWeight } = profile;
  const weights = new Float64Array(window.length);
  for (let i = 0; i < window.length; i++) {
    const pos = position[i];
    if (window[i] >= 0) weights[i] = (scaledSigmoid(pos) * tpWeight) / MAX_TP;
    else weights[i] = (Number.isNaN(pos) ? -1.0 : scaledSigmoid(pos)) * fpWeight;
  }
  return weights;
}
