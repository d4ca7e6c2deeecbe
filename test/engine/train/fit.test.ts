import { describe, expect, it } from 'vitest';
import { linearDefaultInit } from '../../../engine/init.js';
import type { Trainable } from '../../../engine/model.js';
import { createAdam } from '../../../engine/optim/adam.js';
import { createSgd } from '../../../engine/optim/sgd.js';
import { createRng } from '../../../engine/rng.js';
import { type FloatTensor, floatTensor } from '../../../engine/tensor.js';
import { type BatchLog, type EpochLog, fit, fitAsync } from '../../../engine/train/fit.js';
import { expectClose } from '../../helpers/gradcheck.js';
import { type Mlp, createMlp } from '../layers/dense-mlp.js';

/** y = 2·x0 - 3·x1 + 0.5·x2 + 1 on N seeded points (inputs [N, 3], targets [N, 1]). */
function regression(N: number, seed = 7): { inputs: FloatTensor; targets: FloatTensor } {
  const rng = createRng(seed);
  const x = new Float32Array(N * 3).map(() => rng.uniform(-1, 1));
  const y = new Float32Array(N).map((_, i) => 2 * x[3 * i] - 3 * x[3 * i + 1] + 0.5 * x[3 * i + 2] + 1);
  return { inputs: floatTensor([N, 3], x), targets: floatTensor([N, 1], y) };
}

function smallNet(seed = 1): Mlp {
  const model = createMlp([
    { in: 3, out: 8, activation: 'tanh' },
    { in: 8, out: 1, activation: 'identity' },
  ]);
  const rng = createRng(seed);
  for (let k = 0; k < 2; k++) {
    const l = model.layers[k];
    linearDefaultInit(model.params.get(`${model.prefix(k)}.weight`).value, model.params.get(`${model.prefix(k)}.bias`).value, l.in, rng);
  }
  return model;
}

/** A 1→1 linear model starting at weight 0, bias 0. */
function line(): Mlp {
  return createMlp([{ in: 1, out: 1, activation: 'identity' }]);
}

