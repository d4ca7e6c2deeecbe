// One NAB data file through a detector (nab-config.ts), in one causal pass: the per-row
// anomaly_score in [0, 1] NAB's results files carry, plus the raw score before the likelihood.
//   rows [0, F)   F = fitFraction × probation: the members fit on them (scaler, weights)
//   rows [F, P)   run exactly as later rows (forecast, learn) but only build the likelihood's
//                 history; their anomaly_score is 0 (NAB never scores probationary rows)
//   rows [P, n)   scored: each member's residual over its running scale, clipped at rawScale, the
//                 members' (weighted) mean or maximum (combine) → anomaly likelihood → NAB's log score; a spatial anomaly scores 1;
//                 the rest period silences repeats. A row scoring below learnGate is judged normal:
//                 the members learn from it and the feature statistics and residual scales follow it.
// Every row's score depends only on rows before and at it (P is NAB's probation length, given).
// Seeded: the same file and configuration give the same scores.

import { createAnomalyLikelihood, logLikelihood } from '../../models/scoring/likelihood.js';
import { createRestPeriod } from '../../models/scoring/rest-period.js';
import { createSpatialAnomaly } from '../../models/scoring/spatial-anomaly.js';
import type { MemberConfig, NabDetectorConfig } from './nab-config.js';
import { createAeMember } from './nab-ae-member.js';
import { createNabFeatures, type NabFeatures } from './nab-features.js';
import { createLevelMember } from './nab-level-member.js';
import { createLstmMember } from './nab-lstm-member.js';
import { createNaiveMember, type NabMember } from './nab-member.js';

export interface NabSeriesInput {
  readonly values: Float64Array;
  /** Epoch ms per row (for the day length of the 'lag' input). */
  readonly times: Float64Array;
  /** NAB's probationary length for this file: min(floor(0.15·n), 750) of the whole file. */
  readonly probation: number;
}

export interface NabSeriesScores {
  readonly scores: Float64Array; // [n] anomaly_score
  readonly raw: Float64Array; // [n] the members' combined clipped residuals (0 on the first quarter of the fit rows)
}

/** Smallest probation a detector can work with (fit rows for the members, history for the likelihood). */
export const MIN_PROBATION = 8;

export async function scoreNabSeries(input: NabSeriesInput, config: NabDetectorConfig): Promise<NabSeriesScores> {
  const { values, times, probation: P } = input;
  const n = values.length;
  if (!(Number.isInteger(P) && P >= MIN_PROBATION && P < n)) throw new Error(`a NAB series needs a probation of ${MIN_PROBATION} to ${n - 1} rows, got ${P}`);
  const F = Math.max(2, Math.min(P, Math.round(config.fitFraction * P)));
  const features = createNabFeatures(values, times, F, config.normRate, config.zClip);
  const members: NabMember[] = [];
  for (const [k, m] of config.members.entries()) members.push(await createMember(features, F, m, config.seed + 1000 * k));

  // Each member's residual scale starts from its fit residuals (the first quarter skipped: states settle).
  const skip = Math.max(1, Math.floor(F / 4));
  const fitRes = members.map((m) => m.fitResiduals());
  const scale2 = fitRes.map((r) => {
    let s = 0, c = 0;
    for (let t = skip; t < F; t++) if (Number.isFinite(r[t])) (s += r[t] * r[t]), c++;
    return Math.max(c > 0 ? s / c : 1, 1e-4);
  });
  const weight = config.weights ?? members.map(() => 1);
  if (weight.length !== members.length || weight.some((w) => !(w >= 0)) || !weight.some((w) => w > 0)) throw new Error(`weights: one non-negative number per member, not all 0 (got ${JSON.stringify(config.weights)})`);
  const weightSum = weight.reduce((a, b) => a + b, 0);
  const rawAt = (residuals: readonly number[]): number => {
    let sum = 0, max = 0;
    residuals.forEach((r, k) => {
      const c = weight[k] * (Number.isFinite(r) ? Math.min(1, Math.abs(r) / Math.sqrt(scale2[k]) / config.rawScale) : 0);
      sum += c;
      max = Math.max(max, c);
    });
    return config.combine === 'max' ? Math.min(1, max) : sum / weightSum;
  };
  const L = config.likelihood;
  const likelihoodOver = (averagingWindow: number) => createAnomalyLikelihood({
    learningPeriod: 0,
    estimationSamples: P - skip,
    historicWindowSize: Math.max(L.historicWindowSize, P),
    reestimationPeriod: L.reestimationPeriod,
    averagingWindow,
    ...(L.redFilter ? {} : { redThreshold: 1, yellowThreshold: 1 }),
  });
  // The reported score's likelihood, and the learning verdict's when its window differs.
  const likelihood = likelihoodOver(L.averagingWindow);
  const gateWindow = L.gateAveragingWindow ?? L.averagingWindow;
  const gateLikelihood = gateWindow === L.averagingWindow ? null : likelihoodOver(gateWindow);
  const scores = new Float64Array(n);
  const raw = new Float64Array(n);
  for (let t = skip; t < F; t++) {
    raw[t] = rawAt(fitRes.map((r) => r[t]));
    likelihood.probability(raw[t], values[t]);
    gateLikelihood?.probability(raw[t], values[t]);
  }
  const spatial = config.spatial === null ? null : createSpatialAnomaly(config.spatial);
  for (let t = 0; t < F; t++) spatial?.observe(values[t]);
  const rest = createRestPeriod(Math.floor(config.restFraction * P), config.restLevel);

  const residuals = new Array<number>(members.length);
  for (let t = F; t < n; t++) {
    features.standardise(t);
    members.forEach((m, k) => (residuals[k] = m.residual(t)));
    raw[t] = rawAt(residuals);
    let s = logLikelihood(likelihood.probability(raw[t], values[t]));
    let g = gateLikelihood === null ? s : logLikelihood(gateLikelihood.probability(raw[t], values[t]));
    if (spatial?.observe(values[t])) s = g = 1;
    s = Math.min(1, Math.max(0, s));
    const reported = rest.apply(s);
    if (t >= P) scores[t] = reported;
    const normal = g < config.learnGate;
    if (normal) {
      features.follow(t);
      residuals.forEach((r, k) => {
        if (Number.isFinite(r)) scale2[k] += config.residRate * (r * r - scale2[k]);
      });
    }
    for (const m of members) m.judged(t, normal);
  }
  return { scores, raw };
}

function createMember(features: NabFeatures, fitRows: number, m: MemberConfig, seed: number): Promise<NabMember> {
  if (m.kind === 'lstm') return createLstmMember(features, fitRows, m, seed);
  if (m.kind === 'ae') return createAeMember(features, fitRows, m, seed);
  if (m.kind === 'level') return Promise.resolve(createLevelMember(features, fitRows, m));
  return Promise.resolve(createNaiveMember(features, fitRows));
}

