// A detector's NAB score on a corpus, as NAB's runner computes it (nab/runner.py: optimize, score,
// normalize), for every profile:
//   threshold   the given one, or the corpus-wide optimum (optimize-threshold.ts)
//   per file    NAB's scoreDataSet at that threshold: detections are rows with score >= threshold;
//               Score and the per-row TP/TN/FP/FN of scored rows (the *_scores.csv rows)
//   raw         the Totals row: the per-file scores summed in the order of `files`
//   normalized  100·(raw − nullRaw)/(perfect − nullRaw), where nullRaw is what the null detector
//               (nothing detected) scores on these files, −fnWeight per window with a scored row,
//               and perfect = tpWeight × the number of windows in the labels (116 on NAB: 100 means
//               one detection on the first row of every window and nothing else). NaN without windows.
// Inputs are checked first (check-corpus.ts); a problem throws NabInputError.

import { type NabFileInput, type NabWindows, checkNabCorpus } from './check-corpus.js';
import { NabInputError } from './errors.js';
import { optimizeThreshold, poolRows } from './optimize-threshold.js';
import { NAB_PROFILES, type NabProfile, type NabProfiles } from './profiles.js';
import { locateRows, weighRows } from './sweep-file.js';
import { type SweptRows, type ThresholdScore, calcScoreByThreshold, scoreAtThreshold, scoredOrder } from './threshold-scores.js';

export interface NabCorpusInput {
  readonly files: readonly NabFileInput[];
  /** Windows by relPath: exactly the files' paths (NAB's labels/combined_windows.json). */
  readonly windows: NabWindows;
  /** Default NAB_PROFILES (config/profiles.json). */
  readonly profiles?: NabProfiles;
  /** A threshold for every profile (NAB's config/thresholds.json for one detector); omitted: optimised. */
  readonly thresholds?: Readonly<Record<string, number>>;
}

/** One row of NAB's <detector>_<profile>_scores.csv. */
export interface NabFileScore extends ThresholdScore {
  readonly file: string;
}

export interface NabProfileScore {
  readonly threshold: number;
  /** The corpus sweep's score at the optimised threshold (thresholds.json's "score"); null when given. */
  readonly optimizerScore: number | null;
  readonly raw: number;
  readonly normalized: number;
  readonly nullRaw: number;
  readonly perfect: number;
  /** The Totals row's counts. */
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly total: number;
  readonly perFile: readonly NabFileScore[];
}

export interface NabCorpusScore {
  readonly profiles: Readonly<Record<string, NabProfileScore>>;
}

export function scoreCorpus(input: NabCorpusInput): NabCorpusScore {
  const { files, windows } = input;
  const profiles = input.profiles ?? NAB_PROFILES;
  checkNabCorpus(files, windows);
  if (input.thresholds) checkThresholds(input.thresholds, profiles);
  const windowCount = Object.values(windows).reduce((sum, list) => sum + list.length, 0);
  // Everything but the weights is the same for every profile: where rows stand, the sort orders.
  const located = files.map((f) => {
    const geometry = locateRows(f.timestamps, windows[f.relPath], f.relPath);
    return { file: f, geometry, order: scoredOrder(f.scores, geometry.tags) };
  });
  let poolOrder: Uint32Array | undefined;
  const out: Record<string, NabProfileScore> = {};
  for (const [name, profile] of Object.entries(profiles)) {
    const swept = located.map(({ file, geometry }) => ({ scores: file.scores, weights: weighRows(geometry, profile), tags: geometry.tags }));
    let best: ThresholdScore | null = null;
    if (input.thresholds === undefined) {
      if (poolOrder === undefined) {
        const pooled = poolRows(swept);
        poolOrder = scoredOrder(pooled.scores, pooled.tags);
      }
      best = optimizeThreshold(swept, profile.fnWeight, poolOrder);
    }
    const threshold = best ? best.threshold : input.thresholds![name];
    out[name] = scoreAt(swept, located.map((l) => l.order), files, profile, threshold, windowCount, best);
  }
  return { profiles: out };
}

function scoreAt(
  swept: readonly SweptRows[], orders: readonly Uint32Array[], files: readonly NabFileInput[], profile: NabProfile,
  threshold: number, windowCount: number, best: ThresholdScore | null,
): NabProfileScore {
  const perFile: NabFileScore[] = [];
  let raw = 0;
  let nullRaw = 0;
  let tp = 0, tn = 0, fp = 0, fn = 0, total = 0;
  files.forEach((f, k) => {
    const list = calcScoreByThreshold(swept[k], profile.fnWeight, orders[k]);
    const row = scoreAtThreshold(list, threshold);
    perFile.push({ file: f.relPath, threshold, score: row.score, tp: row.tp, tn: row.tn, fp: row.fp, fn: row.fn, total: row.total });
    raw += row.score;
    nullRaw += list[0].score; // the 1.1 entry: nothing detected, what the null detector scores
    tp += row.tp; tn += row.tn; fp += row.fp; fn += row.fn; total += row.total;
  });
  const perfect = windowCount * profile.tpWeight;
  const normalized = windowCount === 0 ? NaN : normalizeScore(raw, nullRaw, perfect);
  return { threshold, optimizerScore: best ? best.score : null, raw, normalized, nullRaw, perfect, tp, tn, fp, fn, total, perFile };
}

/** NAB's runner.normalize: 0 for the null detector, 100 for the perfect one. */
export function normalizeScore(raw: number, nullRaw: number, perfect: number): number {
  return (100 * (raw - nullRaw)) / (perfect - nullRaw);
}

function checkThresholds(thresholds: Readonly<Record<string, number>>, profiles: NabProfiles): void {
  for (const name of Object.keys(profiles)) {
    const t = thresholds[name];
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new NabInputError(`thresholds: profile '${name}': expected a finite number, got ${JSON.stringify(t)}`);
  }
  for (const name of Object.keys(thresholds)) {
    if (!Object.hasOwn(profiles, name)) throw new NabInputError(`thresholds: '${name}' is not a profile (profiles: ${Object.keys(profiles).join(', ')})`);
  }
}
