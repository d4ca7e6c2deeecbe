import { describe, expect, it } from 'vitest';
import { conv1dBackward, conv1dForward } from '../../../engine/layers/conv1d.js';
import { convTranspose1dBackward, convTranspose1dForward } from '../../../engine/layers/conv-transpose1d.js';
import {
  type Conv2dGeometry,
  type ConvTranspose2dGeometry,
  conv2dBackward,
  conv2dForward,
  conv2dOutputSize,
  convTranspose2dBackward,
  convTranspose2dForward,
  convTranspose2dOutputSize,
} from '../../../engine/layers/conv2d.js';
import { expectClose, expectGradient, randomArray } from '../../helpers/gradcheck.js';

const exact = { rtol: 1e-12, atol: 1e-12 };

function geometry(over: Partial<ConvTranspose2dGeometry>): ConvTranspose2dGeometry {
  return {
    B: 1, Ci: 1, H: 1, W: 1, Co: 1, KH: 1, KW: 1, strideH: 1, strideW: 1, padBeginH: 0, padBeginW: 0,
    padEndH: 0, padEndW: 0, dilationH: 1, dilationW: 1, groups: 1, outputPaddingH: 0, outputPaddingW: 0, ...over,
  };
}

/** Conv2d from the definition: materialise the zero-padded input, one explicit sum per output. */
function convReference(x: Float64Array, w: Float64Array, bias: Float64Array | null, g: Conv2dGeometry): Float64Array {
  const Hp = g.padBeginH + g.H + g.padEndH;
  const Wp = g.padBeginW + g.W + g.padEndW;
  const padded = new Float64Array(g.B * g.Ci * Hp * Wp);
  for (let p = 0; p < g.B * g.Ci; p++)
    for (let h = 0; h < g.H; h++)
      for (let v = 0; v < g.W; v++) padded[(p * Hp + g.padBeginH + h) * Wp + g.padBeginW + v] = x[(p * g.H + h) * g.W + v];
  const Ho = Math.floor((Hp - g.dilationH * (g.KH - 1) - 1) / g.strideH) + 1;
  const Wo = Math.floor((Wp - g.dilationW * (g.KW - 1) - 1) / g.strideW) + 1;
  const Cig = g.Ci / g.groups;
  const Cog = g.Co / g.groups;
  const out = new Float64Array(g.B * g.Co * Ho * Wo);
  for (let b = 0; b < g.B; b++)
    for (let co = 0; co < g.Co; co++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          let s = bias ? bias[co] : 0;
          for (let c = 0; c < Cig; c++) {
            const plane = (b * g.Ci + Math.floor(co / Cog) * Cig + c) * Hp;
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++)
                s += w[((co * Cig + c) * g.KH + kh) * g.KW + kw] *
                  padded[(plane + oh * g.strideH + kh * g.dilationH) * Wp + ow * g.strideW + kw * g.dilationW];
          }
          out[((b * g.Co + co) * Ho + oh) * Wo + ow] = s;
        }
  return out;
}

/** ConvTranspose2d in gather form: output (oh, ow) collects x[ih, iw]·w[kh, kw] wherever ih·sH + kh·dH = oh + pbH (and likewise on W). */
function convTransposeReference(x: Float64Array, w: Float64Array, bias: Float64Array | null, g: ConvTranspose2dGeometry): Float64Array {
  const [Ho, Wo] = convTranspose2dOutputSize(g);
  const Cig = g.Ci / g.groups;
  const Cog = g.Co / g.groups;
  const source = (o: number, pad: number, k: number, dil: number, stride: number, n: number): number => {
    const t = o + pad - k * dil;
    return t % stride === 0 && t >= 0 && t / stride < n ? t / stride : -1;
  };
  const out = new Float64Array(g.B * g.Co * Ho * Wo);
  for (let b = 0; b < g.B; b++)
    for (let co = 0; co < g.Co; co++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          let s = bias ? bias[co] : 0;
          const group = Math.floor(co / Cog);
          for (let c = 0; c < Cig; c++) {
            const ci = group * Cig + c;
            for (let kh = 0; kh < g.KH; kh++) {
              const ih = source(oh, g.padBeginH, kh, g.dilationH, g.strideH, g.H);
              if (ih < 0) continue;
              for (let kw = 0; kw < g.KW; kw++) {
                const iw = source(ow, g.padBeginW, kw, g.dilationW, g.strideW, g.W);
                if (iw < 0) continue;
                s += w[((ci * Cog + co - group * Cog) * g.KH + kh) * g.KW + kw] * x[((b * g.Ci + ci) * g.H + ih) * g.W + iw];
              }
            }
          }
          out[((b * g.Co + co) * Ho + oh) * Wo + ow] = s;
        }
  return out;
}

