// SKAB's outlier-detection metrics (`chp_score(..., metric='binary')`, tsad's evaluating.py):
// one confusion matrix summed over all files (micro-average), then
//   F1  = round(TP / (TP + (FN + FP)/2), 2)
//   FAR = round(FP / (FP + TN) · 100, 2)      false alarm rate, %
//   MAR = round(FN / (FN + TP) · 100, 2)      missed alarm rate, %
// with Python's rounding (py-round.ts). A row counts as positive when its value is exactly 1.
// A row with no prediction (null, undefined or NaN: a window model's rows before its first
// window, a forecaster's first lookback rows) falls into NO cell, as pandas' index alignment
// leaves it out; there is no point adjustment.

import { pyRound } from './py-round.js';

export type Prediction = number | null | undefined;

export interface Confusion {
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
}

export interface BinaryMetrics extends Confusion {
  readonly f1: number;
  /** False alarm rate, %. */
  readonly far: number;
  /** Missed alarm rate, %. */
  readonly mar: number;
}

export const isMissing = (p: Prediction): p is null | undefined => p === null || p === undefined || Number.isNaN(p);

/** One file's confusion matrix: truth and predicted are row-aligned. */
export function confusion(truth: ArrayLike<number>, predicted: ArrayLike<Prediction>): Confusion {
  if (truth.length !== predicted.length) throw new Error(`confusion: ${truth.length} labels but ${predicted.length} predictions; align them row by row (null for no prediction)`);
  let tp = 0, tn = 0, fp = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i];
    if (isMissing(p)) continue;
    const t = truth[i] === 1;
    const q = p === 1;
    if (t && q) tp++;
    else if (t) fn++;
    else if (q) fp++;
    else tn++;
  }
  return { tp, tn, fp, fn };
}

export function addConfusion(a: Confusion, b: Confusion): Confusion {
  return { tp: a.tp + b.tp, tn: a.tn + b.tn, fp: a.fp + b.fp, fn: a.fn + b.fn };
}

/** F1, FAR and MAR of summed counts, rounded as SKAB rounds them (NaN where a denominator is 0). */
export function binaryMetrics(c: Confusion): BinaryMetrics {
  const { tp, tn, fp, fn } = c;
  return {
    ...c,
    f1: pyRound(tp / (tp + (fn + fp) / 2)),
    far: pyRound((fp / (fp + tn)) * 100),
    mar: pyRound((fn / (fn + tp)) * 100),
  };
}
