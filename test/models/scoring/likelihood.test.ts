import { describe, expect, it } from 'vitest';
import { createAnomalyLikelihood, erfc, logLikelihood, NULL_DISTRIBUTION, tailProbability } from '../../../models/scoring/likelihood.js';
import { createRestPeriod } from '../../../models/scoring/rest-period.js';
import { createSpatialAnomaly } from '../../../models/scoring/spatial-anomaly.js';

const rel = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

describe('erfc', () => {
  it('matches the C library (Python math.erfc) to 1e-13 relative, tails included', () => {
    const ref: [number, number][] = [
      [0, 1], [0.3, 0.6713732405408726], [1, 0.15729920705028513], [2.5, 0.0004069520174449589],
      [3, 2.2090496998585438e-05], [6, 2.1519736712498916e-17], [10, 2.088487583762545e-45],
      [-0.5, 1.5204998778130465], [-3, 1.9999779095030015],
    ];
    for (const [x, want] of ref) expect(rel(erfc(x), want)).toBeLessThan(1e-13);
    expect(erfc(40)).toBe(0);
    expect(erfc(NaN)).toBeNaN();
  });
});

describe('tailProbability and logLikelihood', () => {
  it('gives the normal tail beyond x, mirrored below the mean, with NuPIC\'s z/1.4142', () => {
    const d = { mean: 0.2, stdev: 0.1 };
    // z = 2: 0.5·erfc(2/1.4142)
    expect(rel(tailProbability(0.4, d), 0.022749096406407064)).toBeLessThan(1e-12);
    expect(tailProbability(0.0, d)).toBe(tailProbability(0.4, d));
    expect(tailProbability(0.2, d)).toBe(0.5);
  });

  it('is NAB\'s log score: 0.5 → 0.0301, 0.99999 → 0.5, 1 → 1', () => {
    expect(logLikelihood(0.5)).toBeCloseTo(0.0301029996658834, 14);
    expect(logLikelihood(0.99999)).toBeCloseTo(0.49999956750453395, 14);
    expect(logLikelihood(1)).toBeCloseTo(1, 14);
    expect(logLikelihood(0)).toBeCloseTo(0, 9);
  });
});

