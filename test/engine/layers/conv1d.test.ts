import { describe, expect, it } from 'vitest';
import { conv1dBackward, conv1dForward, conv1dOutputLength } from '../../../engine/layers/conv1d.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

interface Geometry {
  B: number; Ci: number; L: number; Co: number; K: number;
  stride: number; padBegin: number; padEnd: number; dilation: number; groups: number;
}

const args = (g: Geometry) =>
  [g.B, g.Ci, g.L, g.Co, g.K, g.stride, g.padBegin, g.padEnd, g.dilation, g.groups] as const;
const outLength = (g: Geometry): number => conv1dOutputLength(g.L, g.K, g.stride, g.padBegin, g.padEnd, g.dilation);

/**
 * Reference written from the definition, differently from the kernel: materialise the zero-padded
 * input, then each output element is one explicit sum over its group's channels and taps.
 */
function reference(x: Float64Array, w: Float64Array, bias: Float64Array | null, g: Geometry): Float64Array {
  const Lp = g.padBegin + g.L + g.padEnd;
  const padded = new Float64Array(g.B * g.Ci * Lp);
  for (let b = 0; b < g.B; b++)
    for (let c = 0; c < g.Ci; c++)
      for (let i = 0; i < g.L; i++) padded[(b * g.Ci + c) * Lp + g.padBegin + i] = x[(b * g.Ci + c) * g.L + i];
  const Lo = Math.floor((Lp - g.dilation * (g.K - 1) - 1) / g.stride) + 1;
  const Cig = g.Ci / g.groups;
  const Cog = g.Co / g.groups;
  const out = new Float64Array(g.B * g.Co * Lo);
  for (let b = 0; b < g.B; b++)
    for (let co = 0; co < g.Co; co++)
      for (let lo = 0; lo < Lo; lo++) {
        let s = bias ? bias[co] : 0;
        const group = Math.floor(co / Cog);
        for (let c = 0; c < Cig; c++)
          for (let k = 0; k < g.K; k++)
            s += w[(co * Cig + c) * g.K + k] * padded[(b * g.Ci + group * Cig + c) * Lp + lo * g.stride + k * g.dilation];
        out[(b * g.Co + co) * Lo + lo] = s;
      }
  return out;
}

const geometries: Record<string, Geometry> = {
  'plain': { B: 1, Ci: 3, L: 9, Co: 2, K: 3, stride: 1, padBegin: 0, padEnd: 0, dilation: 1, groups: 1 },
  'stride 2, asymmetric pads (2, 1), dilation 2, groups 2': { B: 2, Ci: 4, L: 11, Co: 6, K: 3, stride: 2, padBegin: 2, padEnd: 1, dilation: 2, groups: 2 },
  'pads wider than the kernel reach (bias-only edges)': { B: 1, Ci: 2, L: 5, Co: 2, K: 2, stride: 1, padBegin: 3, padEnd: 4, dilation: 1, groups: 1 },
  'stride 3 leaving trailing inputs unread': { B: 2, Ci: 2, L: 10, Co: 3, K: 2, stride: 3, padBegin: 0, padEnd: 0, dilation: 1, groups: 1 },
  'depthwise (groups = Ci = Co), dilation 3': { B: 1, Ci: 3, L: 12, Co: 3, K: 3, stride: 1, padBegin: 3, padEnd: 3, dilation: 3, groups: 3 },
  'the autoencoder encoder (8→4, k5 s2 p2)': { B: 2, Ci: 8, L: 8, Co: 4, K: 5, stride: 2, padBegin: 2, padEnd: 2, dilation: 1, groups: 1 },
};

describe('conv1dOutputLength', () => {
  it('follows the PyTorch formula', () => {
    expect(conv1dOutputLength(16, 5, 2, 2, 2, 1)).toBe(8);
    expect(conv1dOutputLength(16, 5, 1, 2, 2, 1)).toBe(16);
    expect(conv1dOutputLength(11, 3, 2, 2, 1, 2)).toBe(5); // (11+3-4-1)/2 = 4.5 → 4, +1
    expect(conv1dOutputLength(10, 2, 3, 0, 0, 1)).toBe(3);
  });
});

