// The training losses by name, for code that lets the user choose one (fit's `loss` option).

import type { FloatArray } from '../tensor.js';
import { maeBackward, maeLoss } from './mae.js';
import { mseBackward, mseLoss } from './mse.js';

export type LossKind = 'mse' | 'mae';

export function lossForward(kind: LossKind, pred: FloatArray, target: FloatArray, n: number): number {
  return kind === 'mse' ? mseLoss(pred, target, n) : maeLoss(pred, target, n);
}

/** Accumulates scale · d(loss)/d(pred) into dPred. */
export function lossBackward(kind: LossKind, dPred: FloatArray, pred: FloatArray, target: FloatArray, n: number, scale = 1): void {
  if (kind === 'mse') mseBackward(dPred, pred, target, n, scale);
  else maeBackward(dPred, pred, target, n, scale);
}
