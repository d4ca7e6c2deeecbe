// Conv2d and ConvTranspose2d (PyTorch nn.Conv2d / nn.ConvTranspose2d, ONNX Conv / ConvTranspose over two
// spatial axes), channels-first NCHW, zero padding, per-axis stride, pads and dilation, groups. Each is
// the 1D definition (conv1d.ts, conv-transpose1d.ts) applied on both axes at once:
//   conv:  out[b, co, oh, ow] = bias[co] + Σ_c Σ_kh Σ_kw weight[co, c, kh, kw] · x[b, g·Ci/groups + c, oh·sH + kh·dH - pbH, ow·sW + kw·dW - pbW]
//   convT: out[b, co, ih·sH + kh·dH - pbH, iw·sW + kw·dW - pbW] += weight[ci, co - g·Co/groups, kh, kw] · x[b, ci, ih, iw]
// ONNX order: pads [beginH, beginW, endH, endW]. Keras Conv1D exported by tf2onnx arrives as this Conv
// with H = 1 and kernel [1, k]; the loops then degenerate to the 1D ones.
// Sizes travel in one geometry object (sixteen numbers positionally would invite swapped axes); the
// caller validates it once (output sizes ≥ 1, channels divisible by groups). Loops walk weight taps
// with the innermost loop over a row (W axis), no allocation; backward ACCUMULATES (null skips a buffer).

import type { FloatArray } from '../tensor.js';
import { conv1dOutputLength, tapBegin, tapEnd } from './conv1d.js';
import { convTranspose1dOutputLength } from './conv-transpose1d.js';

export interface Conv2dGeometry {
  readonly B: number;
  readonly Ci: number;
  readonly H: number;
  readonly W: number;
  readonly Co: number;
  readonly KH: number;
  readonly KW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padBeginH: number;
  readonly padBeginW: number;
  readonly padEndH: number;
  readonly padEndW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly groups: number;
}

export interface ConvTranspose2dGeometry extends Conv2dGeometry {
  readonly outputPaddingH: number;
  readonly outputPaddingW: number;
}

/** [Ho, Wo] of a Conv2d. */
export function conv2dOutputSize(g: Conv2dGeometry): [number, number] {
  return [
    conv1dOutputLength(g.H, g.KH, g.strideH, g.padBeginH, g.padEndH, g.dilationH),
    conv1dOutputLength(g.W, g.KW, g.strideW, g.padBeginW, g.padEndW, g.dilationW),
  ];
}

/** [Ho, Wo] of a ConvTranspose2d. */
export function convTranspose2dOutputSize(g: ConvTranspose2dGeometry): [number, number] {
  return [
    convTranspose1dOutputLength(g.H, g.KH, g.strideH, g.padBeginH, g.padEndH, g.dilationH, g.outputPaddingH),
    convTranspose1dOutputLength(g.W, g.KW, g.strideW, g.padBeginW, g.padEndW, g.dilationW, g.outputPaddingW),
  ];
}

export function conv2dForward(
  out: FloatArray, // [B, Co, Ho, Wo]
  x: FloatArray, // [B, Ci, H, W]
  weight: FloatArray, // [Co, Ci/groups, KH, KW]
  bias: FloatArray | null, // [Co]
  g: Conv2dGeometry,
): void {
  const { B, Ci, H, W, Co, KH, KW, strideH, strideW, padBeginH, padBeginW, dilationH, dilationW, groups } = g;
  const Ho = conv1dOutputLength(H, KH, strideH, padBeginH, g.padEndH, dilationH);
  const Wo = conv1dOutputLength(W, KW, strideW, padBeginW, g.padEndW, dilationW);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    for (let co = 0; co < Co; co++) {
      const oPlane = (b * Co + co) * Ho * Wo;
      out.fill(bias === null ? 0 : bias[co], oPlane, oPlane + Ho * Wo);
      const xGroup = (b * Ci + Math.floor(co / Cog) * Cig) * H * W;
      for (let c = 0; c < Cig; c++) {
        const xPlane = xGroup + c * H * W;
        const wPlane = (co * Cig + c) * KH * KW;
        for (let kh = 0; kh < KH; kh++) {
          const offH = kh * dilationH - padBeginH;
          const oh0 = tapBegin(offH, strideH);
          const oh1 = tapEnd(offH, strideH, H, Ho);
          for (let kw = 0; kw < KW; kw++) {
            const w = weight[wPlane + kh * KW + kw];
            const offW = kw * dilationW - padBeginW;
            const ow0 = tapBegin(offW, strideW);
            const ow1 = tapEnd(offW, strideW, W, Wo);
            for (let oh = oh0; oh < oh1; oh++) {
              const oRow = oPlane + oh * Wo;
              let xi = xPlane + (oh * strideH + offH) * W + ow0 * strideW + offW;
              for (let ow = ow0; ow < ow1; ow++, xi += strideW) out[oRow + ow] += w * x[xi];
            }
          }
        }
      }
    }
  }
}

