import { describe, expect, it } from 'vitest';
import type { SequenceLayout } from '../../../engine/layers/lstm.js';
import { createRnnWorkspace, rnnLayerBackward, rnnLayerForward, rnnParamSpecs, rnnStep } from '../../../engine/layers/rnn.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

// H = 5 exercises both the four-row blocks and the remainder row of the recurrence.
const [B, T, F, H] = [2, 5, 3, 5];
const layouts: SequenceLayout[] = ['batchFirst', 'timeMajor'];

const at = (layout: SequenceLayout, b: number, t: number, n: number): number => (layout === 'batchFirst' ? b * T + t : t * B + b) * n;

/** Naive reference straight from nn.RNN's equation. */
function reference(layout: SequenceLayout, x: Float64Array, wih: Float64Array, whh: Float64Array, bih: Float64Array, bhh: Float64Array, h0: Float64Array) {
  const y = new Float64Array(B * T * H);
  const h = Float64Array.from(h0);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const next = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        let s = bih[j] + bhh[j];
        for (let f = 0; f < F; f++) s += wih[j * F + f] * x[at(layout, b, t, F) + f];
        for (let k = 0; k < H; k++) s += whh[j * H + k] * h[b * H + k];
        next[j] = Math.tanh(s);
      }
      h.set(next, b * H);
      y.set(next, at(layout, b, t, H));
    }
  }
  return { y, h };
}

function inputs(seed: number) {
  return {
    x: randomArray(B * T * F, seed),
    wih: randomArray(H * F, seed + 1, 0.6),
    whh: randomArray(H * H, seed + 2, 0.6),
    bih: randomArray(H, seed + 3, 0.3),
    bhh: randomArray(H, seed + 4, 0.3),
    h0: randomArray(B * H, seed + 5, 0.8),
  };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe('rnnParamSpecs', () => {
  it('uses PyTorch state-dict names and shapes', () => {
    expect(rnnParamSpecs(3, 8, 'rnn.').map((s) => [s.name, s.shape])).toEqual([
      ['rnn.weight_ih_l0', [8, 3]], ['rnn.weight_hh_l0', [8, 8]], ['rnn.bias_ih_l0', [8]], ['rnn.bias_hh_l0', [8]],
    ]);
  });
});

describe('rnnLayerForward', () => {
  for (const layout of layouts) {
    it(`matches a naive reference of nn.RNN's equation (${layout})`, () => {
      const p = inputs(10);
      const ws = createRnnWorkspace(B, T, F, H, Float64Array);
      const y = new Float64Array(B * T * H);
      const hT = new Float64Array(B * H);
      rnnLayerForward(ws, y, hT, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0, B, T, F, H, layout);
      const ref = reference(layout, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0);
      expectClose(y, ref.y, { rtol: 1e-12, atol: 1e-14 }, 'y');
      expectClose(hT, ref.h, { rtol: 1e-12, atol: 1e-14 }, 'hT');
    });
  }

  it('null biases and h0 mean zeros; y may be null; a wrong-size workspace is refused', () => {
    const p = inputs(20);
    const ws = createRnnWorkspace(B, T, F, H, Float64Array);
    const hT = new Float64Array(B * H);
    rnnLayerForward(ws, null, hT, p.x, p.wih, p.whh, null, null, null, B, T, F, H, 'timeMajor');
    const ref = reference('timeMajor', p.x, p.wih, p.whh, new Float64Array(H), new Float64Array(H), new Float64Array(B * H));
    expectClose(hT, ref.h, { rtol: 1e-12, atol: 1e-14 }, 'hT');
    expect(() => rnnLayerForward(createRnnWorkspace(B + 1, T, F, H), null, null, p.x, p.wih, p.whh, null, null, null, B, T, F, H, 'timeMajor')).toThrow(/createRnnWorkspace/);
  });
});

describe('rnnLayerBackward', () => {
  for (const layout of layouts) {
    it(`every input's gradient matches finite differences in float64, through y and hT (${layout})`, () => {
      const p = inputs(40);
      const g = randomArray(B * T * H, 50); // loss = Σ g·y + Σ gh·hT
      const gh = randomArray(B * H, 51);
      const ws = createRnnWorkspace(B, T, F, H, Float64Array);
      const y = new Float64Array(B * T * H);
      const hT = new Float64Array(B * H);
      const loss = (): number => {
        rnnLayerForward(ws, y, hT, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0, B, T, F, H, layout);
        return dot(g, y) + dot(gh, hT);
      };
      loss();
      const d = {
        x: new Float64Array(B * T * F),
        wih: new Float64Array(H * F),
        whh: new Float64Array(H * H),
        bih: new Float64Array(H),
        bhh: new Float64Array(H),
        h0: new Float64Array(B * H),
      };
      rnnLayerBackward(ws, d.x, d.wih, d.whh, d.bih, d.bhh, d.h0, g, gh, p.x, p.wih, p.whh, B, T, F, H, layout);
      for (const key of ['x', 'wih', 'whh', 'bih', 'bhh', 'h0'] as const) expectGradient(loss, p[key], d[key], `d${key}`);
    });
  }

  it('null upstream gradients mean zero, and a reused workspace accumulates exactly', () => {
    const p = inputs(60);
    const g = randomArray(B * T * H, 61);
    const ws = createRnnWorkspace(B, T, F, H, Float64Array);
    const y = new Float64Array(B * T * H);
    const loss = (): number => {
      rnnLayerForward(ws, y, null, p.x, p.wih, p.whh, p.bih, null, null, B, T, F, H, 'batchFirst');
      return dot(g, y);
    };
    loss();
    const dwhh = new Float64Array(H * H);
    const dwih = new Float64Array(H * F);
    rnnLayerBackward(ws, null, dwih, dwhh, null, null, null, g, null, p.x, p.wih, p.whh, B, T, F, H, 'batchFirst');
    expectGradient(loss, p.whh, dwhh, 'dwhh');
    const once = Float64Array.from(dwhh);
    loss();
    rnnLayerBackward(ws, null, dwih, dwhh, null, null, null, g, null, p.x, p.wih, p.whh, B, T, F, H, 'batchFirst');
    expectClose(dwhh, once.map((v) => 2 * v), { rtol: 1e-12, atol: 1e-15 }, 'accumulated dwhh');
  });
});

describe('rnnStep', () => {
  it('T steps from h0 equal rnnLayerForward over T steps in float32', () => {
    const p64 = inputs(80);
    const p = Object.fromEntries(Object.entries(p64).map(([k, v]) => [k, Float32Array.from(v)])) as Record<keyof typeof p64, Float32Array>;
    const ws = createRnnWorkspace(B, T, F, H, Float32Array);
    const y = new Float32Array(B * T * H);
    const hT = new Float32Array(B * H);
    rnnLayerForward(ws, y, hT, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0, B, T, F, H, 'timeMajor');
    const h = Float32Array.from(p.h0);
    const scratch = new Float32Array(B * H);
    for (let t = 0; t < T; t++) {
      rnnStep(h, p.x.subarray(t * B * F, (t + 1) * B * F), p.wih, p.whh, p.bih, p.bhh, scratch, B, F, H);
      expectClose(h, y.subarray(t * B * H, (t + 1) * B * H), { rtol: 1e-6, atol: 1e-7 }, `h at t=${t}`);
    }
    expectClose(h, hT, { rtol: 1e-6, atol: 1e-7 }, 'hT');
  });
});
