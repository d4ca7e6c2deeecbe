// Predicted changepoints against scoring windows, as tsad's `extract_cp_confusion_matrix` with
// clear_anomalies_mode=True does it for one file:
//   TP window   at least one predicted time inside [start, end]; only the FIRST one is kept
//   missed      a window with no predicted time inside (an FN, "missed CP")
//   FP          a predicted time before the first window, strictly between two windows
//               (> w[i].end and < w[i+1].start), or after the last one; with no windows at all,
//               every predicted time
// Later predictions inside a detected window cost nothing. A prediction on a boundary shared by
// two cut windows counts for both.

import type { ChangepointWindow } from './changepoint-windows.js';

export interface ChangepointMatch {
  /** Detected windows: the window's index and its first predicted time. */
  readonly detected: readonly { readonly window: number; readonly time: number }[];
  /** Indexes of the windows nothing was predicted in. */
  readonly missed: readonly number[];
  /** Predicted times outside every window. */
  readonly falsePositives: readonly number[];
}

/** `predicted` are the predicted changepoint times (ms) of one file, in any order. */
export function matchChangepoints(windows: readonly ChangepointWindow[], predicted: readonly number[]): ChangepointMatch {
  const times = [...predicted].sort((a, b) => a - b);
  if (windows.length === 0) return { detected: [], missed: [], falsePositives: times };
  const detected: { window: number; time: number }[] = [];
  const missed: number[] = [];
  const falsePositives: number[] = times.filter((t) => t < windows[0].start);
  windows.forEach((w, i) => {
    const first = times.find((t) => t >= w.start && t <= w.end);
    if (first === undefined) missed.push(i);
    else detected.push({ window: i, time: first });
    const next = windows[i + 1];
    if (next) falsePositives.push(...times.filter((t) => t > w.end && t < next.start));
  });
  const last = windows[windows.length - 1];
  falsePositives.push(...times.filter((t) => t > last.end));
  return { detected, missed, falsePositives };
}
