// Anomaly likelihood (Ahmad, Lavin, Purdy & Agha, Neurocomputing 262, 2017), as NuPIC's
// anomaly_likelihood.AnomalyLikelihood computes it for NAB's HTM detector: a detector's raw score
// says how surprising ONE sample is; the likelihood says how unusual the RECENT level of surprise is
// for THIS stream, so one threshold fits streams whose raw scores live on different scales.
//   short mean   the average of the last `averagingWindow` raw scores (10)
//   distribution a normal fitted to the short means of the last `historicWindowSize` raw scores
//                (8640), skipping the first `learningPeriod` of them while they are still in the
//                window (the model settling); re-fitted every `reestimationPeriod` samples (100);
//                mean ≥ meanFloor (0.03), variance ≥ varianceFloor (0.0003); a flat metric
//                (variance of the values < flatValueVariance) gets the null distribution N(0.5, 1e6)
//   likelihood   1 − Q(short mean), Q the normal tail beyond the short mean (mirrored below the mean,
//                as NuPIC does); 0.5 for the first learningPeriod + estimationSamples samples
//   filter       a likelihood in the red zone (tail ≤ 1 − 0.99999) right after another red one is
//                lowered to the yellow level (tail 1 − 0.999): a run of red raises one alarm
// logLikelihood is NAB's reported score, log(1.0000000001 − L) / log(1e-10): 0.5 → 0.03, 0.99999 → 0.5.
// Raw scores are expected in [0, 1] (the floors assume it). The caller passes one raw score per
// sample in stream order; nothing looks ahead. O(1) per sample apart from the re-fit (O(window)).
// state() is a plain JSON object (at most historicWindowSize raw scores, and as many metric values
// when they were given); createAnomalyLikelihood(options, state) resumes it exactly, so a restarted
// stream gives the same likelihoods as one that never stopped. checkLikelihoodState names a bad field.

export interface AnomalyLikelihoodOptions {
  /** Samples the model needs to settle; excluded from the fit while in the window. Default 288. */
  readonly learningPeriod?: number;
  /** Samples after the learning period before the first fit. Default 100. */
  readonly estimationSamples?: number;
  /** Raw scores kept for the fit. Default 8640 (a month at 5-minute samples). */
  readonly historicWindowSize?: number;
  /** Samples between re-fits. Default 100. */
  readonly reestimationPeriod?: number;
  /** Raw scores in the short mean. Default 10. */
  readonly averagingWindow?: number;
  /** Lower bounds of the fitted normal (defaults 0.03 and 0.0003, for raw scores in [0, 1]). */
  readonly meanFloor?: number;
  readonly varianceFloor?: number;
  /** Metric variance under which the stream counts as flat (null distribution). Default 1.5e-5; 0 disables. */
  readonly flatValueVariance?: number;
  /** Red and yellow likelihood levels of the filter (0.99999, 0.999); red ≥ 1 disables the filter. */
  readonly redThreshold?: number;
  readonly yellowThreshold?: number;
}

export const LIKELIHOOD_DEFAULTS: Required<AnomalyLikelihoodOptions> = {
  learningPeriod: 288,
  estimationSamples: 100,
  historicWindowSize: 8640,
  reestimationPeriod: 100,
  averagingWindow: 10,
  meanFloor: 0.03,
  varianceFloor: 0.0003,
  flatValueVariance: 1.5e-5,
  redThreshold: 0.99999,
  yellowThreshold: 0.999,
};

export interface NormalParams {
  readonly mean: number;
  readonly stdev: number;
}

/** NuPIC's nullDistribution: so broad that every raw score in [0, 1] is likely. */
export const NULL_DISTRIBUTION: NormalParams = { mean: 0.5, stdev: 1e3 };

export interface AnomalyLikelihood {
  /** Samples seen. */
  readonly iteration: number;
  /** The fitted distribution of short means, or null before the first fit. */
  readonly distribution: NormalParams | null;
  /**
   * The likelihood in [0, 1] that the stream is anomalous now, given this sample's raw score and
   * (optionally) the metric value (for the flat-metric check; without it that check is skipped).
   */
  probability(rawScore: number, value?: number): number;
  /** What to save to resume exactly (a plain JSON object, bounded by historicWindowSize). */
  state(): AnomalyLikelihoodState;
}

export interface AnomalyLikelihoodState {
  readonly iteration: number;
  /** The kept raw scores, oldest first: the last min(iteration, historicWindowSize). */
  readonly scores: readonly number[];
  /** The matching metric values, or null once a sample came without one. */
  readonly values: readonly number[] | null;
  /** The raw scores of the short mean, oldest first, and their running total. */
  readonly recent: readonly number[];
  readonly recentTotal: number;
  readonly prevTail: number;
  readonly distribution: NormalParams | null;
}