export function conv2dBackward(
  dx: FloatArray | null, // [B, Ci, H, W]              += ∂loss/∂x
  dWeight: FloatArray | null, // [Co, Ci/groups, KH, KW] += ∂loss/∂weight
  dBias: FloatArray | null, // [Co]                    += ∂loss/∂bias
  dOut: FloatArray, // [B, Co, Ho, Wo]
  x: FloatArray, // [B, Ci, H, W] (read only for dWeight)
  weight: FloatArray, // [Co, Ci/groups, KH, KW] (read only for dx)
  g: Conv2dGeometry,
): void {
  const { B, Ci, H, W, Co, KH, KW, strideH, strideW, padBeginH, padBeginW, dilationH, dilationW, groups } = g;
  const Ho = conv1dOutputLength(H, KH, strideH, padBeginH, g.padEndH, dilationH);
  const Wo = conv1dOutputLength(W, KW, strideW, padBeginW, g.padEndW, dilationW);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    for (let co = 0; co < Co; co++) {
      const oPlane = (b * Co + co) * Ho * Wo;
      if (dBias !== null) {
        let s = 0;
        for (let j = 0; j < Ho * Wo; j++) s += dOut[oPlane + j];
        dBias[co] += s;
      }
      const xGroup = (b * Ci + Math.floor(co / Cog) * Cig) * H * W;
      for (let c = 0; c < Cig; c++) {
        const xPlane = xGroup + c * H * W;
        const wPlane = (co * Cig + c) * KH * KW;
        for (let kh = 0; kh < KH; kh++) {
          const offH = kh * dilationH - padBeginH;
          const oh0 = tapBegin(offH, strideH);
          const oh1 = tapEnd(offH, strideH, H, Ho);
          for (let kw = 0; kw < KW; kw++) {
            const wi = wPlane + kh * KW + kw;
            const w = weight[wi];
            const offW = kw * dilationW - padBeginW;
            const ow0 = tapBegin(offW, strideW);
            const ow1 = tapEnd(offW, strideW, W, Wo);
            let s = 0;
            for (let oh = oh0; oh < oh1; oh++) {
              const oRow = oPlane + oh * Wo;
              const xi0 = xPlane + (oh * strideH + offH) * W + ow0 * strideW + offW;
              if (dx !== null) for (let ow = ow0, xi = xi0; ow < ow1; ow++, xi += strideW) dx[xi] += w * dOut[oRow + ow];
              if (dWeight !== null) for (let ow = ow0, xi = xi0; ow < ow1; ow++, xi += strideW) s += dOut[oRow + ow] * x[xi];
            }
            if (dWeight !== null) dWeight[wi] += s;
          }
        }
      }
    }
  }
}

