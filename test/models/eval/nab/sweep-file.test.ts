import { describe, expect, it } from 'vitest';
import {
  NAB_PROFILES, NabInputError, OUTSIDE, PROBATIONARY, probationaryLength, scaledSigmoid, sweepFile,
} from '../../../../models/eval/nab/index.js';
import { TOY_TIMESTAMPS, TOY_WINDOWS, timestamps, windowOver } from './toy.js';

const standard = NAB_PROFILES.standard;
const TOL = 1e-9;

describe('probationaryLength', () => {
  it('is min(floor(0.15·n), 0.15·5000): 750 (a float) from 5,000 rows on', () => {
    expect(probationaryLength(20)).toBe(3);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(4999)).toBe(749);
    expect(probationaryLength(5000)).toBe(750);
    expect(probationaryLength(22695)).toBe(750);
    expect(probationaryLength(0)).toBe(0);
  });
});

describe('sweepFile on the toy file (benchmarks.md §1.7)', () => {
  const { weights, tags } = sweepFile(TOY_TIMESTAMPS, TOY_WINDOWS, standard, 'toy.csv');

  it('gives NAB\'s per-row weights, standard profile', () => {
    const expected = [
      ...Array(10).fill(-0.11),
      1.0, 0.9669890878, 0.8597925669, 0.5621241486,
      -0.0750487969, -0.102422057, -0.1085275728, -0.1097203764, -0.1099471314, -0.1099900125,
    ];
    expect(weights.length).toBe(20);
    expected.forEach((x, i) => expect(Math.abs(weights[i] - x), `row ${i}`).toBeLessThan(1e-10));
    expect(weights[10]).toBe(1.0); // the first row of a window scores exactly tpWeight
  });

  it('tags rows 0–2 probationary, 10–13 as window 0, the rest outside', () => {
    expect([...tags]).toEqual([
      PROBATIONARY, PROBATIONARY, PROBATIONARY, ...Array(7).fill(OUTSIDE), 0, 0, 0, 0, ...Array(6).fill(OUTSIDE),
    ]);
  });

  it('scales TP weights by tpWeight and FP weights by fpWeight (not divided by MAX_TP)', () => {
    const heavy = sweepFile(TOY_TIMESTAMPS, TOY_WINDOWS, { tpWeight: 2, fpWeight: 0.22, fnWeight: 1 });
    // tpWeight 2 doubles the TP rows, fpWeight 0.22 doubles the FP rows
    for (let i = 0; i < 20; i++) expect(Math.abs(heavy.weights[i] - 2 * weights[i])).toBeLessThan(TOL);
    expect(heavy.weights[0]).toBe(-0.22);
  });
});

describe('sweepFile edge cases (benchmarks.md §1.6)', () => {
  it('rows in probation keep their weight but are tagged probationary, even inside a window', () => {
    // 20 rows, probation 3; a window over rows 1..4 (only possible by hand: NAB's labeler drops it)
    const { tags, weights } = sweepFile(timestamps(20), [windowOver(1, 4)], standard);
    expect([...tags.slice(0, 6)]).toEqual([PROBATIONARY, PROBATIONARY, PROBATIONARY, 0, 0, OUTSIDE]);
    expect(weights[1]).toBe(1.0);
  });

  it('FP cost depends on the PREVIOUS window only: it decays after it, and is full before any', () => {
    // windows over rows 20..29 and 60..69 of 100 rows
    const { weights } = sweepFile(timestamps(100), [windowOver(20, 29), windowOver(60, 69)], standard);
    expect(weights[19]).toBe(-0.11); // just before the first window: full cost, no look-ahead
    expect(weights[59]).toBe(-0.11); // just before the second: 30/9 > 3 past the first, no look-ahead
    expect(weights[30]).toBeCloseTo(scaledSigmoid(1 / 9) * 0.11, 15); // one row after a 10-row window
    expect(weights[70]).toBeCloseTo(scaledSigmoid(1 / 9) * 0.11, 15); // ... and after the second one
    for (let i = 31; i < 57; i++) expect(weights[i]).toBeLessThanOrEqual(weights[i - 1]); // cost grows with distance
    expect(weights[56]).toBe(scaledSigmoid(3) * 0.11); // 27/9 = 3: still the curve (3 is not above 3) ...
    expect(weights[56]).not.toBe(-0.11);
    expect(weights[57]).toBe(-0.11); // 28/9 > 3: the flat -1
  });

  it('an FP one row after a wide window costs almost nothing (≈ −0.0126·fpWeight after 200 rows)', () => {
    const { weights } = sweepFile(timestamps(1000), [windowOver(500, 699)], standard);
    expect(weights[700] / 0.11).toBeCloseTo(-0.0126, 4);
  });

  it('finds window edges by the FIRST row with the timestamp, entering windows in row order', () => {
    // rows 0..29; row 12 repeats the timestamp of row 8 (the clock steps back), then time goes on.
    const ts = timestamps(30);
    ts[12] = ts[8];
    // window [row 5, row 8]: its end is found at row 8 (first index), width 4, exit at row 8
    const a = sweepFile(ts, [windowOver(5, 8)], standard);
    expect([...a.tags.slice(5, 13)]).toEqual([0, 0, 0, 0, OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE]);
    // row 12 (same time as row 8) is outside, 4 rows past the right edge: |8 − 12| / 3
    expect(a.weights[12]).toBeCloseTo(scaledSigmoid(4 / 3) * 0.11, 15);
    // a window that starts at the repeated time: entered at row 8, the first match in row order
    const b = sweepFile(ts, [windowOver(8, 10)], standard);
    expect([...b.tags.slice(7, 13)]).toEqual([OUTSIDE, 0, 0, 0, OUTSIDE, OUTSIDE]);
    expect(b.weights[8]).toBe(1.0);
  });

  it('matches boundaries as instants: `…:00` in the data is `…:00.000000` in the labels', () => {
    const { tags } = sweepFile(timestamps(20), [[`${timestamps(20)[10]}`, `${timestamps(20)[13]}.0`]], standard);
    expect([...tags.slice(9, 15)]).toEqual([OUTSIDE, 0, 0, 0, 0, OUTSIDE]);
  });

  it('a file without windows: every row outside, each an FP at full cost', () => {
    const { tags, weights } = sweepFile(timestamps(40), [], standard);
    expect([...tags.slice(6)].every((t) => t === OUTSIDE)).toBe(true);
    expect([...weights].every((w) => w === -0.11)).toBe(true);
  });

  it('fails where NAB fails: a one-row window followed by rows outside, an end not in the file', () => {
    expect(() => sweepFile(timestamps(20), [windowOver(10, 10)], standard, 'f.csv')).toThrow(/f\.csv: row 11 follows a one-row window/);
    expect(() => sweepFile(timestamps(20), [windowOver(19, 19)], standard)).not.toThrow(); // nothing after it
    expect(() => sweepFile(timestamps(20), [[windowOver(10, 13)[0], '2031-01-01 00:00:00']], standard)).toThrow(NabInputError);
    expect(() => sweepFile(timestamps(20), [windowOver(12, 13), windowOver(5, 6)], standard)).toThrow(/never entered/);
  });
});
