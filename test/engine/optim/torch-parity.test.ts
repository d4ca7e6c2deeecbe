// Adam, MSE and the dense kernels against PyTorch 1.13 on a recorded case (see
// /work/shared/fixtures/torch/README.md): Linear(24,16) ReLU Linear(16,4) ReLU Linear(4,16) ReLU
// Linear(16,24), built by hand here from engine kernels, trained full-batch with torch.optim.Adam.
// Everything runs in float32 as in production; PyTorch ran in float32 too, hence 1e-5 relative.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mseBackward, mseLoss } from '../../../engine/losses/mse.js';
import { createAdam } from '../../../engine/optim/adam.js';
import { floatTensor, fromNested } from '../../../engine/tensor.js';
import { expectClose } from '../../helpers/gradcheck.js';
import { createMlp } from '../layers/dense-mlp.js';

const CASE = '/work/shared/fixtures/torch/dense_ae_relu_24_16_4/case.json';

interface Case {
  input: number[][];
  output: number[][];
  input2: number[][];
  output2: number[][];
  target: number[][];
  initial_params: Record<string, unknown>;
  grads_step0: Record<string, unknown>;
  final_params: Record<string, unknown>;
  final_output: number[][];
  optimizer: { name: string; lr: number; betas: [number, number]; eps: number; weight_decay: number };
  loss: string;
  steps: number;
  losses: number[];
}

const flat = (nested: unknown): Float32Array => fromNested(nested).data as Float32Array;
const tol = { rtol: 1e-5, atol: 1e-6 };

describe('dense autoencoder vs PyTorch (dense_ae_relu_24_16_4)', () => {
  const c = JSON.parse(readFileSync(CASE, 'utf8')) as Case;
  const build = () => {
    const model = createMlp([
      { in: 24, out: 16, activation: 'relu' },
      { in: 16, out: 4, activation: 'relu' },
      { in: 4, out: 16, activation: 'relu' },
      { in: 16, out: 24, activation: 'identity' },
    ]);
    for (const p of model.params.list) model.params.set(p.name, flat(c.initial_params[p.name]));
    return model;
  };
  const input = fromNested(c.input);
  const target = flat(c.target);

  it('the case is what this test assumes', () => {
    expect(c.loss).toBe('mse_mean');
    expect(c.optimizer.name).toBe('adam');
    expect(Object.keys(c.initial_params).sort()).toEqual(build().params.list.map((p) => p.name).sort());
  });

  it('forward matches output and output2 (two batch sizes)', () => {
    const model = build();
    expectClose(model.forward(input).data, flat(c.output), tol, 'output');
    expectClose(model.forward(fromNested(c.input2)).data, flat(c.output2), tol, 'output2');
  });

  it('MSE gradients at the initial parameters match grads_step0', () => {
    const model = build();
    const out = model.forward(input);
    const n = out.data.length;
    expect(mseLoss(out.data, target, n)).toBeCloseTo(c.losses[0], 5);
    const dOut = floatTensor(out.shape);
    mseBackward(dOut.data, out.data, target, n);
    model.params.zeroGrad();
    model.backward(dOut);
    for (const p of model.params.list) expectClose(p.grad, flat(c.grads_step0[p.name]), { rtol: 1e-5, atol: 1e-8 }, `grad ${p.name}`);
  });

  it(`${c.steps} full-batch Adam steps follow losses, final_params and final_output`, () => {
    const model = build();
    const o = c.optimizer;
    const adam = createAdam(model.params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay });
    const dOut = floatTensor(input.shape);
    const losses: number[] = [];
    for (let s = 0; s < c.steps; s++) {
      const out = model.forward(input);
      losses.push(mseLoss(out.data, target, out.data.length));
      dOut.data.fill(0);
      mseBackward(dOut.data, out.data, target, out.data.length);
      adam.zeroGrad();
      model.backward(dOut);
      adam.step();
    }
    expectClose(losses, c.losses, tol, 'losses');
    expect(adam.stepCount).toBe(c.steps);
    for (const p of model.params.list) expectClose(p.value, flat(c.final_params[p.name]), tol, `final ${p.name}`);
    expectClose(model.forward(input).data, flat(c.final_output), tol, 'final_output');
  });
});
