import { describe, expect, it } from 'vitest';
import { conv1dForward } from '../../../engine/layers/conv1d.js';
import {
  convTranspose1dBackward,
  convTranspose1dForward,
  convTranspose1dOutputLength,
} from '../../../engine/layers/conv-transpose1d.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

interface Geometry {
  B: number; Ci: number; L: number; Co: number; K: number;
  stride: number; padBegin: number; padEnd: number; dilation: number; groups: number; outputPadding: number;
}

const args = (g: Geometry) =>
  [g.B, g.Ci, g.L, g.Co, g.K, g.stride, g.padBegin, g.padEnd, g.dilation, g.groups, g.outputPadding] as const;
const outLength = (g: Geometry): number =>
  convTranspose1dOutputLength(g.L, g.K, g.stride, g.padBegin, g.padEnd, g.dilation, g.outputPadding);
const weightSize = (g: Geometry): number => g.Ci * (g.Co / g.groups) * g.K;

/**
 * Gather-form reference, written differently from the kernel's scatter: output position o of the
 * unpadded full result receives x[i]·w[k] for every tap with i·stride + k·dilation = o + padBegin.
 */
function reference(x: Float64Array, w: Float64Array, bias: Float64Array | null, g: Geometry): Float64Array {
  const Lo = outLength(g);
  const Cig = g.Ci / g.groups;
  const Cog = g.Co / g.groups;
  const out = new Float64Array(g.B * g.Co * Lo);
  for (let b = 0; b < g.B; b++)
    for (let co = 0; co < g.Co; co++) {
      const group = Math.floor(co / Cog);
      for (let o = 0; o < Lo; o++) {
        let s = bias ? bias[co] : 0;
        for (let c = 0; c < Cig; c++) {
          const ci = group * Cig + c;
          for (let k = 0; k < g.K; k++) {
            const t = o + g.padBegin - k * g.dilation;
            if (t % g.stride !== 0) continue;
            const i = t / g.stride;
            if (i < 0 || i >= g.L) continue;
            s += w[(ci * Cog + (co - group * Cog)) * g.K + k] * x[(b * g.Ci + ci) * g.L + i];
          }
        }
        out[(b * g.Co + co) * Lo + o] = s;
      }
    }
  return out;
}

const geometries: Record<string, Geometry> = {
  'plain': { B: 1, Ci: 2, L: 5, Co: 3, K: 3, stride: 1, padBegin: 0, padEnd: 0, dilation: 1, groups: 1, outputPadding: 0 },
  'stride 2, asymmetric pads (2, 1), dilation 2, groups 2, output padding 1': { B: 2, Ci: 4, L: 6, Co: 6, K: 3, stride: 2, padBegin: 2, padEnd: 1, dilation: 2, groups: 2, outputPadding: 1 },
  'output padding ≥ stride (allowed when dilation is larger)': { B: 1, Ci: 2, L: 5, Co: 2, K: 3, stride: 1, padBegin: 1, padEnd: 0, dilation: 3, groups: 1, outputPadding: 2 },
  'stride 3 wider than the kernel (gaps hold the bias)': { B: 2, Ci: 2, L: 4, Co: 3, K: 2, stride: 3, padBegin: 0, padEnd: 1, dilation: 1, groups: 1, outputPadding: 2 },
  'the autoencoder decoder (4→8, k5 s2 p2 op1)': { B: 2, Ci: 4, L: 8, Co: 8, K: 5, stride: 2, padBegin: 2, padEnd: 2, dilation: 1, groups: 1, outputPadding: 1 },
};

describe('convTranspose1dOutputLength', () => {
  it('follows the PyTorch/ONNX formula', () => {
    expect(convTranspose1dOutputLength(4, 5, 2, 2, 2, 1, 1)).toBe(8);
    expect(convTranspose1dOutputLength(8, 5, 2, 2, 2, 1, 1)).toBe(16);
    expect(convTranspose1dOutputLength(2, 3, 2, 0, 0, 1, 0)).toBe(5);
    expect(convTranspose1dOutputLength(6, 3, 2, 2, 1, 2, 1)).toBe(13); // 10 - 3 + 4 + 1 + 1
  });
});

