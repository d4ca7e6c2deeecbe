// onnxruntime-node as the independent reference runtime in tests.

import * as ort from 'onnxruntime-node';
import type { Tensor } from '../../engine/tensor.js';

export async function runOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, { dims: readonly number[]; data: Float32Array | BigInt64Array }>> {
  const session = await ort.InferenceSession.create(bytes);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) {
    ortFeeds[name] = t.dtype === 'float32'
      ? new ort.Tensor('float32', Float32Array.from(t.data), [...t.shape])
      : new ort.Tensor('int64', BigInt64Array.from(Array.from(t.data, (v) => BigInt(v))), [...t.shape]);
  }
  const out = await session.run(ortFeeds);
  const result: Record<string, { dims: readonly number[]; data: Float32Array | BigInt64Array }> = {};
  for (const [name, t] of Object.entries(out)) result[name] = { dims: t.dims, data: t.data as Float32Array | BigInt64Array };
  await session.release();
  return result;
}
