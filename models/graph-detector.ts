// The one Detector implementation: any graph over windows (models/graph-detector-io.ts says how
// windows map onto it) plus scaler, calibration and a lifetime Adam for online fine-tuning.
//   score  scales into per-batch-size buffers, runs the graph, squared errors per channel
//   learn  one Adam step on MSE in scaled units; bumps fineTuneSteps and the version
//   fit    windows → scaler → engine/train fitAsync (validation = last windows, early stopping,
//          seeded) → calibration on the held-out windows (or a tail of the training ones)
// One Adam serves the detector's whole life (fit trains with it at the fit's rate, so its
// moments travel in parts()). Long jobs (fit, trainStateful) claim the weights: learn() and
// other jobs refuse while one runs. Versions are `<major>.<fineTuneSteps>`: fit bumps the major
// and restarts the count, every other optimizer step bumps the count. Time comes from an
// injected clock (default Date.now).

import type { Graph } from '../engine/graph/graph.js';
import { GraphRunner } from '../engine/graph/runner.js';
import { createAdam } from '../engine/optim/adam.js';
import type { Optimizer } from '../engine/optim/optimizer.js';
import { type FitResult, fitAsync } from '../engine/train/fit.js';
import { floatTensor } from '../engine/tensor.js';
import type {
  Calibration, Detector, DetectorFitOptions, DetectorFitReport, DetectorMeta, DetectorParts, ScalerParams, Series, WindowScores,
} from './detector.js';
import { type BatchSlot, createBatchSlot, errorsInto, fillFromRaw, fillFromScaled, runSlot } from './graph-detector-batch.js';
import { buildFitData, planWindows } from './graph-detector-fit.js';
import { type DetectorIo, inferIo } from './graph-detector-io.js';
import { createCalibration } from './scoring/calibration.js';
import { createScaler, fitScalerParams, type Scaler } from './scoring/scaler.js';

export const DEFAULT_FINE_TUNE_LR = 1e-3;
/** Batch sizes whose buffers are kept (least recently used ones beyond this are dropped). */
const MAX_SLOTS = 8;
/** Windows scored per graph run when calibrating. */
const CALIBRATION_CHUNK = 64;

export interface DetectorClock {
  /** Milliseconds since the Unix epoch (agent/runtime/clock.ts's Clock fits). */
  now(): number;
}

export interface GraphDetectorInit extends DetectorParts {
  readonly clock?: DetectorClock;
}

const systemClock: DetectorClock = { now: () => Date.now() };

export class GraphDetector implements Detector {
  readonly graph: Graph;
  readonly io: DetectorIo;
  private _meta: DetectorMeta;
  private _scaler: Scaler;
  private _calibration: Calibration | null;
  private _optimizer: Optimizer | null = null;
  private readonly slots = new Map<number, BatchSlot>();
  private readonly clock: DetectorClock;
  private job: string | null = null;
  private lastBatch = 0;

  constructor(init: GraphDetectorInit) {
    const { meta, graph } = init;
    this.graph = graph;
    this.clock = init.clock ?? systemClock;
    this.io = inferIo(graph, { role: meta.role, channels: meta.channels.length, windowSize: meta.windowSize, horizon: meta.horizon });
    if (init.scaler.mean.length !== meta.channels.length) {
      throw new Error(`scaler has ${init.scaler.mean.length} channels but the detector has ${meta.channels.length} (${meta.channels.join(', ')})`);
    }
    this._meta = meta;
    this._scaler = createScaler(init.scaler);
    this._calibration = init.calibration;
    if (init.optimizer) this.optimizer().load(init.optimizer);
  }

  get meta(): DetectorMeta {
    return this._meta;
  }

  get scaler(): ScalerParams {
    return this._scaler.params;
  }

  /** The long training job holding the weights ('fit', 'trainStateful'), or null. */
  get training(): string | null {
    return this.job;
  }

  /**
   * Claims the weights for a long (async) training job: learn() and other jobs refuse until the
   * returned release is called. Interleaved jobs would step one optimizer on two objectives.
   */
  claimTraining(job: string): () => void {
    if (this.job !== null) throw new Error(`${job} cannot start: ${this.job} is running on this detector; wait for it to finish`);
    this.job = job;
    return () => {
      this.job = null;
    };
  }

  get calibration(): Calibration | null {
    return this._calibration;
  }