describe('anomaly likelihood', () => {
  it('reports 0.5 while learning, then 1 − Q of the short mean under the normal fitted to the history (worked by hand)', () => {
    // estimationSamples 4, averagingWindow 2, no learning period. History 0.1, 0.3, 0.1, 0.3 gives the
    // short means 0.1, 0.2, 0.2, 0.2: mean 0.175, variance (0.075² + 3·0.025²)/4 = 0.001875,
    // σ = 0.0433013. The fifth raw score 0.5 makes the short mean (0.3 + 0.5)/2 = 0.4:
    // z = 0.225/0.0433013 = 5.196152, Q = 0.5·erfc(z/1.4142) = 1.0170048e-7.
    const lik = createAnomalyLikelihood({ learningPeriod: 0, estimationSamples: 4, averagingWindow: 2 });
    for (const r of [0.1, 0.3, 0.1, 0.3]) expect(lik.probability(r, r * 10)).toBe(0.5);
    const p = lik.probability(0.5, 5);
    expect(lik.distribution!.mean).toBeCloseTo(0.175, 15);
    expect(lik.distribution!.stdev).toBeCloseTo(0.04330127018922193, 15);
    expect(rel(1 - p, 1.0170047956236224e-07)).toBeLessThan(1e-9);
    expect(lik.iteration).toBe(5);
  });

  it('uses the null distribution for a flat metric, and the floors for near-constant scores', () => {
    const flat = createAnomalyLikelihood({ learningPeriod: 0, estimationSamples: 4, averagingWindow: 2 });
    for (const r of [0.1, 0.3, 0.1, 0.3]) flat.probability(r, 7);
    // Null distribution N(0.5, 1000²): the short mean 0.4 mirrors to 0.6, z = 1e-4.
    expect(flat.probability(0.5, 7)).toBeCloseTo(0.5000398946105649, 12);
    expect(flat.distribution).toBe(NULL_DISTRIBUTION);
    const quiet = createAnomalyLikelihood({ learningPeriod: 0, estimationSamples: 4, averagingWindow: 2 });
    for (let i = 0; i < 4; i++) quiet.probability(0, i);
    quiet.probability(0, 4);
    expect(quiet.distribution).toEqual({ mean: 0.03, stdev: Math.sqrt(0.0003) });
  });

  it('reproduces NuPIC\'s AnomalyLikelihood on a sequence that re-fits, slides its window and runs into the red zone twice', () => {
    // Expected values: a line-by-line Python transliteration of NuPIC's anomaly_likelihood.py
    // (anomalyProbability, estimateAnomalyLikelihoods, updateAnomalyLikelihoods, _filterLikelihoods),
    // with learningPeriod 3, estimationSamples 4, historicWindowSize 12, reestimationPeriod 5, averagingWindow 3.
    const raw = [0.1, 0, 0.2, 0.1, 0, 0.1, 0.3, 0.1, 0, 0.2, 0.1, 0.1, 0, 0.2, 1, 1, 1, 0.1, 0, 0.1, 0.2, 0, 0.1, 0.1, 0.9, 0, 0.1, 0, 0.2, 0.1];
    const want = [
      0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9976613307011142, 0.9213523869248517, 0.5000000000000002, 0.682373473690416,
      0.7364573526617055, 0.9430785841285717, 0.682373473690416, 1.0, 0.9999999999971951, 0.999, 0.999, 0.9966173106053104,
      0.7619775892526681, 0.7509080839118598, 0.7509080839118598, 0.7509080839118598, 0.783160366522406, 0.5663694017294549,
      0.5433995116086843, 0.5433995116086843, 0.8621476308820331, 0.8083999753084421, 0.8083999753084421,
    ];
    const lik = createAnomalyLikelihood({ learningPeriod: 3, estimationSamples: 4, historicWindowSize: 12, reestimationPeriod: 5, averagingWindow: 3 });
    raw.forEach((r, i) => expect(lik.probability(r, i % 7)).toBeCloseTo(want[i], 12));
  });

  it('the red-zone filter can be switched off', () => {
    const raw = [0.1, 0, 0.2, 0.1, 0, 0.1, 0.3, 0.1, 0, 0.2, 0.1, 0.1, 0, 0.2, 1, 1, 1];
    const lik = createAnomalyLikelihood({ learningPeriod: 3, estimationSamples: 4, historicWindowSize: 12, reestimationPeriod: 5, averagingWindow: 3, redThreshold: 1, yellowThreshold: 1 });
    const out = raw.map((r, i) => lik.probability(r, i % 7));
    expect(out[15]).toBeCloseTo(0.9999999999971951, 12);
    expect(out[16]).toBeGreaterThan(0.999999); // filtered, this would be 0.999
  });

  it('refuses options that cannot work and raw scores that are not finite', () => {
    expect(() => createAnomalyLikelihood({ averagingWindow: 0 })).toThrow(/averagingWindow/);
    expect(() => createAnomalyLikelihood({ historicWindowSize: 10, estimationSamples: 20 })).toThrow(/exceeds historicWindowSize/);
    expect(() => createAnomalyLikelihood({ learningPeriod: -1 })).toThrow(/learningPeriod/);
    expect(() => createAnomalyLikelihood().probability(NaN)).toThrow(/finite/);
  });
});

describe('spatial anomaly and rest period', () => {
  it('flags values beyond the running range widened by the tolerance', () => {
    const s = createSpatialAnomaly(0.1);
    expect([1, 1, 3].map((v) => s.observe(v))).toEqual([false, false, false]); // no range until two values differ
    expect(s.observe(3.2)).toBe(false); // range [1, 3], pad 0.2: 3.2 is inside
    expect(s.observe(3.5)).toBe(true); // [1, 3.2], pad 0.22: 3.42 < 3.5
    expect(s.observe(0.7)).toBe(true); // [1, 3.5], pad 0.25
    expect([s.min, s.max]).toEqual([0.7, 3.5]);
  });

  it('reports 0 for `rows` samples after a score at the level, restarting at every one', () => {
    const r = createRestPeriod(2, 0.5);
    expect([0.1, 0.6, 0.9, 0.2, 0.7, 0.3, 0.4, 0.8].map((x) => r.apply(x))).toEqual([0.1, 0.6, 0, 0, 0, 0, 0, 0.8]);
    const none = createRestPeriod(0, 0.5);
    expect([0.9, 0.9].map((x) => none.apply(x))).toEqual([0.9, 0.9]);
  });
});