export function createAnomalyLikelihood(options: AnomalyLikelihoodOptions = {}, resume?: AnomalyLikelihoodState): AnomalyLikelihood {
  const o = { ...LIKELIHOOD_DEFAULTS, ...options };
  for (const k of ['learningPeriod', 'estimationSamples'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0) throw new Error(`likelihood ${k} must be an integer >= 0, got ${o[k]}`);
  }
  for (const k of ['historicWindowSize', 'reestimationPeriod', 'averagingWindow'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`likelihood ${k} must be an integer >= 1, got ${o[k]}`);
  }
  if (o.historicWindowSize < o.estimationSamples) throw new Error(`likelihood estimationSamples (${o.estimationSamples}) exceeds historicWindowSize (${o.historicWindowSize})`);
  if (!(o.yellowThreshold > 0 && o.yellowThreshold <= o.redThreshold)) throw new Error(`likelihood needs 0 < yellowThreshold <= redThreshold, got ${o.yellowThreshold}, ${o.redThreshold}`);
  const probation = o.learningPeriod + o.estimationSamples;
  const W = o.historicWindowSize;
  const A = o.averagingWindow;
  const red = 1 - o.redThreshold; // tail probabilities
  const yellow = 1 - o.yellowThreshold;
  const scores = new Float64Array(W); // ring of raw scores
  const values = new Float64Array(W); // ring of metric values
  let hasValues = true;
  const recent = new Float64Array(A); // ring of the last A raw scores (the short mean)
  let recentCount = 0;
  let recentTotal = 0;
  let prevTail = 1; // the previous sample's unfiltered tail probability
  let iteration = 0;
  let dist: NormalParams | null = null;

  if (resume) {
    const r = checkLikelihoodState(resume, o, 'likelihood state');
    iteration = r.iteration;
    const kept = r.scores.length;
    for (let j = 0; j < kept; j++) {
      scores[(iteration - kept + j) % W] = r.scores[j];
      values[(iteration - kept + j) % W] = r.values ? r.values[j] : 0;
    }
    hasValues = r.values !== null;
    recentCount = r.recent.length;
    for (let j = 0; j < recentCount; j++) recent[(iteration - recentCount + j) % A] = r.recent[j];
    recentTotal = r.recentTotal;
    prevTail = r.prevTail;
    dist = r.distribution && { mean: r.distribution.mean, stdev: r.distribution.stdev };
  }

  const avg = new Float64Array(W); // scratch: the short means of one re-fit
  const refit = (): void => {
    const n = Math.min(iteration, W);
    const shifted = Math.max(0, iteration - W);
    const skip = Math.min(iteration, Math.max(0, o.learningPeriod - shifted));
    const first = iteration - n;
    // Short means over the kept scores, restarted from nothing (as NuPIC's batch estimate does).
    let total = 0;
    for (let j = 0; j < n; j++) {
      total += scores[(first + j) % W];
      if (j >= A) total -= scores[(first + j - A) % W];
      avg[j] = total / Math.min(j + 1, A);
    }
    const m = n - skip;
    if (m <= 0) {
      dist = NULL_DISTRIBUTION;
    } else if (hasValues && o.flatValueVariance > 0 && variance(values, first + skip, m, W) < o.flatValueVariance) {
      dist = NULL_DISTRIBUTION;
    } else {
      const mean = meanOf(avg, skip, m);
      const v = variance(avg, skip, m, W);
      dist = { mean: Math.max(mean, o.meanFloor), stdev: Math.sqrt(Math.max(v, o.varianceFloor)) };
    }
    // NuPIC keeps the tail of the last short mean under the new fit as the filter's "previous".
    prevTail = n > 0 ? tailProbability(avg[n - 1], dist) : 1;
  };

  return {
    get iteration() {
      return iteration;
    },
    get distribution() {
      return dist;
    },
    probability(rawScore, value) {
      if (!Number.isFinite(rawScore)) throw new Error(`likelihood: raw score must be finite, got ${rawScore}`);
      if (value === undefined || !Number.isFinite(value)) hasValues = false;
      let likelihood = 0.5;
      // The short mean always moves (NuPIC's moving average carries over the learning period too).
      if (recentCount === A) recentTotal -= recent[iteration % A];
      else recentCount++;
      recent[iteration % A] = rawScore;
      recentTotal += rawScore;
      if (iteration >= probation) {
        if (dist === null || iteration % o.reestimationPeriod === 0) refit();
        const tail = tailProbability(recentTotal / recentCount, dist!);
        const filtered = tail <= red && prevTail <= red ? yellow : tail;
        prevTail = tail;
        likelihood = 1 - filtered;
      }
      scores[iteration % W] = rawScore;
      values[iteration % W] = value ?? 0;
      iteration++;
      return likelihood;
    },
    state() {
      const kept = Math.min(iteration, W);
      const ring = (a: Float64Array, count: number): number[] =>
        Array.from({ length: count }, (_, j) => a[(iteration - count + j) % a.length]);
      return {
        iteration,
        scores: ring(scores, kept),
        values: hasValues ? ring(values, kept) : null,
        recent: ring(recent, recentCount),
        recentTotal,
        prevTail,
        distribution: dist && { mean: dist.mean, stdev: dist.stdev },
      };
    },
  };
}

