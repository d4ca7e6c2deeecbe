// The training loop over any Trainable (Keras' fit, for the edge): mini-batches copied into
// preallocated buffers, seeded shuffling, validation on the LAST `validationSplit` of the samples
// taken before shuffling (time series do not leak the future into training), early stopping,
// gradient clipping, per-batch and per-epoch progress, and cancellation through `signal`.
// One loop, written as a generator that pauses after every batch: `fit` runs it straight
// through, `fitAsync` awaits a tick every `yieldEvery` batches so training never stalls a stream.
// A batch whose loss (or, when clipping, gradient norm) is NaN or infinite stops training
// before it can touch the weights.

import { type LossKind, lossBackward, lossForward } from '../losses/loss.js';
import type { Trainable } from '../model.js';
import { createAdam } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip-grad-norm.js';
import type { Optimizer } from '../optim/optimizer.js';
import { type Rng, createRng } from '../rng.js';
import type { FloatArrayConstructor, FloatTensor } from '../tensor.js';
import { floatTensor, shapeString } from '../tensor.js';
import { type FitData, createBatcher } from './batches.js';
import { type EarlyStoppingOptions, createEarlyStopper } from './early-stopping.js';

export type { FitData } from './batches.js';
export type { EarlyStoppingOptions } from './early-stopping.js';

export interface BatchLog {
  /** Epoch and batch indices from 0. */
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** The batch's loss before its update. */
  readonly loss: number;
  /** The gradient norm before clipping (only when clipNorm is set). */
  readonly gradNorm?: number;
}

export interface EpochLog {
  readonly epoch: number;
  /** Sample-weighted mean of the epoch's batch losses (each taken before its update, as Keras reports). */
  readonly loss: number;
  /** Loss on the validation samples after the epoch; absent without a validation split. */
  readonly valLoss?: number;
}

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32; the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Default: Adam with PyTorch's defaults over model.params. Pass one to keep its state across calls. */
  optimizer?: Optimizer;
  /** Default 'mse'. */
  loss?: LossKind;
  /** Shuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0); ignored when `rng` is given. */
  seed?: number;
  rng?: Rng;
  /** Fraction in [0, 1) of samples, taken from the END, held out for validation (default 0). */
  validationSplit?: number;
  earlyStopping?: EarlyStoppingOptions;
  /** Clip the global gradient L2 norm to this before every step (clip_grad_norm_). */
  clipNorm?: number;
  onBatch?: (log: BatchLog) => void;
  onEpoch?: (log: EpochLog) => void;
  /** Checked before every batch; an AbortSignal fits. Stops with the weights as they are. */
  signal?: { readonly aborted: boolean };
}

export interface FitAsyncOptions extends FitOptions {
  /** Yield to the event loop after this many batches (default 1). */
  yieldEvery?: number;
  /** How to yield (default: setImmediate, so pending I/O runs first). */
  tick?: () => Promise<void>;
}

export type StopReason = 'completed' | 'earlyStopping' | 'aborted' | 'nonFinite';

export interface FitResult {
  /** One entry per completed epoch. */
  readonly history: readonly EpochLog[];
  readonly stopReason: StopReason;
  /** Epoch with the best monitored loss under early stopping, else -1. */
  readonly bestEpoch: number;
  /** True when early stopping put the best epoch's weights back. */
  readonly restoredBest: boolean;
  readonly optimizer: Optimizer;
}

