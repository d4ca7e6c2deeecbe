// Every reference value of benchmarks.md §2.6, computed with SKAB's own code on the real 34 files'
// test parts, reproduced by models/eval/skab: synthetic predictions (all zeros, the oracle, all
// ones, the oracle shifted 10 rows either way, the true changepoints echoed) give the same F1 /
// FAR / MAR, confusion counts, NAB scores for the three profiles, missed changepoints and FPs.

import { describe, expect, it } from 'vitest';
import { evaluateSkab, type SkabFilePredictions } from '../../../../models/eval/skab/evaluate.js';
import { readSkabLabels, shift } from './skab-labels.js';

const files = readSkabLabels();

function run(predict: (f: (typeof files)[number]) => Partial<SkabFilePredictions> & { predicted: ArrayLike<number | null> }) {
  return evaluateSkab(files.map((f) => ({ time: f.time, anomaly: f.anomaly, changepoint: f.changepoint, ...predict(f) })));
}

describe('SKAB metrics against the reference values of benchmarks.md §2.6', () => {
  it('reads the corpus the notes describe: 34 files, 23,801 test rows, 12,771 anomalous, 127 changepoints', () => {
    expect(files).toHaveLength(34);
    expect(files.reduce((s, f) => s + f.time.length, 0)).toBe(23_801);
    expect(files.reduce((s, f) => s + f.anomaly.reduce((a, b) => a + b, 0), 0)).toBe(12_771);
    expect(files.reduce((s, f) => s + f.changepoint.reduce((a, b) => a + b, 0), 0)).toBe(127);
  });

  it('all zeros (the null detector)', () => {
    const r = run((f) => ({ predicted: f.anomaly.map(() => 0) }));
    expect(r.outlier).toMatchObject({ f1: 0, far: 0, mar: 100, tp: 0, tn: 11_030, fp: 0, fn: 12_771 });
    expect(r.changepoint).toMatchObject({ nab: { standard: 0, lowFP: 0, lowFN: 0 }, missed: 127, falsePositives: 0, changepoints: 127 });
    expect(r.changepoint.addSeconds).toBeNaN();
  });

  it('the anomaly labels themselves (oracle outlier): a perfect mask scores only 54.73 on changepoints', () => {
    const r = run((f) => ({ predicted: f.anomaly }));
    expect(r.outlier).toMatchObject({ f1: 1, far: 0, mar: 0, tp: 12_771, tn: 11_030, fp: 0, fn: 0 });
    expect(r.changepoint).toMatchObject({ nab: { standard: 54.73, lowFP: 54.03, lowFN: 56.96 }, missed: 49, falsePositives: 1 });
  });

  it('all ones', () => {
    const r = run((f) => ({ predicted: f.anomaly.map(() => 1) }));
    expect(r.outlier).toMatchObject({ f1: 0.7, far: 100, mar: 0, tp: 12_771, tn: 0, fp: 11_030, fn: 0 });
    expect(r.changepoint).toMatchObject({ nab: { standard: -1.47, lowFP: -2.94, lowFN: -0.98 }, missed: 127, falsePositives: 34 });
  });

  it('the oracle 10 rows late: anomaly.shift(10).fillna(0)', () => {
    const r = run((f) => ({ predicted: shift(f.anomaly, 10) }));
    expect(r.outlier).toMatchObject({ f1: 0.97, far: 2.9, mar: 2.66, tp: 12_431, tn: 10_710, fp: 320, fn: 340 });
    expect(r.changepoint).toMatchObject({ nab: { standard: 48.67, lowFP: 48.38, lowFN: 49.5 }, missed: 62, falsePositives: 1 });
  });

  it('the oracle 10 rows early: anomaly.shift(-10).fillna(0)', () => {
    const r = run((f) => ({ predicted: shift(f.anomaly, -10) }));
    expect(r.outlier).toMatchObject({ f1: 0.97, far: 2.99, mar: 2.66, tp: 12_431, tn: 10_700, fp: 330, fn: 340 });
    expect(r.changepoint).toMatchObject({ nab: { standard: 9.7, lowFP: 6.92, lowFN: 13.82 }, missed: 99, falsePositives: 40 });
  });

  it('echoing the true changepoints scores 92.91, missing the 9 that lie within 60 s of the previous one', () => {
    const r = run((f) => ({ predicted: f.anomaly, predictedChangepoints: f.changepoint }));
    expect(r.changepoint).toMatchObject({ nab: { standard: 92.91, lowFP: 92.91, lowFN: 92.91 }, missed: 9, falsePositives: 0 });
    expect(r.changepoint.addSeconds).toBe(0);
  });
});