// Every axis parameter differs between H and W, so a swapped axis cannot pass.
const geometries: Record<string, ConvTranspose2dGeometry> = {
  'plain 3×3': geometry({ B: 1, Ci: 2, H: 5, W: 6, Co: 3, KH: 3, KW: 3 }),
  'per-axis stride (2,1), pads (1,2 | 0,1), dilation (1,2), groups 2, output padding (1,0)': geometry({
    B: 2, Ci: 4, H: 7, W: 8, Co: 6, KH: 3, KW: 2, strideH: 2, strideW: 1, padBeginH: 1, padBeginW: 2, padEndH: 0, padEndW: 1,
    dilationH: 1, dilationW: 2, groups: 2, outputPaddingH: 1, outputPaddingW: 0,
  }),
  'the same with axes swapped (output padding (0,1))': geometry({
    B: 1, Ci: 4, H: 8, W: 7, Co: 2, KH: 2, KW: 3, strideH: 1, strideW: 2, padBeginH: 2, padBeginW: 1, padEndH: 1, padEndW: 0,
    dilationH: 2, dilationW: 1, groups: 2, outputPaddingH: 0, outputPaddingW: 1,
  }),
  'Keras Conv1D via tf2onnx: H = 1, kernel [1, 5], stride (1,2), SAME-like pads (0,2 | 0,2)': geometry({
    B: 2, Ci: 3, H: 1, W: 16, Co: 4, KH: 1, KW: 5, strideW: 2, padBeginW: 2, padEndW: 2, outputPaddingW: 1,
  }),
};

describe('conv2dForward', () => {
  it('computes a hand-worked 2×2 box sum', () => {
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 3×3
    const out = new Float64Array(4);
    conv2dForward(out, x, Float64Array.from([1, 1, 1, 1]), Float64Array.from([0.5]), geometry({ H: 3, W: 3, KH: 2, KW: 2 }));
    expect([...out]).toEqual([12.5, 16.5, 24.5, 28.5]);
  });

  for (const [name, g] of Object.entries(geometries)) {
    it(`matches the padded-input reference: ${name}`, () => {
      const [Ho, Wo] = conv2dOutputSize(g);
      const x = randomArray(g.B * g.Ci * g.H * g.W, 41);
      const w = randomArray(g.Co * (g.Ci / g.groups) * g.KH * g.KW, 42);
      const bias = randomArray(g.Co, 43);
      const out = new Float64Array(g.B * g.Co * Ho * Wo).fill(NaN);
      conv2dForward(out, x, w, bias, g);
      expectClose(out, convReference(x, w, bias, g), exact, name);
    });
  }

  it('equals conv1d on a [1, k] kernel over H = 1, forward and backward (the tf2onnx Conv1D path)', () => {
    const g = geometries['Keras Conv1D via tf2onnx: H = 1, kernel [1, 5], stride (1,2), SAME-like pads (0,2 | 0,2)'];
    const [, Wo] = conv2dOutputSize(g);
    const x = randomArray(g.B * g.Ci * g.W, 44);
    const w = randomArray(g.Co * g.Ci * g.KW, 45);
    const bias = randomArray(g.Co, 46);
    const up = randomArray(g.B * g.Co * Wo, 47);
    const sizes = [g.B, g.Ci, g.W, g.Co, g.KW, g.strideW, g.padBeginW, g.padEndW, g.dilationW, g.groups] as const;
    const [o1, o2] = [new Float64Array(up.length), new Float64Array(up.length)];
    conv1dForward(o1, x, w, bias, ...sizes);
    conv2dForward(o2, x, w, bias, g);
    expectClose(o2, o1, exact, 'out');
    const d1 = [new Float64Array(x.length), new Float64Array(w.length), new Float64Array(g.Co)] as const;
    const d2 = [new Float64Array(x.length), new Float64Array(w.length), new Float64Array(g.Co)] as const;
    conv1dBackward(...d1, up, x, w, ...sizes);
    conv2dBackward(...d2, up, x, w, g);
    for (let i = 0; i < 3; i++) expectClose(d2[i], d1[i], exact, ['dx', 'dWeight', 'dBias'][i]);
  });
});

