// SKAB's predicted changepoints from an outlier mask: `abs(prediction.diff())` with the first
// element set to `prediction[0]`, so BOTH edges of every flagged run (its first row and the first
// row after it) are predicted changepoints, and a mask that starts flagged predicts one at its
// first row. Rows without a prediction (null) stay null: the first predicted row plays the part
// of prediction[0] (a forecaster's prediction series starts later), and a diff across a missing
// row is missing, as pandas' NaN arithmetic makes it.

import { isMissing, type Prediction } from './binary.js';

export function predictedChangepoints(predicted: ArrayLike<Prediction>): (number | null)[] {
  const out: (number | null)[] = new Array(predicted.length).fill(null);
  let first = true;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i];
    if (isMissing(p)) continue;
    if (first) {
      out[i] = p;
      first = false;
      continue;
    }
    const q = predicted[i - 1];
    out[i] = isMissing(q) ? null : Math.abs(p - q);
  }
  return out;
}

/** Times (ms) of the rows whose predicted changepoint is exactly 1. */
export function changepointTimes(time: ArrayLike<number>, cp: ArrayLike<Prediction>): number[] {
  if (time.length !== cp.length) throw new Error(`changepointTimes: ${time.length} times but ${cp.length} changepoint predictions`);
  const out: number[] = [];
  for (let i = 0; i < cp.length; i++) if (cp[i] === 1) out.push(time[i]);
  return out;
}
