// One detector of a SKAB run, fitted on one file's 400 training rows: the detector (its scaler is
// fitted inside fit, on training rows only), its UCL (a quantile of its residuals on ALL training
// windows × a factor, SKAB's rule; residuals smoothed first when the run smooths them) and, for
// 'mse-norm', each channel's mean training error.
// Residuals come from the graph's own output (runSlot's graph, run here through a GraphRunner on
// the detector's live parameters, so online fine-tuning shows at once):
//   autoencoder  compares the reconstruction with the whole window
//   forecaster   compares the forecast with the window's last row(s)
// per channel as mean_t |e| and mean_t e², then aggregated by the member's ResidualKind.

import { GraphRunner } from '../../engine/graph/runner.js';
import { floatTensor } from '../../engine/tensor.js';
import { createDetector } from '../../models/create-detector.js';
import type { DetectorFitReport } from '../../models/detector.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { quantile } from '../../models/scoring/calibration.js';
import { createScaler } from '../../models/scoring/scaler.js';
import type { MemberConfig } from './skab-config.js';
import { smoothScores } from './skab-decide.js';
import { type Rows, trainWindows } from './skab-windows.js';

export interface FittedMember {
  readonly config: MemberConfig;
  readonly detector: GraphDetector;
  readonly windowSize: number;
  readonly ucl: number;
  /** 'mse-norm' only: mean training error per channel. */
  readonly channelScale: Float64Array | null;
  readonly fit: DetectorFitReport;
}

const CHUNK = 256;
const runners = new WeakMap<GraphDetector, GraphRunner>();

/** Per-window, per-channel errors in scaled units: abs = mean_t |e|, sq = mean_t e², both [B, C]. */
export function windowErrors(detector: GraphDetector, windows: Float32Array, batch: number): { abs: Float64Array; sq: Float64Array } {
  const { io } = detector;
  const { channels: C, windowSize: W, inputSteps: S, comparedSteps: K } = io;
  if (windows.length !== batch * W * C) throw new Error(`windowErrors: ${batch} windows of [${W}, ${C}] need ${batch * W * C} values, got ${windows.length}`);
  let runner = runners.get(detector);
  if (!runner) runners.set(detector, (runner = new GraphRunner(detector.graph)));
  const scaler = createScaler(detector.scaler);
  const abs = new Float64Array(batch * C);
  const sq = new Float64Array(batch * C);
  for (let from = 0; from < batch; from += CHUNK) {
    const n = Math.min(CHUNK, batch - from);
    const input = floatTensor(io.inputRank === 3 ? [n, S, C] : [n, S * C]);
    const target = new Float32Array(n * K * C);
    for (let b = 0; b < n; b++) {
      const at = (from + b) * W * C;
      scaler.apply(input.data, windows, S, b * S * C, at);
      scaler.apply(target, windows, K, b * K * C, at + (W - K) * C);
    }
    const out = runner.run({ [io.inputName]: input })[io.outputName].data;
    for (let b = 0; b < n; b++) {
      for (let c = 0; c < C; c++) {
        let a = 0, s = 0;
        for (let t = 0; t < K; t++) {
          const i = b * K * C + t * C + c;
          const d = out[i] - target[i];
          a += Math.abs(d);
          s += d * d;
        }
        abs[(from + b) * C + c] = a / K;
        sq[(from + b) * C + c] = s / K;
      }
    }
  }
  return { abs, sq };
}

/** Residual per window under the member's ResidualKind. */
export function residuals(m: Pick<FittedMember, 'config' | 'detector' | 'channelScale'>, windows: Float32Array, batch: number): Float64Array {
  const { abs, sq } = windowErrors(m.detector, windows, batch);
  const C = m.detector.io.channels;
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) {
    let v = 0;
    for (let c = 0; c < C; c++) {
      const i = b * C + c;
      if (m.config.residual === 'mae-sum') v += abs[i];
      else if (m.config.residual === 'mse') v += sq[i] / C;
      else v += sq[i] / m.channelScale![c] / C;
    }
    out[b] = v;
  }
  return out;
}

export interface FitMemberOptions {
  readonly channels: readonly string[];
  /** Rows of the trailing mean the run applies to residuals: the UCL is taken on training residuals smoothed alike. */
  readonly smoothing: number;
  readonly seed: number;
  /** Overrides the configured maximum epochs (smoke tests). */
  readonly epochs?: number;
}

export async function fitMember(config: MemberConfig, train: Rows, options: FitMemberOptions): Promise<FittedMember> {
  const C = options.channels.length;
  const detector = createDetector(config.architecture, { ...config.create, channels: options.channels, seed: options.seed });
  const f = config.fit;
  const fit = await detector.fit([{ data: train.features, length: train.rows }], {
    epochs: options.epochs ?? f.epochs, batchSize: f.batchSize, learningRate: f.lr, validationSplit: f.validationSplit, patience: f.patience, seed: options.seed,
  });
  const N = detector.meta.windowSize;
  const { windows, count } = trainWindows(train, C, N);
  let channelScale: Float64Array | null = null;
  if (config.residual === 'mse-norm') {
    const { sq } = windowErrors(detector, windows, count);
    channelScale = new Float64Array(C);
    for (let b = 0; b < count; b++) for (let c = 0; c < C; c++) channelScale[c] += sq[b * C + c] / count;
    // A channel the model reproduces (almost) exactly must not turn float noise into alarms.
    const floor = 1e-3 * Math.max(...channelScale);
    for (let c = 0; c < C; c++) channelScale[c] = Math.max(channelScale[c], floor, 1e-12);
  }
  const trainRes = Float64Array.from(smoothScores(residuals({ config, detector, channelScale }, windows, count), options.smoothing)).sort();
  const ucl = quantile(trainRes, config.threshold.q) * config.threshold.factor;
  return { config, detector, windowSize: N, ucl, channelScale, fit };
}
