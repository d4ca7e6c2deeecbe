import { describe, expect, it } from 'vitest';
import {
  NAB_PROFILES, type NabProfile, type NabWindow, type ThresholdScore, bestThresholdScore, calcScoreByThreshold, scaledSigmoid, scoreAtThreshold,
  sweepFile,
} from '../../../../models/eval/nab/index.js';
import { TOY_SCORES, TOY_TIMESTAMPS, TOY_WINDOWS, timestamps, windowOver } from './toy.js';

const TOL = 1e-9;

function table(ts: readonly string[], windows: readonly NabWindow[], scores: Float64Array, profile: NabProfile): ThresholdScore[] {
  return calcScoreByThreshold({ scores, ...sweepFile(ts, windows, profile) }, profile.fnWeight);
}

/** [threshold, score, tp, tn, fp, fn] rows, as benchmarks.md lists them. */
function expectTable(actual: readonly ThresholdScore[], expected: readonly (readonly number[])[]): void {
  expect(actual.map((r) => r.threshold)).toEqual(expected.map((r) => r[0]));
  actual.forEach((r, k) => {
    const [, score, tp, tn, fp, fn] = expected[k];
    expect(Math.abs(r.score - score), `score at ${r.threshold}`).toBeLessThan(TOL);
    expect([r.tp, r.tn, r.fp, r.fn], `counts at ${r.threshold}`).toEqual([tp, tn, fp, fn]);
    expect(r.total).toBe(17); // scored rows: 20 − 3 probationary
  });
}

describe('calcScoreByThreshold on the toy file (benchmarks.md §1.7)', () => {
  const STANDARD = [
    [1.1, -1.0, 0, 13, 0, 4],
    [0.95, 0.8597925669097837, 1, 13, 0, 3],
    [0.8, 0.6398025544408983, 1, 11, 2, 3],
    [0.7, 0.746999075331175, 2, 11, 2, 2],
    [0.6, 0.6719502784049765, 2, 10, 3, 2],
    [0.0, -0.385655946990477, 4, 0, 13, 0],
  ];

  it('standard: every threshold, score and count as NAB\'s Sweeper gives them', () => {
    expectTable(table(TOY_TIMESTAMPS, TOY_WINDOWS, TOY_SCORES, NAB_PROFILES.standard), STANDARD);
  });

  it('reward_low_FN_rate: only the 1.1 row changes, to −2', () => {
    const lowFN = STANDARD.map((r) => (r[0] === 1.1 ? [1.1, -2.0, 0, 13, 0, 4] : r));
    expectTable(table(TOY_TIMESTAMPS, TOY_WINDOWS, TOY_SCORES, NAB_PROFILES.reward_low_FN_rate), lowFN);
  });

  it('row 2\'s 0.9 is probationary: never a candidate threshold, never counted', () => {
    const t = table(TOY_TIMESTAMPS, TOY_WINDOWS, TOY_SCORES, NAB_PROFILES.standard);
    expect(t.some((r) => r.threshold === 0.9)).toBe(false);
  });

  it('fixed-threshold lookups: detections are the rows with score >= t', () => {
    const t = table(TOY_TIMESTAMPS, TOY_WINDOWS, TOY_SCORES, NAB_PROFILES.standard);
    expect(scoreAtThreshold(t, 0.9).threshold).toBe(0.95);
    expect(scoreAtThreshold(t, 0.75).threshold).toBe(0.8);
    expect(scoreAtThreshold(t, 0.5).threshold).toBe(0.6);
    expect(scoreAtThreshold(t, 0.8).threshold).toBe(0.8); // equal: >=
    expect(scoreAtThreshold(t, 0.95).threshold).toBe(0.95);
    expect(scoreAtThreshold(t, 0.96).threshold).toBe(1.1); // above every score: nothing detected
    expect(scoreAtThreshold(t, 2).threshold).toBe(1.1); // NAB fails here; >= says nothing detected
    expect(scoreAtThreshold(t, 0).threshold).toBe(0); // everything detected
    expect(scoreAtThreshold(t, -1).threshold).toBe(0); // NAB fails here; >= says everything detected
  });

  it('the best entry is the 0.95 row; a tie goes to the higher threshold', () => {
    const t = table(TOY_TIMESTAMPS, TOY_WINDOWS, TOY_SCORES, NAB_PROFILES.standard);
    expect(bestThresholdScore(t).threshold).toBe(0.95);
    const tied = [t[0], { ...t[2], score: 5 }, { ...t[3], score: 5 }, t[4]];
    expect(bestThresholdScore(tied).threshold).toBe(0.8);
    expect(bestThresholdScore([t[0], { ...t[1], score: -1 }]).threshold).toBe(1.1); // nothing beats "no detections"
  });
});

