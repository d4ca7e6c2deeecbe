// Early stopping as Keras' EarlyStopping callback: after each epoch the monitored loss counts as
// an improvement when it is below best - minDelta; after `patience` epochs without one, stop.
// With restoreBestWeights the parameters of the best epoch are kept in one preallocated copy
// and put back when training stops early (as Keras does; a run that completes keeps its last weights).

import type { ParamStore } from '../params.js';
import type { FloatArrayConstructor } from '../tensor.js';

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the best epoch's parameters on stopping (default false). */
  restoreBestWeights?: boolean;
  /** Which loss to watch (default 'valLoss', which needs a validation split). */
  monitor?: 'valLoss' | 'loss';
}

export interface EarlyStopper {
  readonly bestEpoch: number;
  readonly best: number;
  /** Records an epoch's monitored loss; true when training should stop. */
  update(epoch: number, value: number): boolean;
  /** Restores the best parameters if configured and any were kept; true if it did. */
  restore(): boolean;
}

export function createEarlyStopper(params: ParamStore, { patience, minDelta = 0, restoreBestWeights = false }: EarlyStoppingOptions): EarlyStopper {
  if (!Number.isInteger(patience) || patience < 0) throw new Error(`earlyStopping.patience must be an integer >= 0, got ${patience}`);
  if (!(minDelta >= 0)) throw new Error(`earlyStopping.minDelta must be >= 0, got ${minDelta}`);
  const snapshot = restoreBestWeights ? new (params.values.constructor as FloatArrayConstructor)(params.size) : null;
  let best = Infinity;
  let bestEpoch = -1;
  let wait = 0;
  return {
    get bestEpoch() {
      return bestEpoch;
    },
    get best() {
      return best;
    },
    update(epoch, value) {
      if (value < best - minDelta) {
        best = value;
        bestEpoch = epoch;
        wait = 0;
        snapshot?.set(params.values);
        return false;
      }
      wait++;
      return wait >= patience;
    },
    restore() {
      if (!snapshot || bestEpoch < 0) return false;
      params.values.set(snapshot);
      return true;
    },
  };
}