/**
 * Checks a saved state against the options it is to resume under; throws naming the field
 * (`where` prefixes it: "<where>.scores must be …").
 */
export function checkLikelihoodState(s: unknown, options: AnomalyLikelihoodOptions, where: string): AnomalyLikelihoodState {
  const o = { ...LIKELIHOOD_DEFAULTS, ...options };
  const bad = (field: string, want: string): never => {
    throw new Error(`${field ? `${where}.${field}` : where} must be ${want}`);
  };
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const numbers = (a: unknown, length: number): boolean => Array.isArray(a) && a.length === length && a.every(finite);
  if (!s || typeof s !== 'object') bad('', 'an object');
  const r = s as AnomalyLikelihoodState;
  if (!(Number.isInteger(r.iteration) && r.iteration >= 0)) bad('iteration', 'an integer >= 0');
  const kept = Math.min(r.iteration, o.historicWindowSize);
  if (!numbers(r.scores, kept)) bad('scores', `${kept} finite numbers (the last min(iteration, historicWindowSize))`);
  if (!(r.values === null || numbers(r.values, kept))) bad('values', `null or ${kept} finite numbers`);
  const recent = Math.min(r.iteration, o.averagingWindow);
  if (!numbers(r.recent, recent)) bad('recent', `${recent} finite numbers (the last min(iteration, averagingWindow))`);
  if (!finite(r.recentTotal)) bad('recentTotal', 'a finite number');
  if (!(finite(r.prevTail) && r.prevTail >= 0 && r.prevTail <= 1)) bad('prevTail', 'a number in [0, 1]');
  const d = r.distribution;
  if (!(d === null || (d && typeof d === 'object' && finite(d.mean) && finite(d.stdev) && d.stdev > 0))) bad('distribution', '{ mean, stdev > 0 } or null');
  return r;
}

function meanOf(a: Float64Array, from: number, count: number): number {
  let s = 0;
  for (let j = 0; j < count; j++) s += a[(from + j) % a.length];
  return s / count;
}

/** Population variance (numpy.var) of `count` values of ring `a` from `from`, two passes. */
function variance(a: Float64Array, from: number, count: number, size: number): number {
  let s = 0;
  for (let j = 0; j < count; j++) s += a[(from + j) % size];
  const mean = s / count;
  let q = 0;
  for (let j = 0; j < count; j++) {
    const d = a[(from + j) % size] - mean;
    q += d * d;
  }
  return q / count;
}

/** NAB's reported score for a likelihood: log(1.0000000001 − L) / log(1 − 0.9999999999), in [0, 1]. */
export function logLikelihood(likelihood: number): number {
  return Math.log(1.0000000001 - likelihood) / -23.02585084720009;
}

/**
 * The normal tail beyond x: P(X > x) above the mean, mirrored (P(X < x)) below it, with NuPIC's
 * z / 1.4142 inside erfc.
 */
export function tailProbability(x: number, d: NormalParams): number {
  const xp = x < d.mean ? 2 * d.mean - x : x;
  const z = (xp - d.mean) / d.stdev;
  return 0.5 * erfc(z / 1.4142);
}

/**
 * The complementary error function to ~1e-15 relative: the everywhere-positive series
 * erf(x) = 2/√π·e^{−x²}·Σ 2ⁿx^{2n+1}/(1·3·…·(2n+1)) below 2.5, Lentz's continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) above; erfc(−x) = 2 − erfc(x).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  if (x > 27) return 0;
  // Modified Lentz on K(a_k / b_k) with b = x, a_1 = 1, a_{k+1} = k/2.
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    D = x + a * D;
    D = D === 0 ? tiny : D;
    C = x + a / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}
