// The one place that knows both LSTM gate orders (principle 6):
//   PyTorch packs the four gate blocks as i, f, g, o; ONNX packs them as i, o, f, c (c = PyTorch's g).
// Each block is H rows of `cols` values (cols = F for input weights, H for recurrent ones, 1 for biases).

import type { FloatArray } from '../tensor.js';

/** For each PyTorch block (i, f, g, o), the ONNX block it comes from. */
const TORCH_FROM_ONNX = [0, 2, 3, 1] as const;

/** dst (PyTorch i,f,g,o) = src (ONNX i,o,f,c), reordered blockwise. */
export function onnxToTorchGates(dst: FloatArray, src: FloatArray, H: number, cols: number): void {
  const block = H * cols;
  for (let j = 0; j < 4; j++) dst.set(src.subarray(TORCH_FROM_ONNX[j] * block, (TORCH_FROM_ONNX[j] + 1) * block), j * block);
}

/** dst (ONNX i,o,f,c) = src (PyTorch i,f,g,o), reordered blockwise; with accumulate, dst += instead. */
export function torchToOnnxGates(dst: FloatArray, src: FloatArray, H: number, cols: number, accumulate = false): void {
  const block = H * cols;
  for (let j = 0; j < 4; j++) {
    const from = j * block;
    const to = TORCH_FROM_ONNX[j] * block;
    if (!accumulate) dst.set(src.subarray(from, from + block), to);
    else for (let k = 0; k < block; k++) dst[to + k] += src[from + k];
  }
}