describe('convTranspose2dForward', () => {
  it('computes a hand-worked stride-2 upsampling with a 2×2 kernel of ones', () => {
    const out = new Float64Array(16);
    convTranspose2dForward(out, Float64Array.from([1, 2, 3, 4]), Float64Array.from([1, 1, 1, 1]), null,
      geometry({ H: 2, W: 2, KH: 2, KW: 2, strideH: 2, strideW: 2 }));
    expect([...out]).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  for (const [name, g] of Object.entries(geometries)) {
    it(`matches the gather-form reference: ${name}`, () => {
      const [Ho, Wo] = convTranspose2dOutputSize(g);
      const x = randomArray(g.B * g.Ci * g.H * g.W, 51);
      const w = randomArray(g.Ci * (g.Co / g.groups) * g.KH * g.KW, 52);
      const bias = randomArray(g.Co, 53);
      const out = new Float64Array(g.B * g.Co * Ho * Wo).fill(NaN);
      convTranspose2dForward(out, x, w, bias, g);
      expectClose(out, convTransposeReference(x, w, bias, g), exact, name);
    });

    it(`is the adjoint of conv2dForward with the same weights: ${name}`, () => {
      // Here every output padding is below its stride, so conv maps the transposed output back to [H, W].
      const [Ho, Wo] = convTranspose2dOutputSize(g);
      const x = randomArray(g.B * g.Ci * g.H * g.W, 54);
      const w = randomArray(g.Ci * (g.Co / g.groups) * g.KH * g.KW, 55);
      const y = randomArray(g.B * g.Co * Ho * Wo, 56);
      const ct = new Float64Array(y.length);
      convTranspose2dForward(ct, x, w, null, g);
      const back: Conv2dGeometry = { ...g, Ci: g.Co, H: Ho, W: Wo, Co: g.Ci };
      expect(conv2dOutputSize(back)).toEqual([g.H, g.W]);
      const cy = new Float64Array(x.length);
      conv2dForward(cy, y, w, null, back);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < y.length; i++) lhs += ct[i] * y[i];
      for (let i = 0; i < x.length; i++) rhs += x[i] * cy[i];
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(lhs)));
    });
  }

  it('equals convTranspose1d on a [1, k] kernel over H = 1, forward and backward', () => {
    const g = { ...geometries['Keras Conv1D via tf2onnx: H = 1, kernel [1, 5], stride (1,2), SAME-like pads (0,2 | 0,2)'], Ci: 4, Co: 3 };
    const [, Wo] = convTranspose2dOutputSize(g);
    const x = randomArray(g.B * g.Ci * g.W, 57);
    const w = randomArray(g.Ci * g.Co * g.KW, 58);
    const bias = randomArray(g.Co, 59);
    const up = randomArray(g.B * g.Co * Wo, 60);
    const sizes = [g.B, g.Ci, g.W, g.Co, g.KW, g.strideW, g.padBeginW, g.padEndW, g.dilationW, g.groups, g.outputPaddingW] as const;
    const [o1, o2] = [new Float64Array(up.length), new Float64Array(up.length)];
    convTranspose1dForward(o1, x, w, bias, ...sizes);
    convTranspose2dForward(o2, x, w, bias, g);
    expectClose(o2, o1, exact, 'out');
    const d1 = [new Float64Array(x.length), new Float64Array(w.length), new Float64Array(g.Co)] as const;
    const d2 = [new Float64Array(x.length), new Float64Array(w.length), new Float64Array(g.Co)] as const;
    convTranspose1dBackward(...d1, up, x, w, ...sizes);
    convTranspose2dBackward(...d2, up, x, w, g);
    for (let i = 0; i < 3; i++) expectClose(d2[i], d1[i], exact, ['dx', 'dWeight', 'dBias'][i]);
  });
});

describe('2D backward', () => {
  for (const [name, g] of Object.entries(geometries)) {
    for (const transposed of [false, true]) {
      const op = transposed ? 'convTranspose2d' : 'conv2d';
      it(`${op} matches finite differences for x, weight and bias: ${name}`, () => {
        const [Ho, Wo] = transposed ? convTranspose2dOutputSize(g) : conv2dOutputSize(g);
        const x = randomArray(g.B * g.Ci * g.H * g.W, 61);
        const w = randomArray(g.Ci * g.Co / g.groups * g.KH * g.KW, 62);
        const bias = randomArray(g.Co, 63);
        const up = randomArray(g.B * g.Co * Ho * Wo, 64); // loss = Σ up · out
        const out = new Float64Array(up.length);
        const loss = (): number => {
          if (transposed) convTranspose2dForward(out, x, w, bias, g);
          else conv2dForward(out, x, w, bias, g);
          let s = 0;
          for (let i = 0; i < out.length; i++) s += up[i] * out[i];
          return s;
        };
        // Pre-filled with ones: backward must add, not overwrite.
        const dx = new Float64Array(x.length).fill(1);
        const dw = new Float64Array(w.length).fill(1);
        const db = new Float64Array(bias.length).fill(1);
        if (transposed) convTranspose2dBackward(dx, dw, db, up, x, w, g);
        else conv2dBackward(dx, dw, db, up, x, w, g);
        const minusOne = (a: Float64Array): Float64Array => a.map((v) => v - 1);
        expectGradient(loss, x, minusOne(dx), 'dx');
        expectGradient(loss, w, minusOne(dw), 'dWeight');
        expectGradient(loss, bias, minusOne(db), 'dBias');
      });
    }
  }
});
