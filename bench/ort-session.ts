// onnxruntime-node sessions for the bench, made from an engine Graph the way a user would ship it:
// exportOnnx + encodeModel. `threads: 1` pins intra-op parallelism to one thread (the per-core
// comparison with the single-threaded engine); `threads: 'default'` leaves ORT's own choice.

import * as ort from 'onnxruntime-node';
import type { Graph } from '../engine/graph/graph.js';
import type { FloatTensor } from '../engine/tensor.js';
import { exportOnnx } from '../models/onnx/export.js';
import { encodeModel } from '../models/onnx/proto/index.js';

export type OrtThreads = 1 | 'default';

export interface OrtRunner {
  /** One inference on the prepared feeds (fetching every graph output); resolves to the first output's data. */
  run(): Promise<Float32Array>;
  release(): Promise<void>;
}

export async function openOrt(graph: Graph, feeds: Readonly<Record<string, FloatTensor>>, threads: OrtThreads): Promise<OrtRunner> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(threads === 1 ? { intraOpNumThreads: 1 } : {}),
  };
  const session = await ort.InferenceSession.create(encodeModel(exportOnnx(graph)), options);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', Float32Array.from(t.data), [...t.shape]);
  const fetches = graph.outputs.map((o) => o.name);
  const first = fetches[0];
  return {
    run: async () => (await session.run(ortFeeds, fetches))[first].data as Float32Array,
    release: () => session.release(),
  };
}

export function ortVersion(): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? '?';
}

/** Largest |a - b| / (1 + |b|): a sanity check that both sides compute the same thing. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return m;
}
