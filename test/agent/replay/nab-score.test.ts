import { describe, expect, it } from 'vitest';
import type { ScoredRow } from '../../../agent/replay/decision-trace.js';
import type { LabelWindows, TimeWindow } from '../../../agent/replay/label-windows.js';
import { createNabCollector } from '../../../agent/replay/nab-score.js';
import type { LabelTrack } from '../../../agent/replay/run-replay.js';
import { MAX_TP, scaledSigmoid } from '../../../models/eval/nab/index.js';

// A hand-built NAB case: 100 rows a minute apart, one window over rows 40..49, thresholds warning 2
// and critical 4. NAB never scores the first 15 rows (probation: 15% of 100).
const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const at = (row: number): number => T0 + row * MIN;
const WINDOW: TimeWindow = [at(40), at(49)];
const windows = (list: readonly TimeWindow[] = [WINDOW]): LabelWindows => ({ source: 'test.json', kind: 'all', windowsOf: () => list });

function labels(rows = 100, list: readonly TimeWindow[] = [WINDOW]): Map<string, LabelTrack> {
  const times = Array.from({ length: rows }, (_, i) => at(i));
  return new Map([['m1', { times, anomalous: times.map((t) => list.some(([a, b]) => t >= a && t <= b)) }]]);
}

/** Rows 5.. scored (the first five fill the window); score 1 (half the warning threshold) unless given. */
function trace(scores: Record<number, number> = {}, raisedAt: number[] = []): ScoredRow[] {
  return Array.from({ length: 95 }, (_, k) => {
    const i = k + 5;
    return {
      machineId: 'm1', time: at(i), score: scores[i] ?? 1, judged: scores[i] ?? 1, perChannel: {}, values: null,
      thresholds: { warning: 2, critical: 4, clear: 1.6, clearCritical: 3.2 },
      verdict: 'normal', event: raisedAt.includes(i) ? 'raised' : null, episodeId: null,
    } satisfies ScoredRow;
  });
}

function score(rows: ScoredRow[], l = labels(), w = windows()) {
  const c = createNabCollector();
  for (const r of rows) c.onScored(r);
  return c.score(l, w, MIN);
}

describe('the NAB score of a replay (alerts, warning, optimized)', () => {
  it('an alert raised on the first row of the window, and nothing else, is a perfect NAB score in every profile', () => {
    const nab = score(trace({}, [40]));
    expect(nab.error).toBeNull();
    expect(nab.files).toEqual([{ file: 'm1', machine: 'm1', rows: 100, windows: [['2024-01-01 00:40:00.000', '2024-01-01 00:49:00.000']] }]);
    for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
      expect(nab.rules!.alerts[p].normalized).toBeCloseTo(100, 9);
      expect(nab.rules!.alerts[p]).toMatchObject({ tp: 1, fp: 0, fn: 9, threshold: 1 });
    }
  });

  it('a second alert long after the window costs one false positive at each profile\'s weight', () => {
    // raw = 1 (the TP) − fpWeight (a row more than 3 window widths past the window scores −1 × fpWeight);
    // normalised = 100 (raw − null) / (perfect − null), with null = −fnWeight and perfect = 1.
    const nab = score(trace({}, [40, 80]));
    expect(nab.rules!.alerts.standard.normalized).toBeCloseTo((100 * (1 - 0.11 + 1)) / 2, 9); // 94.5
    expect(nab.rules!.alerts.reward_low_FP_rate.normalized).toBeCloseTo((100 * (1 - 0.22 + 1)) / 2, 9); // 89
    expect(nab.rules!.alerts.reward_low_FN_rate.normalized).toBeCloseTo((100 * (1 - 0.11 + 2)) / 3, 9); // 96.33
    expect(nab.rules!.alerts.standard).toMatchObject({ tp: 1, fp: 1 });
  });

  it('no alert at all is the null detector: 0', () => {
    const nab = score(trace());
    for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) expect(nab.rules!.alerts[p].normalized).toBeCloseTo(0, 9);
  });

  it("'warning' maps a score to min(1, score / warning): rows at or above the warning threshold are detections", () => {
    // Row 45 scores 3 (1.5 × warning → 1); every other row 1 (→ 0.5): one detection, halfway into the window.
    const nab = score(trace({ 45: 3 }));
    const weight = scaledSigmoid(-(49 - 45 + 1) / 10) / MAX_TP;
    expect(nab.rules!.warning.standard).toMatchObject({ tp: 1, fp: 0, threshold: 1 });
    expect(nab.rules!.warning.standard.normalized).toBeCloseTo((100 * (weight + 1)) / 2, 9);
    // NAB's optimiser may pick any threshold; it can only do as well or better than threshold 1.
    expect(nab.rules!.optimized.standard.normalized!).toBeGreaterThanOrEqual(nab.rules!.warning.standard.normalized! - 1e-9);
    // Scores of 1.9 and 2 straddle the threshold: 0.95 is no detection, 1 is.
    expect(score(trace({ 45: 1.9 })).rules!.warning.standard.tp).toBe(0);
    expect(score(trace({ 45: 2 })).rules!.warning.standard.tp).toBe(1);
  });

  it('rows never scored, and rows judged without thresholds, count as 0', () => {
    const learning = trace({ 45: 100 }).map((r) => (r.time === at(45) ? { ...r, thresholds: null, verdict: 'learning' as const } : r));
    expect(score(learning).rules!.warning.standard.tp).toBe(0);
    // Rows 20..24 never scored (a gap in the data, say): their window is missed, whatever came after.
    const gap: TimeWindow = [at(20), at(24)];
    const rows = trace({ 25: 100 }).filter((r) => r.time < at(20) || r.time > at(24));
    const nab = score(rows, labels(100, [gap]), windows([gap]));
    expect(nab.rules!.warning.standard).toMatchObject({ tp: 0, fn: 5, fp: 1 });
  });

  it('a log NAB cannot score says why instead of a score', () => {
    // A one-row window followed by normal rows: NAB divides by zero there.
    const one: TimeWindow = [at(50), at(50)];
    const nab = score(trace({}, [50]), labels(100, [one]), windows([one]));
    expect(nab.rules).toBeNull();
    expect(nab.error).toMatch(/follows a one-row window/);
  });
});
