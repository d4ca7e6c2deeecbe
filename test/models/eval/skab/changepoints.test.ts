// Changepoint windows (60 s to the right, cut right window), matching, predicted edges and
// NAB-on-SKAB on small hand-made cases whose answers follow from tsad's code line by line.

import { describe, expect, it } from 'vitest';
import { matchChangepoints } from '../../../../models/eval/skab/changepoint-match.js';
import { changepointWindows } from '../../../../models/eval/skab/changepoint-windows.js';
import { evaluateSkab } from '../../../../models/eval/skab/evaluate.js';
import { linspace, nabFile, nabReward, nabScale, SKAB_NAB_PROFILES } from '../../../../models/eval/skab/nab.js';
import { changepointTimes, predictedChangepoints } from '../../../../models/eval/skab/predicted-changepoints.js';
import { skabWindowRows } from '../../../../models/eval/skab/window-alignment.js';

const s = (k: number) => k * 1000; // seconds → ms
const seconds = (n: number) => Array.from({ length: n }, (_, i) => s(i));

describe('changepointWindows', () => {
  it('opens [c, c + 60 s] at every changepoint and starts an overlapping window where the previous one ends', () => {
    const time = seconds(300);
    const cp = time.map((_, i) => (i === 10 || i === 40 || i === 200 ? 1 : 0));
    expect(changepointWindows(time, cp)).toEqual([
      { start: s(10), end: s(70) },
      { start: s(70), end: s(100) }, // cut: 40 is not inside its own window
      { start: s(200), end: s(260) },
    ]);
  });

  it('measures the width in time, not rows (a 2 s gap is one row)', () => {
    const time = [0, s(1), s(3), s(4)];
    expect(changepointWindows(time, [1, 0, 0, 0], s(2))).toEqual([{ start: 0, end: s(2) }]);
  });
});

describe('matchChangepoints', () => {
  const windows = [{ start: s(10), end: s(70) }, { start: s(70), end: s(100) }, { start: s(200), end: s(260) }];

  it('keeps the first prediction of a window, ignores later ones there, and counts everything outside as FP', () => {
    const m = matchChangepoints(windows, [s(150), s(5), s(20), s(30), s(265)]);
    expect(m.detected).toEqual([{ window: 0, time: s(20) }]);
    expect(m.missed).toEqual([1, 2]);
    expect(m.falsePositives).toEqual([s(5), s(150), s(265)]);
  });

  it('lets a prediction on a shared cut boundary detect both windows; inclusive ends', () => {
    const m = matchChangepoints(windows, [s(70), s(260)]);
    expect(m.detected).toEqual([{ window: 0, time: s(70) }, { window: 1, time: s(70) }, { window: 2, time: s(260) }]);
    expect(m.falsePositives).toEqual([]);
  });

  it('makes every prediction an FP in a file without changepoints', () => {
    expect(matchChangepoints([], [s(1), s(2)])).toEqual({ detected: [], missed: [], falsePositives: [s(1), s(2)] });
  });
});

describe('NAB-on-SKAB', () => {
  it('linspace matches numpy element for element at the ends and the middle', () => {
    const x = linspace(-Math.PI / 2, Math.PI / 2, 1000);
    expect(x[0]).toBe(-Math.PI / 2);
    expect(x[999]).toBe(Math.PI / 2);
    expect(x[1]).toBe(Math.PI / 999 - Math.PI / 2);
  });

  it('rewards A_tp at the window start, A_fp at its end, (A_tp + A_fp)/2 in the middle, monotonically', () => {
    for (const p of Object.values(SKAB_NAB_PROFILES)) {
      const y = nabScale(p);
      expect(y[0]).toBeCloseTo(p.tp, 12);
      expect(y[999]).toBeCloseTo(p.fp, 12);
      expect((y[499] + y[500]) / 2).toBeCloseTo((p.tp + p.fp) / 2, 12);
      for (let i = 1; i < 1000; i++) expect(y[i]).toBeLessThan(y[i - 1]);
    }
  });

  it('indexes the curve with int((t − start)/(end − start)·1000), clamped to 999', () => {
    const p = SKAB_NAB_PROFILES.standard;
    const w = { start: 0, end: s(60) };
    expect(nabReward(p, w, s(30))).toBe(nabScale(p)[500]);
    expect(nabReward(p, w, s(1))).toBe(nabScale(p)[16]); // 16.67 → 16
    expect(nabReward(p, w, s(60))).toBe(nabScale(p)[999]);
  });

  it('scores a file as A_fp·#FP + A_fn·#missed + the rewards, with null = #windows·A_fn and perfect = #windows·A_tp', () => {
    const windows = [{ start: 0, end: s(60) }, { start: s(100), end: s(160) }];
    const match = matchChangepoints(windows, [0, s(70), s(80)]);
    const lowFN = SKAB_NAB_PROFILES.lowFN;
    expect(nabFile(lowFN, windows, match)).toEqual({ score: 2 * -0.11 + -2 + nabScale(lowFN)[0], null: -4, perfect: 2 });
  });
});

describe('predicted changepoints from a mask', () => {
  it('marks both edges of every run, and the first row when the mask starts flagged', () => {
    expect(predictedChangepoints([1, 1, 0, 0, 1, 1, 1, 0])).toEqual([1, 0, 1, 0, 1, 0, 0, 1]);
    expect(predictedChangepoints([0, 0, 1])).toEqual([0, 0, 1]);
  });

  it('starts at the first predicted row and never diffs across a missing one', () => {
    expect(predictedChangepoints([null, null, 1, 1, 0])).toEqual([null, null, 1, 0, 1]);
    expect(predictedChangepoints([0, null, 1])).toEqual([0, null, null]);
    expect(changepointTimes([5, 6, 7], [null, 1, 0])).toEqual([6]);
  });
});

describe('skabWindowRows (the inherited window → row rule)', () => {
  it('flags row i when windows i−N+1 … i−1 are all anomalous (not window i), within range(N−1, W−N+1)', () => {
    const N = 3;
    // 10 rows → 8 windows; windows 2..5 anomalous
    const windows = [0, 0, 1, 1, 1, 1, 0, 0];
    const rows = skabWindowRows(windows, N);
    expect(rows).toHaveLength(10);
    // i in 2..5: i=4 checks windows 2,3 ✓; i=5 checks 3,4 ✓; i=3 checks 1,2 ✗; rows 6.. never
    expect(Array.from(rows)).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('never flags the first N−1 rows nor the last 2N−2, even when every window is anomalous', () => {
    const N = 60;
    const rows = skabWindowRows(new Array(700 - N + 1).fill(1), N);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(700 - 59 - 118);
    expect(rows[58]).toBe(0);
    expect(rows[59]).toBe(1);
    expect(rows[700 - 119]).toBe(1);
    expect(rows[700 - 118]).toBe(0);
  });
});

describe('evaluateSkab', () => {
  it('derives predicted changepoints from the mask edges unless they are given, and reports ADD in seconds', () => {
    const time = seconds(200);
    const anomaly = time.map((_, i) => (i >= 50 && i < 120 ? 1 : 0));
    const changepoint = time.map((_, i) => (i === 50 || i === 120 ? 1 : 0));
    const predicted = time.map((_, i) => (i >= 55 && i < 130 ? 1 : 0));
    const r = evaluateSkab([{ time, anomaly, changepoint, predicted }]);
    expect(r.outlier).toMatchObject({ tp: 65, fn: 5, fp: 10, tn: 120 });
    expect(r.changepoint).toMatchObject({ missed: 0, falsePositives: 0, changepoints: 2, addSeconds: 7.5 });
  });
});
