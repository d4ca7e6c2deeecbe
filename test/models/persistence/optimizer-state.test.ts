import { describe, expect, it } from 'vitest';
import { ModelFileError, decodeOptimizerState, encodeOptimizerState } from '../../../models/persistence/index.js';

const state = {
  kind: 'adam' as const, stepCount: 3, lr: 0.01,
  buffers: { expAvg: [Math.fround(0.1), -0, Math.fround(1e-30)], expAvgSq: [0.1, 1 / 3, 5e-324] },
};
const hash = 'ab'.repeat(32);

describe('optimizer state sidecar', () => {
  it('round-trips exactly, float32 buffers stored as f32 and others as f64', () => {
    const bytes = encodeOptimizerState(state, hash);
    const back = decodeOptimizerState(bytes, 'm.onnx.state');
    expect(back.modelSha256).toBe(hash);
    expect(back.state).toEqual(state);
    expect(Object.is(back.state.buffers.expAvg[1], -0)).toBe(true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + new DataView(bytes.buffer).getUint32(8, true))));
    expect(header.buffers.map((b: { dtype: string }) => b.dtype)).toEqual(['f32', 'f64']);
  });

  it('every truncation and every flipped byte is refused, naming the file', () => {
    const bytes = encodeOptimizerState(state, hash);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => decodeOptimizerState(bytes.subarray(0, n), 'm.onnx.state')).toThrow(ModelFileError);
    }
    for (let i = 0; i < bytes.length; i++) {
      const copy = Uint8Array.from(bytes);
      copy[i] ^= 0x04;
      expect(() => decodeOptimizerState(copy, 'm.onnx.state')).toThrow(/^m\.onnx\.state: .*delete it to restart fine-tuning/);
    }
    expect(() => decodeOptimizerState(new TextEncoder().encode('{"kind":"adam"}'), 'x.state')).toThrow(/x\.state: not a Vigil optimizer state file/);
  });
});
