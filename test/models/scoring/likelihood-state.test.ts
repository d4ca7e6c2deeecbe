// The anomaly likelihood's saved state: resuming from its JSON gives bit-identical likelihoods to a
// run that never stopped (with and without metric values, with the red filter), the state holds at
// most historicWindowSize scores, and a damaged state is refused naming the field.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import { type AnomalyLikelihoodOptions, checkLikelihoodState, createAnomalyLikelihood } from '../../../models/scoring/likelihood.js';

function raws(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => Math.min(1, Math.abs(rng.normal()) * 0.1 + (i % 97 > 90 ? 0.6 : 0)));
}

const OPTIONS: AnomalyLikelihoodOptions = { learningPeriod: 20, estimationSamples: 15, historicWindowSize: 60, reestimationPeriod: 7, averagingWindow: 5 };

describe('anomaly likelihood state', () => {
  for (const [name, extra, withValues] of [
    ['scores only', { flatValueVariance: 0 }, false],
    ['with metric values', {}, true],
    ['with the red filter', { flatValueVariance: 0, redThreshold: 0.999, yellowThreshold: 0.99 }, false],
  ] as const) {
    it(`resumes exactly: restarting every 13 samples gives the same likelihoods (${name})`, () => {
      const options = { ...OPTIONS, ...extra };
      const xs = raws(3, 600);
      const straight = createAnomalyLikelihood(options);
      const want = xs.map((x, i) => straight.probability(x, withValues ? x * 3 + (i % 5) : undefined));
      let lik = createAnomalyLikelihood(options);
      const got = xs.map((x, i) => {
        if (i % 13 === 0) lik = createAnomalyLikelihood(options, JSON.parse(JSON.stringify(lik.state())));
        return lik.probability(x, withValues ? x * 3 + (i % 5) : undefined);
      });
      expect(got).toEqual(want);
      expect(new Set(want).size).toBeGreaterThan(100); // the stream is past learning and moving
      const s = lik.state();
      expect(s.scores.length).toBe(60);
      expect(s.values === null).toBe(!withValues);
      expect(s.recent.length).toBe(5);
    });
  }

  it('refuses a damaged state, naming the field', () => {
    const lik = createAnomalyLikelihood(OPTIONS);
    for (const x of raws(4, 100)) lik.probability(x);
    const good = lik.state();
    const where = 'saved';
    expect(() => checkLikelihoodState(good, OPTIONS, where)).not.toThrow();
    expect(() => checkLikelihoodState({ ...good, iteration: -1 }, OPTIONS, where)).toThrow(/saved\.iteration must be/);
    expect(() => checkLikelihoodState({ ...good, scores: good.scores.slice(1) }, OPTIONS, where)).toThrow(/saved\.scores must be 60 finite/);
    expect(() => checkLikelihoodState({ ...good, recent: [...good.recent.slice(1), NaN] }, OPTIONS, where)).toThrow(/saved\.recent must be/);
    expect(() => checkLikelihoodState({ ...good, prevTail: 2 }, OPTIONS, where)).toThrow(/saved\.prevTail must be/);
    expect(() => checkLikelihoodState({ ...good, distribution: { mean: 0.1, stdev: 0 } }, OPTIONS, where)).toThrow(/saved\.distribution must be/);
    expect(() => createAnomalyLikelihood(OPTIONS, { ...good, recentTotal: 'x' as unknown as number })).toThrow(/likelihood state\.recentTotal must be/);
  });
});
