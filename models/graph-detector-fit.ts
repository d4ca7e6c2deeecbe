// From normal series to training data for a GraphDetector: windows of windowSize samples taken
// every `stride` samples inside each series (never across two), in series order, so the LAST
// windows are the held-out validation ones as engine/train/fit takes them. The scaler is fitted
// on the samples the training windows cover only, so validation stays unseen. Inputs and
// targets are scaled once into one pair of buffers (an autoencoder's targets ARE its inputs).

import type { FitData } from '../engine/train/fit.js';
import { floatTensor } from '../engine/tensor.js';
import type { Series } from './detector.js';
import type { DetectorIo } from './graph-detector-io.js';
import { checkSeries, type Scaler } from './scoring/scaler.js';

export interface WindowPlan {
  /** [series index, first sample] of every window, in order. */
  readonly starts: readonly (readonly [number, number])[];
  readonly train: number;
  readonly validation: number;
  /** The split handed to fit (0 when there are too few windows to hold any out). */
  readonly validationSplit: number;
  /** Per series, the samples the training windows cover (a prefix). */
  readonly trainSeries: readonly Series[];
}

export function planWindows(series: readonly Series[], io: DetectorIo, stride: number, validationSplit: number): WindowPlan {
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`fit stride must be an integer >= 1, got ${stride}`);
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new Error(`fit validationSplit must be in [0, 1), got ${validationSplit}`);
  const { windowSize: W, channels: C } = io;
  const starts: [number, number][] = [];
  series.forEach((s, k) => {
    checkSeries(s, C);
    for (let t = 0; t + W <= s.length; t += stride) starts.push([k, t]);
  });
  const N = starts.length;
  if (N === 0) {
    throw new Error(`fit needs at least one window of ${W} samples; the longest series has ${Math.max(0, ...series.map((s) => s.length))}`);
  }
  // The same split as engine/train/fit (floor of the training share); none when it would leave a side empty.
  let split = validationSplit;
  let train = split > 0 ? Math.floor(N * (1 - split)) : N;
  if (train === 0 || train === N) {
    split = 0;
    train = N;
  }
  const covered = new Array<number>(series.length).fill(0);
  for (let i = 0; i < train; i++) {
    const [k, t] = starts[i];
    covered[k] = Math.max(covered[k], t + W);
  }
  const trainSeries = series.map((s, k) => ({ data: s.data.subarray(0, covered[k] * C), length: covered[k] }));
  return { starts, train, validation: N - train, validationSplit: split, trainSeries };
}

/** Scaled inputs [N, inputSteps, C] (or [N, inputSteps·C]) and targets [N, comparedSteps·C]. */
export function buildFitData(series: readonly Series[], plan: WindowPlan, io: DetectorIo, scaler: Scaler): FitData {
  const { channels: C, inputSteps: S, horizon, comparedSteps } = io;
  const N = plan.starts.length;
  const inputs = floatTensor(io.inputRank === 3 ? [N, S, C] : [N, S * C]);
  const targets = io.role === 'autoencoder' ? floatTensor([N, S * C], inputs.data) : floatTensor([N, comparedSteps * C]);
  plan.starts.forEach(([k, t], i) => {
    const data = series[k].data;
    scaler.apply(inputs.data, data, S, i * S * C, t * C);
    if (horizon > 0) scaler.apply(targets.data, data, horizon, i * horizon * C, (t + S) * C);
  });
  return { inputs, targets };
}
