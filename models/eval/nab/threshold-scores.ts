// NAB's threshold sweep (nab/sweeper.py: calcScoreByThreshold, scoreDataSet) over swept rows of one
// file or of a whole corpus pooled together (window tags unique across the pool).
//   - probationary rows are dropped; the rest are sorted by anomaly score, descending (stable)
//   - the first entry is threshold 1.1: nothing detected, score = -fnWeight × windows with a scored row
//   - then one entry per distinct anomaly score s: detections are the rows with score >= s, so tied
//     rows switch on together; the score is Σ FP weights + Σ per window (its best, i.e. earliest,
//     detection's weight, or -fnWeight if none). Counts are per row: TP = detected rows in windows,
//     FP = detected rows outside, FN = undetected rows in windows, TN = the rest (scored rows only).
// The sums are formed in NAB's order (FP part first, then windows in the order they first appear in
// the sorted rows), so results agree with NAB's to rounding (last digits, well within 1e-9).
// scoreAtThreshold picks the entry for "detections = rows with score >= t" from such a list.

import { OUTSIDE, PROBATIONARY } from './sweep-file.js';

export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  /** tp + tn + fp + fn: the scored (non-probationary) rows. */
  readonly total: number;
}

export interface SweptRows {
  /** [n] the detector's anomaly scores, in [0, 1]. */
  readonly scores: ArrayLike<number>;
  /** [n] sweep weights (FileSweep.weights). */
  readonly weights: ArrayLike<number>;
  /** [n] PROBATIONARY, OUTSIDE, or a window id >= 0 unique across the rows passed. */
  readonly tags: ArrayLike<number>;
}

/** The threshold at which NAB's sweep starts: above every score, so nothing is detected. */
export const START_THRESHOLD = 1.1;

/**
 * The scored rows (not PROBATIONARY) by anomaly score, descending, ties in row order (Python's
 * stable sorted): the order of NAB's sweep. It depends on scores and tags only, so callers scoring
 * several profiles can compute it once and pass it to calcScoreByThreshold.
 */
export function scoredOrder(scores: ArrayLike<number>, tags: ArrayLike<number>): Uint32Array {
  let count = 0;
  for (let i = 0; i < tags.length; i++) if (tags[i] !== PROBATIONARY) count++;
  const order = new Uint32Array(count); // [scored rows]
  for (let i = 0, k = 0; i < tags.length; i++) if (tags[i] !== PROBATIONARY) order[k++] = i;
  return order.sort((a, b) => scores[b] - scores[a] || a - b);
}

/** One ThresholdScore per candidate threshold, descending: 1.1, then each distinct scored anomaly score. */
export function calcScoreByThreshold(rows: SweptRows, fnWeight: number, order: Uint32Array = scoredOrder(rows.scores, rows.tags)): ThresholdScore[] {
  const { scores, weights, tags } = rows;
  let maxTag = -1;
  for (const i of order) if (tags[i] > maxTag) maxTag = tags[i];

  // NAB's scoreParts dict: 'fp' first, then one part per window (-fnWeight until detected), in the
  // order the windows first appear in the sorted rows.
  const slotOf = new Int32Array(maxTag + 1).fill(-1);
  const parts: number[] = [0];
  let tn = 0;
  let fn = 0;
  for (const i of order) {
    const tag = tags[i];
    if (tag === OUTSIDE) {
      tn++;
    } else {
      fn++;
      if (slotOf[tag] < 0) {
        slotOf[tag] = parts.length;
        parts.push(-fnWeight);
      }
    }
  }
  const sumParts = (): number => {
    let s = 0;
    for (const p of parts) s += p;
    return s;
  };

  const out: ThresholdScore[] = [];
  let tp = 0;
  let fp = 0;
  let threshold = START_THRESHOLD;
  for (const i of order) {
    const score = scores[i];
    if (score !== threshold) {
      out.push({ threshold, score: sumParts(), tp, tn, fp, fn, total: tp + tn + fp + fn });
      threshold = score;
    }
    const tag = tags[i];
    if (tag === OUTSIDE) {
      fp++;
      tn--;
      parts[0] += weights[i];
    } else {
      tp++;
      fn--;
      const slot = slotOf[tag];
      parts[slot] = Math.max(parts[slot], weights[i]);
    }
  }
  out.push({ threshold, score: sumParts(), tp, tn, fp, fn, total: tp + tn + fp + fn });
  return out;
}

/**
 * The entry for "detections = rows with score >= threshold": the last entry whose threshold is >= it
 * (NAB's scoreDataSet lookup), or the 1.1 entry when every threshold is below it. Where NAB finds no
 * entry and fails (a threshold below every score, or above 1.1), this still answers by that rule.
 */
export function scoreAtThreshold(list: readonly ThresholdScore[], threshold: number): ThresholdScore {
  let match = list[0];
  for (const entry of list) {
    if (entry.threshold < threshold) break;
    match = entry;
  }
  return match;
}

/** The best entry; ties go to the first, i.e. the highest threshold (NAB sorts by score, stably). */
export function bestThresholdScore(list: readonly ThresholdScore[]): ThresholdScore {
  let best = list[0];
  for (const entry of list) if (entry.score > best.score) best = entry;
  return best;
}
