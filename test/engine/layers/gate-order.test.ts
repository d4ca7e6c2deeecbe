import { describe, expect, it } from 'vitest';
import { onnxToTorchGates, torchToOnnxGates } from '../../../engine/layers/lstm-gates.js';

describe('LSTM gate order PyTorch (i,f,g,o) ⇄ ONNX (i,o,f,c)', () => {
  it('moves whole blocks to the right place', () => {
    // H = 1, cols = 2: ONNX blocks i=[1,1], o=[2,2], f=[3,3], c=[4,4].
    const onnx = Float64Array.from([1, 1, 2, 2, 3, 3, 4, 4]);
    const torch = new Float64Array(8);
    onnxToTorchGates(torch, onnx, 1, 2);
    expect(Array.from(torch)).toEqual([1, 1, 3, 3, 4, 4, 2, 2]); // i, f, g(=c), o
    const back = new Float64Array(8);
    torchToOnnxGates(back, torch, 1, 2);
    expect(Array.from(back)).toEqual(Array.from(onnx));
    torchToOnnxGates(back, torch, 1, 2, true);
    expect(Array.from(back)).toEqual(Array.from(onnx, (v) => 2 * v));
  });
});
