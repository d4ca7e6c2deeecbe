// NAB's corpus-wide threshold optimisation (nab/optimizer.py since PR #328): the swept rows of every
// file are pooled (windows kept apart per file), one threshold sweep runs over the pool, and the
// candidate with the highest score wins; ties go to the highest threshold, and 1.1 (no detections)
// wins when nothing beats it. Candidates are 1.1 and every distinct non-probationary anomaly score.

import { type SweptRows, type ThresholdScore, bestThresholdScore, calcScoreByThreshold } from './threshold-scores.js';

/** The files' rows end to end, window tags renumbered so that each window of each file is its own. */
export function poolRows(files: readonly SweptRows[]): SweptRows {
  const n = files.reduce((sum, f) => sum + f.scores.length, 0);
  const scores = new Float64Array(n); // [n]
  const weights = new Float64Array(n); // [n]
  const tags = new Int32Array(n); // [n]
  let at = 0;
  let windowBase = 0;
  for (const f of files) {
    let maxTag = -1;
    for (let i = 0; i < f.scores.length; i++) {
      const tag = f.tags[i];
      scores[at + i] = f.scores[i];
      weights[at + i] = f.weights[i];
      tags[at + i] = tag >= 0 ? windowBase + tag : tag;
      if (tag > maxTag) maxTag = tag;
    }
    at += f.scores.length;
    windowBase += maxTag + 1;
  }
  return { scores, weights, tags };
}

/**
 * The corpus sweep's best entry: the threshold and the corpus score there (thresholds.json's pair).
 * `order` is scoredOrder of the pooled rows, when the caller already has it.
 */
export function optimizeThreshold(files: readonly SweptRows[], fnWeight: number, order?: Uint32Array): ThresholdScore {
  return bestThresholdScore(calcScoreByThreshold(poolRows(files), fnWeight, order));
}
