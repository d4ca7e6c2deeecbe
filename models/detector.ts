// The contract every detector meets (principle 8), and the parts it is made of.
// A detector is a graph (engine/graph) plus what turns it into anomaly scores:
//   role        'autoencoder' reconstructs the window; 'forecaster' predicts the last `horizon`
//               samples of the window from the ones before them
//   scaler      per-channel standardisation fitted on training data (the graph sees scaled values)
//   calibration the distribution of its scores on held-out normal windows (thresholds come from it)
// Scores are squared errors in scaled units: per channel (mean over the compared samples) and in
// total (mean over channels), so alerts can say which sensors drive them. A detector scores;
// it never decides (models/scoring does) and never learns from what was flagged (the caller
// only passes windows judged normal to learn()).

import type { Graph } from '../engine/graph/graph.js';
import type { OptimizerState } from '../engine/optim/optimizer.js';

export type DetectorRole = 'autoencoder' | 'forecaster';

/** Architecture names Vigil builds itself; 'onnx' for graphs imported from other tools. */
export type Architecture = 'lstm-forecaster' | 'dense-ae' | 'lstm-ae' | 'conv-ae' | 'onnx';

export interface DetectorMeta {
  readonly name: string;
  /** Changes whenever the weights change (training, fine-tuning): `<major>.<fine-tune count>`. */
  readonly version: string;
  readonly architecture: Architecture;
  readonly role: DetectorRole;
  /** Input channel order; windows are [windowSize, channels.length] row-major. */
  readonly channels: readonly string[];
  /** Samples per scored window (for a forecaster: lookback + horizon). */
  readonly windowSize: number;
  /** Forecasters: samples predicted at the end of the window. Autoencoders: 0. */
  readonly horizon: number;
  /** Architecture hyper-parameters, for `vigil inspect` and for rebuilding. */
  readonly hyper: Readonly<Record<string, number | string | boolean>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Windows seen in training and in online fine-tuning. */
  readonly trainedWindows: number;
  readonly fineTuneSteps: number;
}

/** z = (x - mean) / std per channel; std has a floor so constant channels do not divide by zero. */
export interface ScalerParams {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Score distribution on held-out normal windows. */
export interface Calibration {
  readonly windows: number;
  readonly mean: number;
  readonly std: number;
  /** Quantiles of the total score: keys '0.5', '0.9', '0.95', '0.99', '0.999', '1'. */
  readonly quantiles: Readonly<Record<string, number>>;
  readonly perChannelMean: readonly number[];
  readonly perChannelStd: readonly number[];
}

/** B windows' scores. Buffers may be internal: valid until the next call. */
export interface WindowScores {
  readonly batch: number;
  readonly total: Float32Array; // [B]
  readonly perChannel: Float32Array; // [B, C]
}

/** Everything a model file holds; persistence writes and reads exactly this. */
export interface DetectorParts {
  readonly meta: DetectorMeta;
  readonly graph: Graph;
  readonly scaler: ScalerParams;
  readonly calibration: Calibration | null;
  /** Optimizer moments, so fine-tuning resumes after a restart (travels beside the model file). */
  readonly optimizer: OptimizerState | null;
}

/** A run of consecutive normal samples, raw units, [length, channels] row-major. */
export interface Series {
  readonly data: Float32Array;
  readonly length: number;
}

export interface DetectorFitOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Fraction of windows (the last ones) held out for validation and calibration. */
  readonly validationSplit?: number;
  /** Stride between training windows (1 = every window). */
  readonly stride?: number;
  readonly patience?: number;
  readonly seed?: number;
  readonly onEpoch?: (log: { epoch: number; epochs: number; loss: number; valLoss?: number }) => void;
  readonly onBatch?: (log: { epoch: number; batch: number; batches: number; loss: number }) => void;
  readonly signal?: { readonly aborted: boolean };
}

export interface DetectorFitReport {
  readonly epochs: number;
  readonly trainLoss: number;
  readonly valLoss: number | null;
  readonly windows: number;
  readonly stopReason: string;
}

export interface Detector {
  readonly meta: DetectorMeta;
  readonly scaler: ScalerParams;
  readonly calibration: Calibration | null;
  readonly graph: Graph;
  /** Fits scaler and weights on normal data, then calibrates on the held-out windows. */
  fit(series: readonly Series[], options?: DetectorFitOptions): Promise<DetectorFitReport>;
  /** Scores B raw windows [B, windowSize, C]; single and batched scoring give the same numbers. */
  score(windows: Float32Array, batch: number): WindowScores;
  /** One Adam step on B raw windows judged normal; returns the loss before the step. */
  learn(windows: Float32Array, batch: number): number;
  /** Re-computes calibration from B raw normal windows. */
  calibrate(windows: Float32Array, batch: number): Calibration;
  /** Everything needed to save it. */
  parts(): DetectorParts;
}