export function fit(model: Trainable, data: FitData, options: FitOptions = {}): FitResult {
  const steps = fitSteps(model, data, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export async function fitAsync(model: Trainable, data: FitData, options: FitAsyncOptions = {}): Promise<FitResult> {
  const { yieldEvery = 1, tick = nextTick } = options;
  if (!Number.isInteger(yieldEvery) || yieldEvery < 1) throw new Error(`fitAsync yieldEvery must be an integer >= 1, got ${yieldEvery}`);
  const steps = fitSteps(model, data, options);
  for (let n = 1; ; n++) {
    const r = steps.next();
    if (r.done) return r.value;
    if (n % yieldEvery === 0) await tick();
  }
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** The loop itself: yields after every training and validation batch. */
function* fitSteps(model: Trainable, data: FitData, options: FitOptions): Generator<void, FitResult, void> {
  const { epochs = 1, batchSize = 32, loss = 'mse', shuffle = true, seed = 0, validationSplit = 0, clipNorm } = options;
  const { onBatch, onEpoch, signal, earlyStopping } = options;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit epochs must be an integer >= 0, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`fit batchSize must be an integer >= 1, got ${batchSize}`);
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new Error(`fit validationSplit must be in [0, 1), got ${validationSplit}`);
  if (clipNorm !== undefined && !(clipNorm > 0)) throw new Error(`fit clipNorm must be > 0, got ${clipNorm}`);
  const params = model.params;
  const optimizer = options.optimizer ?? createAdam(params);
  if (optimizer.params !== params) throw new Error('fit optimizer was created for another parameter store; create it over model.params');
  const ctor = params.values.constructor as FloatArrayConstructor;
  const batcher = createBatcher(data, batchSize, ctor);

  // Keras' split: the tail is validation, taken before any shuffling.
  const N = batcher.samples;
  const nTrain = validationSplit > 0 ? Math.floor(N * (1 - validationSplit)) : N;
  const nVal = N - nTrain;
  if (validationSplit > 0 && (nTrain === 0 || nVal === 0)) {
    throw new Error(`fit validationSplit ${validationSplit} of ${N} samples leaves ${nTrain} for training and ${nVal} for validation; both need at least one`);
  }
  const monitor = earlyStopping?.monitor ?? 'valLoss';
  if (earlyStopping && monitor === 'valLoss' && nVal === 0) {
    throw new Error("fit earlyStopping watches 'valLoss' but there is no validation data; set validationSplit > 0 or earlyStopping.monitor: 'loss'");
  }
  const stopper = earlyStopping ? createEarlyStopper(params, earlyStopping) : null;
  const order = Uint32Array.from({ length: nTrain }, (_, i) => i);
  const valOrder = Uint32Array.from({ length: nVal }, (_, i) => nTrain + i);
  const rng = options.rng ?? createRng(seed);
  const dOut = new ctor(batchSize * (data.targets.data.length / N));
  const dOutViews = new Map<number, FloatTensor>(); // by batch size, in the model's output shape

  const history: EpochLog[] = [];
  const finish = (stopReason: StopReason, restoredBest = false): FitResult => ({
    history,
    stopReason,
    bestEpoch: stopper?.bestEpoch ?? -1,
    restoredBest,
    optimizer,
  });
  const batches = Math.ceil(nTrain / batchSize);

  for (let epoch = 0; epoch < epochs; epoch++) {
    if (shuffle) rng.shuffle(order);
    let sum = 0;
    for (let b = 0; b < batches; b++) {
      if (signal?.aborted) return finish('aborted');
      const start = b * batchSize;
      const batch = batcher.fill(order, start, Math.min(batchSize, nTrain - start));
      const out = model.forward(batch.inputs);
      const n = checkOutput(out, batch.targets);
      const batchLoss = lossForward(loss, out.data, batch.targets.data, n);
      if (!Number.isFinite(batchLoss)) return finish('nonFinite');
      let dOutput = dOutViews.get(batch.size);
      if (!dOutput) {
        dOutput = floatTensor(out.shape, dOut.subarray(0, n));
        dOutViews.set(batch.size, dOutput);
      }
      dOutput.data.fill(0);
      lossBackward(loss, dOutput.data, out.data, batch.targets.data, n);
      optimizer.zeroGrad();
      model.backward(dOutput);
      const gradNorm = clipNorm === undefined ? undefined : clipGradNorm(params, clipNorm);
      if (gradNorm !== undefined && !Number.isFinite(gradNorm)) return finish('nonFinite');
      optimizer.step();
      sum += batchLoss * batch.size;
      onBatch?.(gradNorm === undefined ? { epoch, batch: b, batches, loss: batchLoss } : { epoch, batch: b, batches, loss: batchLoss, gradNorm });
      yield;
    }

    let valLoss: number | undefined;
    if (nVal > 0) {
      let valSum = 0;
      for (let start = 0; start < nVal; start += batchSize) {
        if (signal?.aborted) return finish('aborted');
        const batch = batcher.fill(valOrder, start, Math.min(batchSize, nVal - start));
        const out = model.forward(batch.inputs);
        valSum += lossForward(loss, out.data, batch.targets.data, checkOutput(out, batch.targets)) * batch.size;
        yield;
      }
      valLoss = valSum / nVal;
    }
    const log: EpochLog = valLoss === undefined ? { epoch, loss: sum / nTrain } : { epoch, loss: sum / nTrain, valLoss };
    history.push(log);
    onEpoch?.(log);
    if (stopper?.update(epoch, monitor === 'valLoss' ? (valLoss as number) : log.loss)) {
      return finish('earlyStopping', stopper.restore());
    }
  }
  return finish('completed');
}

function checkOutput(out: FloatTensor, targets: FloatTensor): number {
  const n = targets.data.length;
  if (out.data.length !== n) {
    throw new Error(`model output ${shapeString(out.shape)} does not match targets ${shapeString(targets.shape)}: give targets the model's output shape`);
  }
  return n;
}