  /** The detector's lifetime Adam over graph.params (lr = hyper.lr or 1e-3), made on first use. */
  optimizer(): Optimizer {
    if (!this._optimizer) {
      const lr = this._meta.hyper.lr;
      this._optimizer = createAdam(this.graph.params, { lr: typeof lr === 'number' ? lr : DEFAULT_FINE_TUNE_LR });
    }
    return this._optimizer;
  }

  score(windows: Float32Array, batch: number): WindowScores {
    const slot = this.slotFor(windows, batch, 'score');
    fillFromRaw(slot, this.io, this._scaler, windows);
    return this.scoreSlot(slot);
  }

  learn(windows: Float32Array, batch: number): number {
    if (this.job !== null) throw new Error(`learn() called while ${this.job} is running; wait for it to finish (both would move the same weights)`);
    const slot = this.slotFor(windows, batch, 'learn');
    fillFromRaw(slot, this.io, this._scaler, windows);
    const out = runSlot(slot, this.io);
    const n = out.data.length;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const d = out.data[i] - slot.target[i];
      loss += d * d;
    }
    loss /= n;
    if (!Number.isFinite(loss)) return loss; // never let a non-finite batch touch the weights
    if (!slot.dOut || slot.dOut.data.length !== n) slot.dOut = floatTensor(out.shape);
    const d = slot.dOut.data;
    const k = 2 / n;
    for (let i = 0; i < n; i++) d[i] = k * (out.data[i] - slot.target[i]);
    const opt = this.optimizer();
    opt.zeroGrad();
    slot.runner.backward(slot.dOut);
    opt.step();
    this.recordUpdate(batch);
    return loss;
  }

  /**
   * Records one optimizer step taken on this detector's weights from outside learn() (e.g. the
   * stateful forecaster's truncated BPTT): bumps fineTuneSteps, version and updatedAt.
   */
  recordUpdate(windows: number): void {
    const m = this._meta;
    const steps = m.fineTuneSteps + 1;
    this._meta = { ...m, fineTuneSteps: steps, version: `${majorOf(m.version)}.${steps}`, trainedWindows: m.trainedWindows + windows, updatedAt: this.nowIso() };
  }

  calibrate(windows: Float32Array, batch: number): Calibration {
    const { windowSize: W, channels: C } = this.io;
    this.checkWindows(windows, batch, 'calibrate');
    const totals = new Float64Array(batch);
    const perChannel = new Float64Array(batch * C);
    for (let from = 0; from < batch; from += CALIBRATION_CHUNK) {
      const n = Math.min(CALIBRATION_CHUNK, batch - from);
      const s = this.score(windows.subarray(from * W * C, (from + n) * W * C), n);
      totals.set(s.total, from);
      perChannel.set(s.perChannel, from * C);
    }
    this._calibration = createCalibration(totals, perChannel, C);
    return this._calibration;
  }

  /** Takes a calibration computed elsewhere (e.g. by a learner thread on a copy of this detector). */
  adoptCalibration(calibration: Calibration): void {
    const C = this.io.channels;
    if (calibration.perChannelMean.length !== C || calibration.perChannelStd.length !== C) {
      throw new Error(`calibration has ${calibration.perChannelMean.length} channels, the detector ${C}: it belongs to another model`);
    }
    this._calibration = calibration;
  }

  async fit(series: readonly Series[], options: DetectorFitOptions = {}): Promise<DetectorFitReport> {
    const release = this.claimTraining('fit');
    try {
      return await this.fitOnce(series, options);
    } finally {
      release();
    }
  }

  parts(): DetectorParts {
    return {
      meta: this._meta,
      // A snapshot: later fine-tuning does not change what was handed out (persistence may write it later).
      graph: { ...this.graph, params: this.graph.params.clone() },
      scaler: { mean: [...this._scaler.params.mean], std: [...this._scaler.params.std] },
      calibration: this._calibration,
      optimizer: this._optimizer ? this._optimizer.state() : null,
    };
  }

  private async fitOnce(series: readonly Series[], options: DetectorFitOptions): Promise<DetectorFitReport> {
    const { epochs = 20, batchSize = 32, learningRate = DEFAULT_FINE_TUNE_LR, validationSplit = 0.2, stride = 1, patience = 5, seed = 0 } = options;
    const io = this.io;
    const plan = planWindows(series, io, stride, validationSplit);
    const previousScaler = this._scaler;
    this._scaler = createScaler(fitScalerParams(plan.trainSeries, io.channels));
    const data = buildFitData(series, plan, io, this._scaler);
    // The lifetime optimizer trains too (at the fit's rate), so fine-tuning continues its trajectory.
    const optimizer = this.optimizer();
    const fineLr = optimizer.lr;
    optimizer.lr = learningRate;
    const hasVal = plan.validation > 0;
    let result: FitResult;
    try {
      result = await fitAsync(new GraphRunner(this.graph), data, {
        epochs,
        batchSize,
        optimizer,
        seed,
        validationSplit: plan.validationSplit,
        earlyStopping: { patience, restoreBestWeights: true, monitor: hasVal ? 'valLoss' : 'loss' },
        onBatch: options.onBatch && ((log) => options.onBatch!({ epoch: log.epoch, batch: log.batch, batches: log.batches, loss: log.loss })),
        onEpoch: options.onEpoch && ((log) => options.onEpoch!({ epoch: log.epoch, epochs, loss: log.loss, ...(log.valLoss !== undefined ? { valLoss: log.valLoss } : {}) })),
        signal: options.signal,
      });
    } catch (err) {
      // fit refuses before its first step (e.g. an output that does not match the targets): keep the old scaler.
      this._scaler = previousScaler;
      throw err;
    } finally {
      optimizer.lr = fineLr;
    }

    // Calibrate on the held-out windows, or on the last fifth of the training windows.
    const N = plan.starts.length;
    const from = hasVal ? plan.train : N - Math.max(1, Math.floor(N * 0.2));
    this._calibration = this.calibrateScaled(data.inputs.data, data.targets.data, from, N - from);

    const m = this._meta;
    const major = majorOf(m.version) + 1;
    this._meta = { ...m, version: `${major}.0`, fineTuneSteps: 0, trainedWindows: m.trainedWindows + plan.train, updatedAt: this.nowIso() };
    const kept = result.restoredBest ? result.history[result.bestEpoch] : result.history[result.history.length - 1];
    return {
      epochs: result.history.length,
      trainLoss: kept?.loss ?? Number.NaN,
      valLoss: kept?.valLoss ?? (hasVal ? this._calibration.mean : null),
      windows: N,
      stopReason: result.stopReason,
    };
  }

  private calibrateScaled(inputs: Float32Array | Float64Array, targets: Float32Array | Float64Array, from: number, count: number): Calibration {
    const C = this.io.channels;
    const totals = new Float64Array(count);
    const perChannel = new Float64Array(count * C);
    for (let k = 0; k < count; k += CALIBRATION_CHUNK) {
      const n = Math.min(CALIBRATION_CHUNK, count - k);
      const slot = this.slot(n);
      fillFromScaled(slot, this.io, inputs, targets, from + k);
      const s = this.scoreSlot(slot);
      totals.set(s.total, k);
      perChannel.set(s.perChannel, k * C);
    }
    return createCalibration(totals, perChannel, C);
  }

  private scoreSlot(slot: BatchSlot): WindowScores {
    const out = runSlot(slot, this.io);
    errorsInto(slot.scores, out.data, slot.target, slot.batch, this.io.comparedSteps, this.io.channels);
    return slot.scores;
  }

  private checkWindows(windows: Float32Array, batch: number, who: string): void {
    const { windowSize: W, channels: C } = this.io;
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`${who}: batch must be an integer >= 1, got ${batch}`);
    if (windows.length !== batch * W * C) {
      throw new Error(`${who}: ${batch} windows of ${W} samples × ${C} channels need ${batch * W * C} values, got ${windows.length}`);
    }
  }

  private slotFor(windows: Float32Array, batch: number, who: string): BatchSlot {
    this.checkWindows(windows, batch, who);
    return this.slot(batch);
  }

  private slot(batch: number): BatchSlot {
    let slot = this.slots.get(batch);
    if (slot) {
      if (this.lastBatch !== batch) {
        // Most recently used last (Map keeps insertion order); a repeated size costs nothing.
        this.slots.delete(batch);
        this.slots.set(batch, slot);
        this.lastBatch = batch;
      }
      return slot;
    }
    slot = createBatchSlot(this.graph, this.io, batch);
    this.slots.set(batch, slot);
    this.lastBatch = batch;
    if (this.slots.size > MAX_SLOTS) this.slots.delete(this.slots.keys().next().value as number);
    return slot;
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function majorOf(version: string): number {
  const major = Number.parseInt(version.split('.')[0], 10);
  return Number.isFinite(major) ? major : 0;
}
