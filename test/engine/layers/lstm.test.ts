import { describe, expect, it } from 'vitest';
import {
  createLstmWorkspace,
  lstmLayerBackward,
  lstmLayerForward,
  lstmStep,
  type SequenceLayout,
} from '../../../engine/layers/lstm.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

const [B, T, F, H] = [2, 5, 3, 4];
const G = 4 * H;
const layouts: SequenceLayout[] = ['batchFirst', 'timeMajor'];

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/** Offset of (b, t) in a [B,T,·] or [T,B,·] buffer of row width n. */
const at = (layout: SequenceLayout, b: number, t: number, n: number): number => (layout === 'batchFirst' ? b * T + t : t * B + b) * n;

/** Naive per-element reference, written straight from the PyTorch equations. */
function reference(layout: SequenceLayout, x: Float64Array, wih: Float64Array, whh: Float64Array, bih: Float64Array, bhh: Float64Array, h0: Float64Array, c0: Float64Array) {
  const y = new Float64Array(B * T * H);
  const h = Float64Array.from(h0);
  const c = Float64Array.from(c0);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const z = new Float64Array(G);
      for (let j = 0; j < G; j++) {
        let s = bih[j] + bhh[j];
        for (let f = 0; f < F; f++) s += wih[j * F + f] * x[at(layout, b, t, F) + f];
        for (let k = 0; k < H; k++) s += whh[j * H + k] * h[b * H + k];
        z[j] = s;
      }
      for (let k = 0; k < H; k++) {
        const cNew = sig(z[H + k]) * c[b * H + k] + sig(z[k]) * Math.tanh(z[2 * H + k]);
        c[b * H + k] = cNew;
        h[b * H + k] = sig(z[3 * H + k]) * Math.tanh(cNew);
        y[at(layout, b, t, H) + k] = h[b * H + k];
      }
    }
  }
  return { y, h, c };
}