describe('fit', () => {
  it('drives the loss down on a simple regression; epoch loss is the sample-weighted batch mean', () => {
    const data = regression(100);
    const batches: BatchLog[] = [];
    const model = smallNet();
    const r = fit(model, data, {
      optimizer: createAdam(model.params, { lr: 0.02 }),
      epochs: 60,
      batchSize: 16,
      onBatch: (b) => batches.push(b),
    });
    expect(r.stopReason).toBe('completed');
    expect(r.history.length).toBe(60);
    expect(r.history[59].loss).toBeLessThan(0.02 * r.history[0].loss);
    // 100 samples in batches of 16: six full batches and one of 4.
    const first = batches.filter((b) => b.epoch === 0);
    expect(first.length).toBe(7);
    expect(first.every((b) => b.batches === 7)).toBe(true);
    const weighted = first.reduce((s, b, i) => s + b.loss * (i < 6 ? 16 : 4), 0) / 100;
    expect(r.history[0].loss).toBeCloseTo(weighted, 6);
  });

  it('the same seed gives identical weights; another seed shuffles differently', () => {
    const data = regression(50);
    const run = (seed: number): Float32Array => {
      const model = smallNet();
      fit(model, data, { optimizer: createSgd(model.params, { lr: 0.05, momentum: 0.9 }), epochs: 5, batchSize: 8, seed });
      return Float32Array.from(model.params.values);
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('holds out the LAST validationSplit of the samples, before shuffling', () => {
    // Each sample's input is its own index, so the model can report which samples it saw where.
    const N = 10;
    const data = { inputs: floatTensor([N, 1], Array.from({ length: N }, (_, i) => i)), targets: floatTensor([N, 1]) };
    const inner = line();
    let last: number[] = [];
    const trained = new Set<number>();
    const validated = new Set<number>();
    const spy: Trainable = {
      params: inner.params,
      forward(x) {
        last = [...x.data];
        for (const i of last) validated.add(i); // moved to `trained` if a backward follows
        return inner.forward(x);
      },
      backward(d) {
        for (const i of last) {
          trained.add(i);
          validated.delete(i);
        }
        inner.backward(d);
      },
    };
    const r = fit(spy, data, { optimizer: createSgd(inner.params, { lr: 0 }), epochs: 3, batchSize: 3, validationSplit: 0.3 });
    expect([...trained].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...validated].sort((a, b) => a - b)).toEqual([7, 8, 9]);
    expect(r.history.every((e) => e.valLoss !== undefined)).toBe(true);
  });

  it('early stopping stops after `patience` epochs without improvement', () => {
    // lr 0: the loss never moves, so epoch 0 is the best and epochs 1 and 2 exhaust patience 2.
    const model = smallNet();
    const r = fit(model, regression(40), {
      optimizer: createSgd(model.params, { lr: 0 }),
      epochs: 50,
      validationSplit: 0.25,
      earlyStopping: { patience: 2 },
    });
    expect(r.stopReason).toBe('earlyStopping');
    expect(r.history.length).toBe(3);
    expect(r.bestEpoch).toBe(0);
  });

  it('minDelta: improvements smaller than it do not count', () => {
    const run = (minDelta: number) => {
      const model = smallNet();
      return fit(model, regression(40), {
        optimizer: createSgd(model.params, { lr: 1e-5 }),
        epochs: 10,
        earlyStopping: { patience: 3, minDelta, monitor: 'loss' },
      });
    };
    expect(run(0).stopReason).toBe('completed'); // tiny steady improvements
    const coarse = run(1);
    expect(coarse.stopReason).toBe('earlyStopping');
    expect(coarse.history.length).toBe(4);
  });

  it('restores the best epoch’s weights when asked', () => {
    // Train on y = x, validate on y = -x (the tail): every epoch that fits the training data
    // moves the weight towards 1 and so away from the validation targets; epoch 0 is the best.
    const N = 40;
    const x = Float32Array.from({ length: N }, (_, i) => (i % 8) / 4 - 1);
    const y = x.map((v, i) => (i < 30 ? v : -v));
    const model = line();
    const snapshots: Float32Array[] = [];
    const r = fit(model, { inputs: floatTensor([N, 1], x), targets: floatTensor([N, 1], y) }, {
      optimizer: createSgd(model.params, { lr: 0.1 }),
      epochs: 20,
      batchSize: 5,
      validationSplit: 0.25,
      earlyStopping: { patience: 2, restoreBestWeights: true },
      onEpoch: () => snapshots.push(Float32Array.from(model.params.values)),
    });
    expect(r.stopReason).toBe('earlyStopping');
    expect(r.bestEpoch).toBe(0);
    expect(r.restoredBest).toBe(true);
    expect(r.history.length).toBe(3);
    expect(r.history[2].valLoss).toBeGreaterThan(r.history[0].valLoss as number);
    expect(model.params.values).toEqual(snapshots[0]);
    expect(snapshots[2]).not.toEqual(snapshots[0]);
  });

  it('clips the gradient norm before each step and reports the pre-clip norm', () => {
    // y = 100·x gives gradients far above 1e-3; with SGD lr 1 the step is then the clipped gradient.
    const x = Float32Array.from([-1, -0.5, 0.5, 1]);
    const data = { inputs: floatTensor([4, 1], x), targets: floatTensor([4, 1], x.map((v) => 100 * v)) };
    const model = line();
    const norms: number[] = [];
    fit(model, data, { optimizer: createSgd(model.params, { lr: 1 }), epochs: 1, batchSize: 4, clipNorm: 1e-3, onBatch: (b) => norms.push(b.gradNorm as number) });
    // At weight 0, bias 0: d/dw = mean(2·(0 - 100x)·x) = -125, d/db = mean(-200x) = 0.
    expectClose(norms, [125], { rtol: 1e-6, atol: 0 });
    expectClose(model.params.values, [1e-3, 0], { rtol: 1e-5, atol: 1e-9 });
  });

  it('stops when the signal is aborted, between batches', () => {
    const model = smallNet();
    const signal = { aborted: false };
    const optimizer = createSgd(model.params, { lr: 0.01 });
    const r = fit(model, regression(64), {
      optimizer,
      epochs: 5,
      batchSize: 8,
      signal,
      onBatch: (b) => {
        if (b.batch === 2) signal.aborted = true;
      },
    });
    expect(r.stopReason).toBe('aborted');
    expect(optimizer.stepCount).toBe(3);
    expect(r.history.length).toBe(0);
  });

  it('a NaN loss stops training before it reaches the weights', () => {
    const model = smallNet();
    const data = regression(16);
    data.targets.data[5] = Number.NaN;
    const before = Float32Array.from(model.params.values);
    const r = fit(model, data, { optimizer: createSgd(model.params, { lr: 0.1 }), epochs: 2, batchSize: 16 });
    expect(r.stopReason).toBe('nonFinite');
    expect(model.params.values).toEqual(before);
  });

  it('says what to fix when the arguments do not fit together', () => {
    const model = smallNet();
    const data = regression(10);
    expect(() => fit(model, data, { validationSplit: 0.95 })).toThrow(/leaves 0 for training and 10 for validation/);
    expect(() => fit(model, data, { earlyStopping: { patience: 1 } })).toThrow(/set validationSplit > 0 or earlyStopping.monitor: 'loss'/);
    expect(() => fit(model, { inputs: data.inputs, targets: floatTensor([10, 2]) })).toThrow(/model output \[10, 1\] does not match targets \[10, 2\]/);
    expect(() => fit(model, data, { optimizer: createAdam(smallNet().params) })).toThrow(/another parameter store/);
  });
});

describe('fitAsync', () => {
  it('gives the same weights as fit and yields to the event loop while training', async () => {
    const data = regression(64);
    const a = smallNet();
    fit(a, data, { optimizer: createAdam(a.params, { lr: 0.01 }), epochs: 3, batchSize: 8, validationSplit: 0.25 });

    const b = smallNet();
    // Queued before training starts, so it runs at the first yield, if fitAsync yields at all.
    let timerRan = false;
    let sawTimerDuringTraining = false;
    setImmediate(() => (timerRan = true));
    const epochs: EpochLog[] = [];
    const r = await fitAsync(b, data, {
      optimizer: createAdam(b.params, { lr: 0.01 }),
      epochs: 3,
      batchSize: 8,
      validationSplit: 0.25,
      onBatch: () => {
        if (timerRan) sawTimerDuringTraining = true;
      },
      onEpoch: (e) => epochs.push(e),
    });
    expect(r.stopReason).toBe('completed');
    expect(sawTimerDuringTraining).toBe(true);
    expect(b.params.values).toEqual(a.params.values);
    expect(epochs.length).toBe(3);
  });

  it('awaits the injected tick every `yieldEvery` batches (training and validation)', async () => {
    const model = smallNet();
    let ticks = 0;
    await fitAsync(model, regression(40), {
      optimizer: createSgd(model.params, { lr: 0.01 }),
      epochs: 2,
      batchSize: 10,
      validationSplit: 0.25, // 30 train → 3 batches, 10 val → 1 batch: 8 batches in 2 epochs
      yieldEvery: 3,
      tick: async () => {
        ticks++;
      },
    });
    expect(ticks).toBe(2);
  });
});
