// The whole SKAB evaluation of a detector's predictions on the test parts of a set of files:
//   outlier      binary.ts      micro-averaged F1 / FAR / MAR over the rows
//   changepoint  windows of 60 s to the right of each true changepoint, cut on overlap
//                (changepoint-windows.ts); predicted changepoints (by default both edges of the
//                outlier mask, predicted-changepoints.ts) matched to them (changepoint-match.ts);
//                NAB-on-SKAB for the three profiles (nab.ts); missed changepoints, FPs and the
//                average detection delay ADD (mean of first detection − window start over
//                detected windows, tsad's metric='average_time'; NaN when none is detected).
// Inputs are plain arrays, row-aligned per file; nothing here knows about models.

import { addConfusion, type BinaryMetrics, binaryMetrics, type Confusion, confusion, type Prediction } from './binary.js';
import { type ChangepointMatch, matchChangepoints } from './changepoint-match.js';
import { type ChangepointWindow, changepointWindows, SKAB_WINDOW_MS } from './changepoint-windows.js';
import { addNab, type NabProfileName, type NabSums, nabFile, nabNormalised, SKAB_NAB_PROFILES } from './nab.js';
import { changepointTimes, predictedChangepoints } from './predicted-changepoints.js';

export interface SkabFilePredictions {
  /** Test rows' event times, epoch ms, ascending. */
  readonly time: ArrayLike<number>;
  /** True labels of the test rows (0/1). */
  readonly anomaly: ArrayLike<number>;
  readonly changepoint: ArrayLike<number>;
  /** Predicted outlier mask (1 = anomalous; null = no prediction for the row). */
  readonly predicted: ArrayLike<Prediction>;
  /** Predicted changepoints; default: predictedChangepoints(predicted). */
  readonly predictedChangepoints?: ArrayLike<Prediction>;
}

export interface ChangepointMetrics {
  readonly nab: Readonly<Record<NabProfileName, number>>;
  /** Windows with no predicted changepoint. */
  readonly missed: number;
  /** Predicted changepoints outside every window. */
  readonly falsePositives: number;
  /** True changepoints (= windows). */
  readonly changepoints: number;
  /** Average detection delay over detected windows, seconds (NaN when none is detected). */
  readonly addSeconds: number;
}

export interface SkabFileEvaluation {
  readonly confusion: Confusion;
  readonly windows: readonly ChangepointWindow[];
  readonly match: ChangepointMatch;
}

export interface SkabEvaluation {
  readonly outlier: BinaryMetrics;
  readonly changepoint: ChangepointMetrics;
  readonly files: readonly SkabFileEvaluation[];
}

export function evaluateFile(file: SkabFilePredictions, windowMs = SKAB_WINDOW_MS): SkabFileEvaluation {
  const n = file.time.length;
  for (const [name, a] of [['anomaly', file.anomaly], ['changepoint', file.changepoint], ['predicted', file.predicted]] as const) {
    if (a.length !== n) throw new Error(`SKAB evaluation: ${name} has ${a.length} rows, time ${n}; give one value per test row`);
  }
  const cp = file.predictedChangepoints ?? predictedChangepoints(file.predicted);
  const windows = changepointWindows(file.time, file.changepoint, windowMs);
  return { confusion: confusion(file.anomaly, file.predicted), windows, match: matchChangepoints(windows, changepointTimes(file.time, cp)) };
}

export function evaluateSkab(files: readonly SkabFilePredictions[], windowMs = SKAB_WINDOW_MS): SkabEvaluation {
  const evaluated = files.map((f) => evaluateFile(f, windowMs));
  let c: Confusion = { tp: 0, tn: 0, fp: 0, fn: 0 };
  const zero: NabSums = { score: 0, null: 0, perfect: 0 };
  const sums: Record<NabProfileName, NabSums> = { standard: zero, lowFP: zero, lowFN: zero };
  let missed = 0, falsePositives = 0, changepoints = 0;
  const delays: number[] = [];
  for (const e of evaluated) {
    c = addConfusion(c, e.confusion);
    for (const p of Object.keys(sums) as NabProfileName[]) sums[p] = addNab(sums[p], nabFile(SKAB_NAB_PROFILES[p], e.windows, e.match));
    missed += e.match.missed.length;
    falsePositives += e.match.falsePositives.length;
    changepoints += e.windows.length;
    for (const d of e.match.detected) delays.push(d.time - e.windows[d.window].start);
  }
  const addSeconds = delays.length ? delays.reduce((a, b) => a + b, 0) / delays.length / 1000 : Number.NaN;
  return {
    outlier: binaryMetrics(c),
    changepoint: {
      nab: { standard: nabNormalised(sums.standard), lowFP: nabNormalised(sums.lowFP), lowFN: nabNormalised(sums.lowFN) },
      missed,
      falsePositives,
      changepoints,
      addSeconds,
    },
    files: evaluated,
  };
}