export function convTranspose2dForward(
  out: FloatArray, // [B, Co, Ho, Wo]
  x: FloatArray, // [B, Ci, H, W]
  weight: FloatArray, // [Ci, Co/groups, KH, KW]
  bias: FloatArray | null, // [Co]
  g: ConvTranspose2dGeometry,
): void {
  const { B, Ci, H, W, Co, KH, KW, strideH, strideW, padBeginH, padBeginW, dilationH, dilationW, groups } = g;
  const Ho = convTranspose1dOutputLength(H, KH, strideH, padBeginH, g.padEndH, dilationH, g.outputPaddingH);
  const Wo = convTranspose1dOutputLength(W, KW, strideW, padBeginW, g.padEndW, dilationW, g.outputPaddingW);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    const oBatch = b * Co * Ho * Wo;
    for (let co = 0; co < Co; co++) out.fill(bias === null ? 0 : bias[co], oBatch + co * Ho * Wo, oBatch + (co + 1) * Ho * Wo);
    for (let ci = 0; ci < Ci; ci++) {
      const xPlane = (b * Ci + ci) * H * W;
      const oGroup = oBatch + Math.floor(ci / Cig) * Cog * Ho * Wo;
      for (let c = 0; c < Cog; c++) {
        const oPlane = oGroup + c * Ho * Wo;
        const wPlane = (ci * Cog + c) * KH * KW;
        for (let kh = 0; kh < KH; kh++) {
          const offH = kh * dilationH - padBeginH;
          const ih0 = tapBegin(offH, strideH);
          const ih1 = tapEnd(offH, strideH, Ho, H);
          for (let kw = 0; kw < KW; kw++) {
            const w = weight[wPlane + kh * KW + kw];
            const offW = kw * dilationW - padBeginW;
            const iw0 = tapBegin(offW, strideW);
            const iw1 = tapEnd(offW, strideW, Wo, W);
            for (let ih = ih0; ih < ih1; ih++) {
              const xRow = xPlane + ih * W;
              let oi = oPlane + (ih * strideH + offH) * Wo + iw0 * strideW + offW;
              for (let iw = iw0; iw < iw1; iw++, oi += strideW) out[oi] += w * x[xRow + iw];
            }
          }
        }
      }
    }
  }
}

export function convTranspose2dBackward(
  dx: FloatArray | null, // [B, Ci, H, W]              += ∂loss/∂x
  dWeight: FloatArray | null, // [Ci, Co/groups, KH, KW] += ∂loss/∂weight
  dBias: FloatArray | null, // [Co]                    += ∂loss/∂bias
  dOut: FloatArray, // [B, Co, Ho, Wo]
  x: FloatArray, // [B, Ci, H, W] (read only for dWeight)
  weight: FloatArray, // [Ci, Co/groups, KH, KW] (read only for dx)
  g: ConvTranspose2dGeometry,
): void {
  const { B, Ci, H, W, Co, KH, KW, strideH, strideW, padBeginH, padBeginW, dilationH, dilationW, groups } = g;
  const Ho = convTranspose1dOutputLength(H, KH, strideH, padBeginH, g.padEndH, dilationH, g.outputPaddingH);
  const Wo = convTranspose1dOutputLength(W, KW, strideW, padBeginW, g.padEndW, dilationW, g.outputPaddingW);
  const Cig = Ci / groups;
  const Cog = Co / groups;
  for (let b = 0; b < B; b++) {
    const oBatch = b * Co * Ho * Wo;
    if (dBias !== null) {
      for (let co = 0; co < Co; co++) {
        const oPlane = oBatch + co * Ho * Wo;
        let s = 0;
        for (let j = 0; j < Ho * Wo; j++) s += dOut[oPlane + j];
        dBias[co] += s;
      }
    }
    for (let ci = 0; ci < Ci; ci++) {
      const xPlane = (b * Ci + ci) * H * W;
      const oGroup = oBatch + Math.floor(ci / Cig) * Cog * Ho * Wo;
      for (let c = 0; c < Cog; c++) {
        const oPlane = oGroup + c * Ho * Wo;
        const wPlane = (ci * Cog + c) * KH * KW;
        for (let kh = 0; kh < KH; kh++) {
          const offH = kh * dilationH - padBeginH;
          const ih0 = tapBegin(offH, strideH);
          const ih1 = tapEnd(offH, strideH, Ho, H);
          for (let kw = 0; kw < KW; kw++) {
            const wi = wPlane + kh * KW + kw;
            const w = weight[wi];
            const offW = kw * dilationW - padBeginW;
            const iw0 = tapBegin(offW, strideW);
            const iw1 = tapEnd(offW, strideW, Wo, W);
            let s = 0;
            for (let ih = ih0; ih < ih1; ih++) {
              const xRow = xPlane + ih * W;
              const oi0 = oPlane + (ih * strideH + offH) * Wo + iw0 * strideW + offW;
              if (dx !== null) for (let iw = iw0, oi = oi0; iw < iw1; iw++, oi += strideW) dx[xRow + iw] += w * dOut[oi];
              if (dWeight !== null) for (let iw = iw0, oi = oi0; iw < iw1; iw++, oi += strideW) s += x[xRow + iw] * dOut[oi];
            }
            if (dWeight !== null) dWeight[wi] += s;
          }
        }
      }
    }
  }
}