describe('convTranspose1dForward', () => {
  it('computes hand-worked cases', () => {
    // x = [1, 2], w = [1, 1, 1], stride 2: full result [1, 1, 1+2, 2, 2].
    const out = new Float64Array(5);
    convTranspose1dForward(out, Float64Array.from([1, 2]), Float64Array.from([1, 1, 1]), null, 1, 1, 2, 1, 3, 2, 0, 0, 1, 1, 0);
    expect([...out]).toEqual([1, 1, 3, 2, 2]);
    // Same with pads (1, 1) and output padding 1: drop one at each end, then add one back at the end.
    const cropped = new Float64Array(4);
    convTranspose1dForward(cropped, Float64Array.from([1, 2]), Float64Array.from([1, 1, 1]), null, 1, 1, 2, 1, 3, 2, 1, 1, 1, 1, 1);
    expect([...cropped]).toEqual([1, 3, 2, 2]);
    // One input, K = 1, stride 2, output padding 1: the padded position holds only the bias.
    const tail = new Float64Array(2);
    convTranspose1dForward(tail, Float64Array.from([3]), Float64Array.from([2]), Float64Array.from([0.5]), 1, 1, 1, 1, 1, 2, 0, 0, 1, 1, 1);
    expect([...tail]).toEqual([6.5, 0.5]);
  });

  for (const [name, g] of Object.entries(geometries)) {
    it(`matches the gather-form reference: ${name}`, () => {
      const x = randomArray(g.B * g.Ci * g.L, 21);
      const w = randomArray(weightSize(g), 22);
      const bias = randomArray(g.Co, 23);
      const out = new Float64Array(g.B * g.Co * outLength(g)).fill(NaN); // overwritten, not accumulated
      convTranspose1dForward(out, x, w, bias, ...args(g));
      expectClose(out, reference(x, w, bias, g), { rtol: 1e-12, atol: 1e-12 }, name);
    });

    it(`is the adjoint of conv1dForward with the same weights: ${name}`, () => {
      // <convT(x), y> = <x, conv(y)>; conv(y) is longer than x by floor(outputPadding / stride),
      // positions convT never writes to, so only its first L entries pair with x.
      const Lo = outLength(g);
      const x = randomArray(g.B * g.Ci * g.L, 24);
      const w = randomArray(weightSize(g), 25);
      const y = randomArray(g.B * g.Co * Lo, 26);
      const ct = new Float64Array(g.B * g.Co * Lo);
      convTranspose1dForward(ct, x, w, null, ...args(g));
      const Lc = g.L + Math.floor(g.outputPadding / g.stride);
      const cy = new Float64Array(g.B * g.Ci * Lc);
      conv1dForward(cy, y, w, null, g.B, g.Co, Lo, g.Ci, g.K, g.stride, g.padBegin, g.padEnd, g.dilation, g.groups);
      let lhs = 0;
      for (let i = 0; i < ct.length; i++) lhs += ct[i] * y[i];
      let rhs = 0;
      for (let r = 0; r < g.B * g.Ci; r++) for (let i = 0; i < g.L; i++) rhs += x[r * g.L + i] * cy[r * Lc + i];
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(lhs)));
    });
  }
});

describe('convTranspose1dBackward', () => {
  for (const [name, g] of Object.entries(geometries)) {
    it(`matches finite differences for x, weight and bias: ${name}`, () => {
      const Lo = outLength(g);
      const x = randomArray(g.B * g.Ci * g.L, 27);
      const w = randomArray(weightSize(g), 28);
      const bias = randomArray(g.Co, 29);
      const up = randomArray(g.B * g.Co * Lo, 30); // loss = Σ up · out
      const out = new Float64Array(g.B * g.Co * Lo);
      const loss = (): number => {
        convTranspose1dForward(out, x, w, bias, ...args(g));
        let s = 0;
        for (let i = 0; i < out.length; i++) s += up[i] * out[i];
        return s;
      };
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      const db = new Float64Array(bias.length);
      convTranspose1dBackward(dx, dw, db, up, x, w, ...args(g));
      expectGradient(loss, x, dx, 'dx');
      expectGradient(loss, w, dw, 'dWeight');
      expectGradient(loss, bias, db, 'dBias');
    });
  }

  it('accumulates into existing gradients and skips null buffers', () => {
    const g = geometries['stride 2, asymmetric pads (2, 1), dilation 2, groups 2, output padding 1'];
    const x = randomArray(g.B * g.Ci * g.L, 31);
    const w = randomArray(weightSize(g), 32);
    const up = randomArray(g.B * g.Co * outLength(g), 33);
    const fresh = { dx: new Float64Array(x.length), dw: new Float64Array(w.length), db: new Float64Array(g.Co) };
    convTranspose1dBackward(fresh.dx, fresh.dw, fresh.db, up, x, w, ...args(g));
    const dx = new Float64Array(x.length).fill(1);
    const dw = new Float64Array(w.length).fill(1);
    const db = new Float64Array(g.Co).fill(1);
    convTranspose1dBackward(dx, null, null, up, x, w, ...args(g));
    convTranspose1dBackward(null, dw, null, up, x, w, ...args(g));
    convTranspose1dBackward(null, null, db, up, x, w, ...args(g));
    expectClose(dx, fresh.dx.map((v) => v + 1), { rtol: 1e-12, atol: 1e-12 }, 'dx');
    expectClose(dw, fresh.dw.map((v) => v + 1), { rtol: 1e-12, atol: 1e-12 }, 'dWeight');
    expectClose(db, fresh.db.map((v) => v + 1), { rtol: 1e-12, atol: 1e-12 }, 'dBias');
  });
});
