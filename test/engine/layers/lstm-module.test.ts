import { describe, expect, it } from 'vitest';
import { createLstm, initLstmParams, type LstmConfig, lstmParamSpecs } from '../../../engine/layers/lstm-module.js';
import { ParamStore } from '../../../engine/params.js';
import { createRng } from '../../../engine/rng.js';
import { floatTensor } from '../../../engine/tensor.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

const [B, T, F, H, L] = [2, 4, 3, 5, 2];

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

function build(batchFirst: boolean, ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array, seed = 1) {
  const config: LstmConfig = { inputSize: F, hiddenSize: H, numLayers: L, batchFirst };
  const params = new ParamStore(lstmParamSpecs(config, 'rnn.'), ctor);
  initLstmParams(params, config, 'rnn.', createRng(seed));
  return { config, params, lstm: createLstm(config, params, 'rnn.') };
}

describe('lstmParamSpecs / initLstmParams', () => {
  it('uses PyTorch state-dict names and shapes, layer by layer', () => {
    const specs = lstmParamSpecs({ inputSize: 3, hiddenSize: 16, numLayers: 2, batchFirst: true }, 'lstm.');
    expect(specs.map((s) => [s.name, s.shape])).toEqual([
      ['lstm.weight_ih_l0', [64, 3]], ['lstm.weight_hh_l0', [64, 16]], ['lstm.bias_ih_l0', [64]], ['lstm.bias_hh_l0', [64]],
      ['lstm.weight_ih_l1', [64, 16]], ['lstm.weight_hh_l1', [64, 16]], ['lstm.bias_ih_l1', [64]], ['lstm.bias_hh_l1', [64]],
    ]);
  });

  it('fills U(-1/√H, 1/√H) deterministically from the seed', () => {
    const a = build(true, Float64Array, 7).params.values;
    const b = build(true, Float64Array, 7).params.values;
    const c = build(true, Float64Array, 8).params.values;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const bound = 1 / Math.sqrt(H);
    let max = 0;
    for (const v of a) max = Math.max(max, Math.abs(v));
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.9 * bound);
  });

  it('rejects a bad config and a store of the wrong layout, saying what to do', () => {
    expect(() => lstmParamSpecs({ inputSize: 3, hiddenSize: 0, numLayers: 1, batchFirst: true })).toThrow(/hiddenSize/);
    const params = new ParamStore(lstmParamSpecs({ inputSize: 4, hiddenSize: H, numLayers: 1, batchFirst: true }));
    expect(() => createLstm({ inputSize: 3, hiddenSize: H, numLayers: 1, batchFirst: true }, params)).toThrow(/lstmParamSpecs/);
  });
});

describe('createLstm (2 layers)', () => {
  for (const batchFirst of [true, false]) {
    it(`gradients of every parameter, x, h0 and c0 match finite differences in float64 (batchFirst=${batchFirst})`, () => {
      const { params, lstm } = build(batchFirst);
      const seq = batchFirst ? [B, T] : [T, B];
      const x = floatTensor([...seq, F], randomArray(B * T * F, 11), Float64Array);
      const h0 = floatTensor([L, B, H], randomArray(L * B * H, 12, 0.5), Float64Array);
      const c0 = floatTensor([L, B, H], randomArray(L * B * H, 13, 0.5), Float64Array);
      const g = randomArray(B * T * H, 14); // loss = Σ g·y + Σ gh·hN + Σ gc·cN
      const gh = randomArray(L * B * H, 15);
      const gc = randomArray(L * B * H, 16);
      const loss = (): number => {
        const out = lstm.forward(x, h0, c0);
        return dot(g, out.y.data) + dot(gh, out.h.data) + dot(gc, out.c.data);
      };
      loss();
      params.zeroGrad();
      const dh0 = new Float64Array(L * B * H);
      const dc0 = new Float64Array(L * B * H);
      const dx = lstm.backward(
        floatTensor([...seq, H], g, Float64Array), floatTensor([L, B, H], gh, Float64Array), floatTensor([L, B, H], gc, Float64Array), dh0, dc0,
      );
      expect(dx.shape).toEqual([...seq, F]);
      const dxCopy = Float64Array.from(dx.data);
      for (const p of params.list) expectGradient(loss, p.value as Float64Array, p.grad, `d${p.name}`);
      expectGradient(loss, x.data as Float64Array, dxCopy, 'dx');
      expectGradient(loss, h0.data as Float64Array, dh0, 'dh0');
      expectGradient(loss, c0.data as Float64Array, dc0, 'dc0');
    });
  }

  it('step over T samples equals forward over T steps (float32, no initial state)', () => {
    const { lstm } = build(true, Float32Array, 3);
    const x = floatTensor([B, T, F], randomArray(B * T * F, 21), Float32Array);
    const out = lstm.forward(x);
    const state = lstm.createState(B);
    const xt = new Float32Array(B * F);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) xt[b * F + f] = x.data[(b * T + t) * F + f];
      const h = lstm.step(xt, state);
      for (let b = 0; b < B; b++) {
        const yt = Array.from({ length: H }, (_, k) => out.y.data[(b * T + t) * H + k]);
        expectClose(h.subarray(b * H, b * H + H), yt, { rtol: 1e-6, atol: 1e-7 }, `top h, t=${t}, b=${b}`);
      }
    }
    expectClose(state.h, out.h.data, { rtol: 1e-6, atol: 1e-7 }, 'h of every layer');
    expectClose(state.c, out.c.data, { rtol: 1e-6, atol: 1e-7 }, 'c of every layer');
  });

  it('reuses its workspaces and output buffers per (batch, steps) after warm-up', () => {
    const { params, lstm } = build(true, Float32Array, 4);
    const x1 = floatTensor([B, T, F], randomArray(B * T * F, 31), Float32Array);
    const x2 = floatTensor([B + 1, T, F], randomArray((B + 1) * T * F, 32), Float32Array);
    const dy1 = floatTensor([B, T, H], randomArray(B * T * H, 33), Float32Array);
    const out1 = lstm.forward(x1);
    const y1 = Float32Array.from(out1.y.data);
    const dx1 = lstm.backward(dy1);
    const grads1 = Float32Array.from(params.grads);

    const out2 = lstm.forward(x2); // another size gets its own buffers...
    expect(out2).not.toBe(out1);
    lstm.backward(null, floatTensor([L, B + 1, H], randomArray(L * (B + 1) * H, 34), Float32Array));

    params.zeroGrad();
    const again = lstm.forward(x1); // ...and coming back reuses the first ones, with no stale state
    expect(again).toBe(out1);
    expect(again.y.data).toBe(out1.y.data);
    expect(Array.from(again.y.data)).toEqual(Array.from(y1));
    expect(lstm.backward(dy1)).toBe(dx1);
    expect(Array.from(params.grads)).toEqual(Array.from(grads1));

    const state = lstm.createState(1);
    const top = lstm.step(new Float32Array(F), state);
    expect(lstm.step(new Float32Array(F), state)).toBe(top);
  });

  it('validates shapes at the boundary', () => {
    const { lstm } = build(true, Float32Array);
    expect(() => lstm.forward(floatTensor([B, T, F + 1]))).toThrow(/\[batch, steps, 3\]/);
    expect(() => lstm.forward(floatTensor([B, T, F]), floatTensor([1, B, H]))).toThrow(/h0 must have shape \[2, 2, 5\]/);
    expect(() => createLstm({ inputSize: F, hiddenSize: H, numLayers: L, batchFirst: true }, build(true).params, 'rnn.').backward(null)).toThrow(/before forward/);
  });
});
