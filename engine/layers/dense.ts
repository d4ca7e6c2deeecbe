// Dense (fully connected) layer kernels in PyTorch's nn.Linear layout: y = x·Wᵀ + b with
// weight [O, I] and bias [O], so state dicts and ONNX Gemm(transB=1) load without reshuffling.
// denseBackward ACCUMULATES into whichever gradient buffers it is given (null skips one:
// the first layer of a model has no use for dx). No allocation.

import { biasAddBackward, biasAddForward, matmulForward } from '../kernels/matmul.js';
import type { FloatArray } from '../tensor.js';

export function denseForward(
  out: FloatArray, // [B, O]
  x: FloatArray, // [B, I]
  weight: FloatArray, // [O, I]
  bias: FloatArray | null, // [O]
  B: number,
  I: number,
  O: number,
): void {
  matmulForward(out, x, weight, B, I, O, false, true);
  if (bias) biasAddForward(out, bias, B, O);
}

export function denseBackward(
  dx: FloatArray | null, // [B, I]  += dOut·W
  dWeight: FloatArray | null, // [O, I]  += dOutᵀ·x
  dBias: FloatArray | null, // [O]     += Σ_b dOut
  dOut: FloatArray, // [B, O]
  x: FloatArray, // [B, I]  the forward input
  weight: FloatArray, // [O, I]
  B: number,
  I: number,
  O: number,
): void {
  if (dx) matmulForward(dx, dOut, weight, B, O, I, false, false, true);
  if (dWeight) matmulForward(dWeight, dOut, x, O, B, I, true, false, true);
  if (dBias) biasAddBackward(dBias, dOut, B, O);
}
