import { describe, expect, it } from 'vitest';
import {
  NAB_PROFILES, NabInputError, type NabFileInput, parseNabProfiles, scoreCorpus,
} from '../../../../models/eval/nab/index.js';
import { TOY_SCORES, TOY_TIMESTAMPS, TOY_WINDOWS, timestamps, windowOver } from './toy.js';

const TOL = 1e-9;
const toy: NabFileInput = { relPath: 'toy/a.csv', timestamps: TOY_TIMESTAMPS, scores: TOY_SCORES };

describe('scoreCorpus on the toy file', () => {
  it('optimises each profile over the sweep and normalises against null and perfect', () => {
    const r = scoreCorpus({ files: [toy], windows: { 'toy/a.csv': TOY_WINDOWS } });
    const s = r.profiles.standard;
    expect(s.threshold).toBe(0.95);
    expect(Math.abs(s.raw - 0.8597925669097837)).toBeLessThan(TOL);
    expect(s.optimizerScore).toBe(s.raw);
    expect(s.nullRaw).toBe(-1);
    expect(s.perfect).toBe(1);
    expect(Math.abs(s.normalized - (100 * (0.8597925669097837 + 1)) / 2)).toBeLessThan(TOL);
    expect([s.tp, s.tn, s.fp, s.fn, s.total]).toEqual([1, 13, 0, 3, 17]);
    expect(s.perFile).toEqual([{ file: 'toy/a.csv', threshold: 0.95, score: s.raw, tp: 1, tn: 13, fp: 0, fn: 3, total: 17 }]);
    expect(r.profiles.reward_low_FN_rate.nullRaw).toBe(-2);
    expect(Object.keys(r.profiles)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
  });

  it('scores at given thresholds with >= (0.75 is the 0.8 row)', () => {
    const r = scoreCorpus({ files: [toy], windows: { 'toy/a.csv': TOY_WINDOWS }, thresholds: { standard: 0.75, reward_low_FP_rate: 0.9, reward_low_FN_rate: 0.5 } });
    expect(Math.abs(r.profiles.standard.raw - 0.6398025544408983)).toBeLessThan(TOL);
    expect(r.profiles.standard.threshold).toBe(0.75);
    expect(r.profiles.standard.optimizerScore).toBeNull();
    expect([r.profiles.reward_low_FN_rate.tp, r.profiles.reward_low_FN_rate.fp]).toEqual([2, 3]);
    expect(Math.abs(r.profiles.reward_low_FN_rate.raw - 0.6719502784049765)).toBeLessThan(TOL);
  });
});

describe('scoreCorpus: the corpus-wide sweep', () => {
  const ts = timestamps(100); // probation 15 rows
  const W = [windowOver(40, 49)];
  const file = (relPath: string, rows: Record<number, number>): NabFileInput => {
    const scores = new Float64Array(100);
    for (const [i, x] of Object.entries(rows)) scores[Number(i)] = x;
    return { relPath, timestamps: ts, scores };
  };

  it('names windows per file: equal timestamps in two files are two windows', () => {
    // Only a's window is detected; if the windows were merged by timestamp, b's FN would vanish.
    const r = scoreCorpus({ files: [file('x/a.csv', { 40: 1 }), file('x/b.csv', {})], windows: { 'x/a.csv': W, 'x/b.csv': W }, profiles: { standard: NAB_PROFILES.standard } });
    expect(r.profiles.standard.threshold).toBe(1);
    expect(r.profiles.standard.optimizerScore).toBe(0); // 1 − 1
    expect(r.profiles.standard.raw).toBe(0);
    expect(r.profiles.standard.nullRaw).toBe(-2);
  });

  it('one threshold for the corpus, not the best per file', () => {
    // a's window is caught at 0.9 (a alone would take 0.9), b's at 0.3; b has an FP at 0.5, a one at 0.35.
    const a = file('x/a.csv', { 40: 0.9, 60: 0.35 });
    const b = file('x/b.csv', { 40: 0.3, 20: 0.5 });
    const r = scoreCorpus({ files: [a, b], windows: { 'x/a.csv': W, 'x/b.csv': W }, profiles: { standard: NAB_PROFILES.standard } });
    // at 0.3 both windows are caught for the cost of two FPs, better than 0.9's 1 − 1 = 0
    expect(r.profiles.standard.threshold).toBe(0.3);
    expect(r.profiles.standard.perFile.map((f) => f.threshold)).toEqual([0.3, 0.3]);
    expect(r.profiles.standard.raw).toBeGreaterThan(1.7);
  });

  it('ties go to the highest threshold; "no detections" (1.1) wins when nothing beats it', () => {
    // With FPs free (fpWeight 0), thresholds 0.8, 0.6 and 0 all score 1 (the window caught at row 40).
    const free = { tpWeight: 1, fpWeight: 0, fnWeight: 1 };
    const r = scoreCorpus({ files: [file('x/a.csv', { 40: 0.8, 20: 0.6, 70: 0.6 })], windows: { 'x/a.csv': W }, profiles: { free } });
    expect(r.profiles.free.threshold).toBe(0.8);
    const none = scoreCorpus({ files: [file('x/a.csv', { 20: 0.9 })], windows: { 'x/a.csv': W }, profiles: { standard: NAB_PROFILES.standard } });
    expect(none.profiles.standard.threshold).toBe(1.1);
    expect(none.profiles.standard.normalized).toBe(0);
  });

  it('a corpus without windows has no normalised score (NaN), but still a raw one', () => {
    const r = scoreCorpus({ files: [file('x/a.csv', { 20: 1 })], windows: { 'x/a.csv': [] }, thresholds: { standard: 0.5, reward_low_FP_rate: 0.5, reward_low_FN_rate: 0.5 } });
    expect(r.profiles.standard.raw).toBe(-0.11);
    expect(r.profiles.standard.normalized).toBeNaN();
  });
});

describe('scoreCorpus refuses what NAB refuses, naming the file', () => {
  const ok = (): NabFileInput => ({ relPath: 'toy/a.csv', timestamps: TOY_TIMESTAMPS, scores: TOY_SCORES.slice() });
  const run = (files: NabFileInput[], windows: Record<string, readonly (readonly [string, string])[]> = { 'toy/a.csv': TOY_WINDOWS }, extra = {}) =>
    () => scoreCorpus({ files, windows, ...extra });

  it('scores outside [0, 1], NaN, or a different count from the rows', () => {
    const high = ok();
    (high.scores as Float64Array)[7] = 1.5;
    expect(run([high])).toThrow(/toy\/a\.csv: row 7 \(2020-01-01 00:35:00\): anomaly_score 1\.5 is not in \[0, 1\]/);
    const nan = ok();
    (nan.scores as Float64Array)[3] = NaN;
    expect(run([nan])).toThrow(NabInputError);
    expect(run([{ ...ok(), scores: new Float64Array(19) }])).toThrow(/19 anomaly scores for 20 rows/);
  });

  it('labels and files that do not match, boundaries that match no row or several', () => {
    expect(run([ok()], {})).toThrow(/toy\/a\.csv: not in the labels/);
    expect(run([ok()], { 'toy/a.csv': TOY_WINDOWS, 'toy/b.csv': [] })).toThrow(/toy\/b\.csv: labelled but not scored/);
    expect(run([ok(), ok()])).toThrow(/given twice/);
    expect(run([ok()], { 'toy/a.csv': [['2020-01-01 00:52:00', TOY_WINDOWS[0][1]]] })).toThrow(/2020-01-01 00:52:00 is the timestamp of no row/);
    const dup = { ...ok(), timestamps: TOY_TIMESTAMPS.map((t, i) => (i === 15 ? TOY_TIMESTAMPS[10] : t)) };
    expect(run([dup])).toThrow(/is the timestamp of 2 rows \(10, 15\)/);
    expect(run([ok()], { 'toy/a.csv': [windowOver(12, 10)] })).toThrow(/ends \(row 10\) before it starts \(row 12\)/);
    expect(run([ok()], { 'toy/a.csv': [windowOver(8, 12), windowOver(12, 14)] })).toThrow(/before the previous window ends/);
  });

  it('thresholds must cover every profile and name only profiles', () => {
    expect(run([ok()], undefined, { thresholds: { standard: 0.5 } })).toThrow(/profile 'reward_low_FP_rate': expected a finite number/);
    expect(run([ok()], undefined, { thresholds: { standard: 0.5, reward_low_FP_rate: 0.5, reward_low_FN_rate: 0.5, strict: 0.5 } })).toThrow(/'strict' is not a profile/);
  });
});

describe('parseNabProfiles', () => {
  it('reads config/profiles.json\'s shape and says which weight is wrong', () => {
    expect(parseNabProfiles({ p: { CostMatrix: { tpWeight: 1, fpWeight: 0.5, fnWeight: 3, tnWeight: 1 } } })).toEqual({ p: { tpWeight: 1, fpWeight: 0.5, fnWeight: 3 } });
    expect(() => parseNabProfiles({ p: { CostMatrix: { tpWeight: 1, fpWeight: '0.5', fnWeight: 3 } } }, 'f.json')).toThrow(/f\.json: p\.CostMatrix\.fpWeight: expected a finite number, got "0\.5"/);
    expect(() => parseNabProfiles({ p: {} })).toThrow(/no CostMatrix/);
    expect(() => parseNabProfiles([])).toThrow(NabInputError);
  });
});