describe('conv1dForward', () => {
  it('computes a hand-worked central difference with padding and bias', () => {
    // weight [1, 0, -1], pad 1: out[i] = x[i-1] - x[i+1] + 0.5, with x = 0 outside.
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    const out = new Float64Array(5);
    conv1dForward(out, x, Float64Array.from([1, 0, -1]), Float64Array.from([0.5]), 1, 1, 5, 1, 3, 1, 1, 1, 1, 1);
    expect([...out]).toEqual([-1.5, -1.5, -1.5, -1.5, 4.5]);
  });

  it('computes a hand-worked strided, dilated, grouped case', () => {
    // Two groups of one channel each; channel 0 weight [1, 10] dilation 2, channel 1 weight [2, 0].
    // stride 2, padBegin 1, padEnd 0, L = 6: padded positions lo·2 + {0, 2} - 1 → Lo = floor((7 - 2 - 1)/2) + 1 = 3.
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, /* ch1 */ 10, 20, 30, 40, 50, 60]);
    const w = Float64Array.from([1, 10, 2, 0]);
    const out = new Float64Array(6);
    conv1dForward(out, x, w, null, 1, 2, 6, 2, 2, 2, 1, 0, 2, 2);
    // ch0: lo=0 → x[-1]·1 + x[1]·10 = 20; lo=1 → x[1] + 10·x[3] = 42; lo=2 → x[3] + 10·x[5] = 64.
    // ch1: 2·x[lo·2 - 1] → 0, 2·20, 2·40.
    expect([...out]).toEqual([20, 42, 64, 0, 40, 80]);
  });

  for (const [name, g] of Object.entries(geometries)) {
    it(`matches the padded-input reference: ${name}`, () => {
      const x = randomArray(g.B * g.Ci * g.L, 1);
      const w = randomArray(g.Co * (g.Ci / g.groups) * g.K, 2);
      const bias = randomArray(g.Co, 3);
      const out = new Float64Array(g.B * g.Co * outLength(g)).fill(NaN); // overwritten, not accumulated
      conv1dForward(out, x, w, bias, ...args(g));
      expectClose(out, reference(x, w, bias, g), { rtol: 1e-12, atol: 1e-12 }, name);
    });
  }

  it('runs in float32 within float32 rounding of the float64 result', () => {
    const g = geometries['stride 2, asymmetric pads (2, 1), dilation 2, groups 2'];
    const x = randomArray(g.B * g.Ci * g.L, 4);
    const w = randomArray(g.Co * (g.Ci / g.groups) * g.K, 5);
    const bias = randomArray(g.Co, 6);
    const out32 = new Float32Array(g.B * g.Co * outLength(g));
    conv1dForward(out32, Float32Array.from(x), Float32Array.from(w), Float32Array.from(bias), ...args(g));
    expectClose(out32, reference(Float64Array.from(Float32Array.from(x)), Float64Array.from(Float32Array.from(w)), Float64Array.from(Float32Array.from(bias)), g), { rtol: 1e-6, atol: 1e-6 });
  });
});

describe('conv1dBackward', () => {
  for (const [name, g] of Object.entries(geometries)) {
    it(`matches finite differences for x, weight and bias: ${name}`, () => {
      const Lo = outLength(g);
      const x = randomArray(g.B * g.Ci * g.L, 7);
      const w = randomArray(g.Co * (g.Ci / g.groups) * g.K, 8);
      const bias = randomArray(g.Co, 9);
      const up = randomArray(g.B * g.Co * Lo, 10); // loss = Σ up · out
      const out = new Float64Array(g.B * g.Co * Lo);
      const loss = (): number => {
        conv1dForward(out, x, w, bias, ...args(g));
        let s = 0;
        for (let i = 0; i < out.length; i++) s += up[i] * out[i];
        return s;
      };
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      const db = new Float64Array(bias.length);
      conv1dBackward(dx, dw, db, up, x, w, ...args(g));
      expectGradient(loss, x, dx, 'dx');
      expectGradient(loss, w, dw, 'dWeight');
      expectGradient(loss, bias, db, 'dBias');
    });
  }

  it('accumulates into existing gradients and skips null buffers', () => {
    const g = geometries['stride 2, asymmetric pads (2, 1), dilation 2, groups 2'];
    const Lo = outLength(g);
    const x = randomArray(g.B * g.Ci * g.L, 11);
    const w = randomArray(g.Co * (g.Ci / g.groups) * g.K, 12);
    const up = randomArray(g.B * g.Co * Lo, 13);
    const fresh = { dx: new Float64Array(x.length), dw: new Float64Array(w.length), db: new Float64Array(g.Co) };
    conv1dBackward(fresh.dx, fresh.dw, fresh.db, up, x, w, ...args(g));
    const dx = new Float64Array(x.length).fill(1);
    const dw = new Float64Array(w.length).fill(1);
    const db = new Float64Array(g.Co).fill(1);
    conv1dBackward(dx, null, null, up, x, w, ...args(g));
    conv1dBackward(null, dw, null, up, x, w, ...args(g));
    conv1dBackward(null, null, db, up, x, w, ...args(g));
    expectClose(dx, fresh.dx.map((v) => v + 1), { rtol: 1e-12, atol: 1e-12 }, 'dx');
    expectClose(dw, fresh.dw.map((v) => v + 1), { rtol: 1e-12, atol: 1e-12 }, 'dWeight');
    expectClose(db, fresh.db.map((v) => v + 1), { rtol: 1e-12, atol: 1e-12 }, 'dBias');
  });
});