describe('NAB\'s scoring rules (benchmarks.md §1.6)', () => {
  const standard = NAB_PROFILES.standard;
  const ts = timestamps(100); // probation 15 rows
  const W = [windowOver(40, 49)];
  const at = (rows: Record<number, number>): Float64Array => {
    const s = new Float64Array(100);
    for (const [i, x] of Object.entries(rows)) s[Number(i)] = x;
    return s;
  };
  const scoreAt = (scores: Float64Array, t: number, windows = W, rows = ts): ThresholdScore =>
    scoreAtThreshold(table(rows, windows, scores, standard), t);

  it('only the earliest detection in a window counts; later ones add nothing and cost nothing', () => {
    const first = scoreAt(at({ 42: 1 }), 0.5);
    const more = scoreAt(at({ 42: 1, 43: 1, 47: 1, 49: 1 }), 0.5);
    expect(more.score).toBe(first.score);
    expect([more.tp, more.fp, more.fn]).toEqual([4, 0, 6]); // counts are per row all the same
    const weights = sweepFile(ts, W, standard).weights;
    expect(first.score).toBe(weights[42]);
  });

  it('an earlier detection scores higher; the first row scores exactly tpWeight', () => {
    expect(scoreAt(at({ 40: 1 }), 0.5).score).toBe(1);
    expect(scoreAt(at({ 41: 1 }), 0.5).score).toBeGreaterThan(scoreAt(at({ 45: 1 }), 0.5).score);
    expect(scoreAt(at({ 45: 1 }), 0.5).score).toBeGreaterThan(scoreAt(at({ 49: 1 }), 0.5).score);
    expect(scoreAt(at({ 49: 1 }), 0.5).score).toBeGreaterThan(0);
  });

  it('a detection is score >= threshold, and tied scores switch on together', () => {
    const t = table(ts, W, at({ 20: 0.7, 30: 0.7, 45: 0.7, 60: 0.4 }), standard);
    expect(t.map((r) => r.threshold)).toEqual([1.1, 0.7, 0.4, 0]);
    expect([t[1].tp, t[1].fp]).toEqual([1, 2]);
    expect(scoreAtThreshold(t, 0.7).fp).toBe(2);
    expect(scoreAtThreshold(t, 0.7000000000000001).fp).toBe(0);
  });

  it('FP cost decays after the previous window and is full before it', () => {
    const before = scoreAt(at({ 39: 1, 40: 1 }), 0.5).score;
    const after = scoreAt(at({ 50: 1, 40: 1 }), 0.5).score;
    expect(before).toBeCloseTo(1 - 0.11, 15);
    expect(after).toBeGreaterThan(before);
    expect(after).toBeCloseTo(1 + 0.11 * scaledSigmoid(1 / 9), 15); // one row past a 10-row window
  });

  it('probation rows are never scored, even inside a window; a window wholly in probation makes no FN', () => {
    const inProbation = [windowOver(5, 9), windowOver(40, 49)];
    const t = table(ts, inProbation, at({ 6: 1 }), standard);
    expect(t[0].score).toBe(-1); // one FN term: only the second window has scored rows
    expect(t.map((r) => r.threshold)).toEqual([1.1, 0]); // row 6's score is no candidate
    const straddling = table(ts, [windowOver(10, 19)], at({ 12: 1, 16: 0.5 }), standard);
    expect(straddling[0].score).toBe(-1); // rows 15..19 are scored, so the window counts
    expect(straddling.find((r) => r.threshold === 0.5)!.tp).toBe(1); // row 12 is not a TP
  });

  it('a file without windows is still scored: FPs only, 0 when nothing is detected', () => {
    const t = table(ts, [], at({ 20: 1, 80: 1 }), standard);
    expect(t[0]).toEqual({ threshold: 1.1, score: 0, tp: 0, tn: 85, fp: 0, fn: 0, total: 85 });
    expect(scoreAtThreshold(t, 0.5).score).toBeCloseTo(-0.22, 15);
    expect(scoreAtThreshold(t, 0.5).fp).toBe(2);
  });
});
