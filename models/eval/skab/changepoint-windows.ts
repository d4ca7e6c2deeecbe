// SKAB's changepoint scoring windows (tsad `single_detecting_boundaries` with
// anomaly_window_destination='righter', window_width='60s', intersection_mode='cut right window'):
// every true changepoint at time c opens the window [c, c + width], both ends inclusive, found by
// TIME, not by rows. Walking the windows in order, when one reaches the next one's start
// (w[i].end >= w[i+1].start), the next one starts at w[i].end instead. So a changepoint less than
// `width` after the previous one is NOT inside its own window (nine of SKAB's 127 are), which is
// why echoing the true changepoints scores 92.91 and not 100.

export const SKAB_WINDOW_MS = 60_000;

export interface ChangepointWindow {
  /** Inclusive bounds, epoch ms. */
  readonly start: number;
  readonly end: number;
}

/** Windows of one file's test part: times (ms, ascending) and its 0/1 changepoint column. */
export function changepointWindows(time: ArrayLike<number>, changepoint: ArrayLike<number>, widthMs = SKAB_WINDOW_MS): ChangepointWindow[] {
  if (time.length !== changepoint.length) throw new Error(`changepointWindows: ${time.length} times but ${changepoint.length} changepoint labels`);
  if (!(widthMs >= 0)) throw new Error(`changepointWindows: width must be >= 0 ms, got ${widthMs}`);
  const windows: { start: number; end: number }[] = [];
  for (let i = 0; i < time.length; i++) if (changepoint[i] === 1) windows.push({ start: time[i], end: time[i] + widthMs });
  for (let i = 0; i + 1 < windows.length; i++) {
    if (windows[i].end >= windows[i + 1].start) windows[i + 1].start = windows[i].end;
  }
  return windows;
}
