// SGD and Adam(W) against values worked out by hand on the smallest problem there is:
// one parameter p, loss ½p², so the gradient is p itself. Each expected value below follows
// from the torch.optim update rules written in the comment above it.

import { describe, expect, it } from 'vitest';
import { createAdam } from '../../../engine/optim/adam.js';
import { clipGradNorm } from '../../../engine/optim/clip-grad-norm.js';
import type { Optimizer, OptimizerState } from '../../../engine/optim/optimizer.js';
import { createSgd } from '../../../engine/optim/sgd.js';
import { ParamStore } from '../../../engine/params.js';
import { expectClose } from '../../helpers/gradcheck.js';

function store(values: number[]): ParamStore {
  const p = new ParamStore([{ name: 'w', shape: [values.length] }], Float64Array);
  p.set('w', values);
  return p;
}

/** Runs `steps` steps on loss ½Σp² (grad = p), returning p after each step. */
function trajectory(opt: Optimizer, steps: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    opt.params.grads.set(opt.params.values);
    opt.step();
    out.push([...opt.params.values]);
  }
  return out;
}

const exact = { rtol: 1e-14, atol: 1e-15 };

describe('createSgd (torch.optim.SGD)', () => {
  it('plain: p -= lr·g', () => {
    // p = 1 - 0.1·1 = 0.9, then 0.9 - 0.09 = 0.81
    expectClose(trajectory(createSgd(store([1]), { lr: 0.1 }), 2).flat(), [0.9, 0.81], exact);
  });

  it('momentum 0.9: buf starts as the first gradient, then buf = 0.9·buf + g', () => {
    // step 1: buf = 1                      p = 1    - 0.1·1    = 0.9
    // step 2: buf = 0.9·1    + 0.9  = 1.8  p = 0.9  - 0.1·1.8  = 0.72
    // step 3: buf = 0.9·1.8  + 0.72 = 2.34 p = 0.72 - 0.1·2.34 = 0.486
    // The second parameter starts at -2 and so runs at exactly -2 times the first.
    const t = trajectory(createSgd(store([1, -2]), { lr: 0.1, momentum: 0.9 }), 3);
    expectClose(t.flat(), [0.9, -1.8, 0.72, -1.44, 0.486, -0.972], exact);
  });

  it('dampening and weight decay: the first step is not dampened (torch quirk)', () => {
    // d = g + 0.1·p
    // step 1: d = 1.1,   buf = 1.1 (clone, undamped)              p = 1    - 0.11    = 0.89
    // step 2: d = 0.979, buf = 0.5·1.1 + (1-0.5)·0.979 = 1.0395   p = 0.89 - 0.10395 = 0.78605
    const opt = createSgd(store([1]), { lr: 0.1, momentum: 0.5, dampening: 0.5, weightDecay: 0.1 });
    expectClose(trajectory(opt, 2).flat(), [0.89, 0.78605], exact);
  });

  it('nesterov: step along g + momentum·buf', () => {
    // step 1: buf = 1,                                d = 1      + 0.9·1      = 1.9      p = 0.81
    // step 2: buf = 0.9·1    + 0.81   = 1.71,         d = 0.81   + 0.9·1.71   = 2.349    p = 0.5751
    // step 3: buf = 0.9·1.71 + 0.5751 = 2.1141,       d = 0.5751 + 0.9·2.1141 = 2.47779  p = 0.327321
    const opt = createSgd(store([1]), { lr: 0.1, momentum: 0.9, nesterov: true });
    expectClose(trajectory(opt, 3).flat(), [0.81, 0.5751, 0.327321], exact);
  });

  it('refuses nesterov without momentum, saying what to set', () => {
    expect(() => createSgd(store([1]), { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    expect(() => createSgd(store([1]), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true })).toThrow(/dampening 0/);
    expect(() => createSgd(store([1]), { lr: -1 })).toThrow(/learning rate/);
  });
});

describe('createAdam (torch.optim.Adam / AdamW)', () => {
  // lr 0.1, betas (0.9, 0.999), eps 1e-8, weight decay 0.1, p = 1, grad = p.
  const opts = { lr: 0.1, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0.1 };

  it('decoupled (AdamW): p *= 1 - lr·wd, then the Adam step on the raw gradient', () => {
    // step 1: p = 0.99;  m = 0.1,  v = 0.001;  m̂ = 1, v̂ = 1
    //         p = 0.99 - 0.1·1/(1 + 1e-8)                                 = 0.890000001
    // step 2: g = 0.890000001, p = 0.890000001·0.99 = 0.88110000099
    //         m = 0.09 + 0.0890000001 = 0.1790000001
    //         v = 0.000999 + 0.001·g² = 0.00179110000178
    //         p -= (0.1/0.19)·m / (√v/√0.001999 + 1e-8)                     = 0.78157185695416035
    // step 3: likewise with bias corrections 1-0.9³ and 1-0.999³          = 0.67510122318920006
    const opt = createAdam(store([1]), { ...opts, decoupled: true });
    const t = trajectory(opt, 3);
    expectClose(t.flat(), [0.89000000099999999, 0.78157185695416035, 0.67510122318920006], exact);
    expectClose(opt.state().buffers.expAvg, [0.23925718578541603], exact);
    expectClose(opt.state().buffers.expAvgSq, [0.0024001634693609945], exact);
  });

  it('coupled (Adam): weight decay is an L2 term added to the gradient', () => {
    // step 1: g = 1 + 0.1·1 = 1.1;  m = 0.11, v = 0.00121;  m̂ = 1.1, v̂ = 1.21
    //         p = 1 - 0.1·1.1/(1.1 + 1e-8)                                = 0.90000000090909090
    // step 2: g = 1.1·p;  m = 0.198000000100, v = 0.00218889000198        = 0.80041222952678371
    const t = trajectory(createAdam(store([1]), opts), 2);
    expectClose(t.flat(), [0.9000000009090909, 0.80041222952678371], exact);
  });

  it('with no weight decay the first step moves every parameter by lr·sign(g)', () => {
    const p = store([3, -0.002, 50]);
    const opt = createAdam(p);
    p.grads.set([10, -1, 0.5]); // |g| ≫ eps, so eps shifts the step by under 1e-8 relative
    opt.step();
    expectClose(p.values, [3 - 1e-3, -0.002 + 1e-3, 50 - 1e-3], { rtol: 1e-9, atol: 1e-11 });
  });
});

describe('optimizer state', () => {
  const cases: [string, (p: ParamStore) => Optimizer][] = [
    ['sgd nesterov', (p) => createSgd(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['adam', (p) => createAdam(p, { lr: 0.05, weightDecay: 0.01 })],
    ['adamw', (p) => createAdam(p, { lr: 0.05, weightDecay: 0.01, decoupled: true })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: save → JSON → load into a fresh optimizer resumes the identical trajectory`, () => {
      const straight = make(store([1, -2, 0.5]));
      const full = trajectory(straight, 6);

      const first = make(store([1, -2, 0.5]));
      trajectory(first, 3);
      const saved = JSON.parse(JSON.stringify(first.state())) as OptimizerState;
      const weights = [...first.params.values];

      // "After a restart": new parameter store, new optimizer, both restored.
      const resumed = make(store(weights));
      resumed.load(saved);
      expect(resumed.stepCount).toBe(3);
      const rest = trajectory(resumed, 3);
      expect(rest).toEqual(full.slice(3)); // bit for bit
    });
  }

  it('without the state, resuming takes another path (the state matters)', () => {
    const a = createAdam(store([1]));
    const after3 = trajectory(a, 3)[2];
    const fresh = createAdam(store(after3));
    expect(trajectory(fresh, 1)[0]).not.toEqual(trajectory(a, 1)[0]);
  });

  it('the learning rate is settable and travels with the state', () => {
    const opt = createSgd(store([1]), { lr: 0.1 });
    opt.lr = 0.5;
    expectClose(trajectory(opt, 1).flat(), [0.5], exact);
    const other = createSgd(store([1]), { lr: 0.1 });
    other.load(opt.state());
    expect(other.lr).toBe(0.5);
    expect(() => (opt.lr = Number.NaN)).toThrow(/learning rate/);
  });

  it('load refuses a state from another optimizer, other settings or another model', () => {
    const adam = createAdam(store([1, 2]));
    expect(() => createSgd(store([1, 2]), { lr: 0.1 }).load(adam.state())).toThrow(/'adam' optimizer state into a 'sgd'/);
    const plain = createSgd(store([1, 2]), { lr: 0.1 }).state();
    expect(() => createSgd(store([1, 2]), { lr: 0.1, momentum: 0.9 }).load(plain)).toThrow(/no 'momentumBuffer' buffer/);
    expect(() => createAdam(store([1, 2, 3])).load(adam.state())).toThrow(/has 2 values but the parameters have 3/);
  });
});

describe('clipGradNorm (torch.nn.utils.clip_grad_norm_)', () => {
  it('scales all gradients by maxNorm/(norm + 1e-6) and returns the pre-clip norm', () => {
    const p = new ParamStore([{ name: 'a', shape: [2] }, { name: 'b', shape: [1] }], Float64Array);
    p.grads.set([3, 0, 4]); // global norm 5 across both parameters
    expect(clipGradNorm(p, 1)).toBe(5);
    expectClose(p.grads, [3 / (5 + 1e-6), 0, 4 / (5 + 1e-6)], exact);
  });

  it('leaves gradients under the limit alone', () => {
    const p = store([0, 0]);
    p.grads.set([0.3, 0.4]);
    expect(clipGradNorm(p, 1)).toBeCloseTo(0.5, 15);
    expect([...p.grads]).toEqual([0.3, 0.4]);
  });

  it('reports a non-finite norm without touching the gradients', () => {
    const p = store([0, 0]);
    p.grads.set([Number.NaN, 1]);
    expect(clipGradNorm(p, 1)).toBeNaN();
    expect(p.grads[1]).toBe(1);
  });
});