function inputs(seed: number) {
  return {
    x: randomArray(B * T * F, seed),
    wih: randomArray(G * F, seed + 1, 0.6),
    whh: randomArray(G * H, seed + 2, 0.6),
    bih: randomArray(G, seed + 3, 0.3),
    bhh: randomArray(G, seed + 4, 0.3),
    h0: randomArray(B * H, seed + 5, 0.8),
    c0: randomArray(B * H, seed + 6, 0.8),
  };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe('lstmLayerForward', () => {
  for (const layout of layouts) {
    it(`matches a naive reference of the PyTorch equations (${layout})`, () => {
      const p = inputs(10);
      const ws = createLstmWorkspace(B, T, F, H, Float64Array);
      const y = new Float64Array(B * T * H);
      const hT = new Float64Array(B * H);
      const cT = new Float64Array(B * H);
      lstmLayerForward(ws, y, hT, cT, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0, p.c0, B, T, F, H, layout);
      const ref = reference(layout, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0, p.c0);
      expectClose(y, ref.y, { rtol: 1e-12, atol: 1e-14 }, 'y');
      expectClose(hT, ref.h, { rtol: 1e-12, atol: 1e-14 }, 'hT');
      expectClose(cT, ref.c, { rtol: 1e-12, atol: 1e-14 }, 'cT');
    });
  }

  it('null biases and null h0/c0 mean zeros; y may be null', () => {
    const p = inputs(20);
    const zG = new Float64Array(G);
    const zBH = new Float64Array(B * H);
    const ws = createLstmWorkspace(B, T, F, H, Float64Array);
    const hT = new Float64Array(B * H);
    const cT = new Float64Array(B * H);
    lstmLayerForward(ws, null, hT, cT, p.x, p.wih, p.whh, null, null, null, null, B, T, F, H, 'batchFirst');
    const ref = reference('batchFirst', p.x, p.wih, p.whh, zG, zG, zBH, zBH);
    expectClose(hT, ref.h, { rtol: 1e-12, atol: 1e-14 }, 'hT');
    expectClose(cT, ref.c, { rtol: 1e-12, atol: 1e-14 }, 'cT');
  });

  it('rejects a workspace made for other sizes, naming the fix', () => {
    const p = inputs(30);
    const ws = createLstmWorkspace(B, T + 1, F, H, Float64Array);
    expect(() => lstmLayerForward(ws, null, null, null, p.x, p.wih, p.whh, null, null, null, null, B, T, F, H, 'batchFirst')).toThrow(/createLstmWorkspace/);
  });
});

describe('lstmLayerBackward', () => {
  for (const layout of layouts) {
    it(`every input's gradient matches finite differences in float64, through y, hT and cT (${layout})`, () => {
      const p = inputs(40);
      const g = randomArray(B * T * H, 50); // loss = Σ g·y + Σ gh·hT + Σ gc·cT
      const gh = randomArray(B * H, 51);
      const gc = randomArray(B * H, 52);
      const ws = createLstmWorkspace(B, T, F, H, Float64Array);
      const y = new Float64Array(B * T * H);
      const hT = new Float64Array(B * H);
      const cT = new Float64Array(B * H);
      const loss = (): number => {
        lstmLayerForward(ws, y, hT, cT, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0, p.c0, B, T, F, H, layout);
        return dot(g, y) + dot(gh, hT) + dot(gc, cT);
      };
      loss();
      const d = {
        x: new Float64Array(B * T * F),
        wih: new Float64Array(G * F),
        whh: new Float64Array(G * H),
        bih: new Float64Array(G),
        bhh: new Float64Array(G),
        h0: new Float64Array(B * H),
        c0: new Float64Array(B * H),
      };
      lstmLayerBackward(ws, d.x, d.wih, d.whh, d.bih, d.bhh, d.h0, d.c0, g, gh, gc, p.x, p.wih, p.whh, B, T, F, H, layout);
      for (const key of ['x', 'wih', 'whh', 'bih', 'bhh', 'h0', 'c0'] as const) expectGradient(loss, p[key], d[key], `d${key}`);
    });
  }

  it('null upstream gradients mean zero, and gradients accumulate across calls', () => {
    const p = inputs(60);
    const gh = randomArray(B * H, 61);
    const ws = createLstmWorkspace(B, T, F, H, Float64Array);
    const hT = new Float64Array(B * H);
    const loss = (): number => {
      lstmLayerForward(ws, null, hT, null, p.x, p.wih, p.whh, p.bih, p.bhh, null, null, B, T, F, H, 'timeMajor');
      return dot(gh, hT);
    };
    loss();
    const dwih = new Float64Array(G * F);
    const dwhh = new Float64Array(G * H);
    const dbhh = new Float64Array(G);
    lstmLayerBackward(ws, null, dwih, dwhh, null, dbhh, null, null, null, gh, null, p.x, p.wih, p.whh, B, T, F, H, 'timeMajor');
    expectGradient(loss, p.wih, dwih, 'dwih');
    expectGradient(loss, p.whh, dwhh, 'dwhh');
    expectGradient(loss, p.bhh, dbhh, 'dbhh');
    // A second backward on the same workspace adds the same amount again: nothing stale survives.
    const once = Float64Array.from(dwhh);
    loss();
    lstmLayerBackward(ws, null, dwih, dwhh, null, dbhh, null, null, null, gh, null, p.x, p.wih, p.whh, B, T, F, H, 'timeMajor');
    expectClose(dwhh, once.map((v) => 2 * v), { rtol: 1e-12, atol: 1e-15 }, 'accumulated dwhh');
  });

  it('refuses a layout other than the last forward used', () => {
    const p = inputs(70);
    const ws = createLstmWorkspace(B, T, F, H, Float64Array);
    lstmLayerForward(ws, null, null, null, p.x, p.wih, p.whh, null, null, null, null, B, T, F, H, 'timeMajor');
    const dw = new Float64Array(G * F);
    const dwh = new Float64Array(G * H);
    expect(() => lstmLayerBackward(ws, null, dw, dwh, null, null, null, null, null, null, null, p.x, p.wih, p.whh, B, T, F, H, 'batchFirst')).toThrow(/layout/);
  });
});

describe('lstmStep', () => {
  it('T steps from (h0, c0) equal lstmLayerForward over T steps in float32', () => {
    const p64 = inputs(80);
    const p = Object.fromEntries(Object.entries(p64).map(([k, v]) => [k, Float32Array.from(v)])) as Record<keyof typeof p64, Float32Array>;
    const ws = createLstmWorkspace(B, T, F, H, Float32Array);
    const y = new Float32Array(B * T * H);
    const hT = new Float32Array(B * H);
    const cT = new Float32Array(B * H);
    lstmLayerForward(ws, y, hT, cT, p.x, p.wih, p.whh, p.bih, p.bhh, p.h0, p.c0, B, T, F, H, 'batchFirst');

    const h = Float32Array.from(p.h0);
    const c = Float32Array.from(p.c0);
    const scratch = new Float32Array(B * G);
    const xt = new Float32Array(B * F);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) xt.set(p.x.subarray(at('batchFirst', b, t, F), at('batchFirst', b, t, F) + F), b * F);
      lstmStep(h, c, xt, p.wih, p.whh, p.bih, p.bhh, scratch, B, F, H);
      for (let b = 0; b < B; b++) {
        expectClose(h.subarray(b * H, b * H + H), y.subarray(at('batchFirst', b, t, H), at('batchFirst', b, t, H) + H), { rtol: 1e-6, atol: 1e-7 }, `h at t=${t}`);
      }
    }
    expectClose(h, hT, { rtol: 1e-6, atol: 1e-7 }, 'hT');
    expectClose(c, cT, { rtol: 1e-6, atol: 1e-7 }, 'cT');
  });
});
