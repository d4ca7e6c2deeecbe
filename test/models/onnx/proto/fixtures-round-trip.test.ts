// Every PyTorch fixture model (discovered by listing the fixtures folder) survives decode → encode →
// decode unchanged, re-encodes to the very bytes PyTorch wrote, and onnxruntime gives the same outputs
// for the re-encoded bytes as for the original file, also after we edit metadata and re-encode.

import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, type OnnxModel } from '../../../../models/onnx/proto/index.js';
import { fromNested } from '../../../../engine/tensor.js';
import { loadTorchCases } from '../../../helpers/torch-cases.js';

const cases = loadTorchCases();

async function run(bytes: Uint8Array, input: unknown): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const x = fromNested(input);
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]) };
    const out = (await session.run(feeds))[session.outputNames[0]];
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

describe('fixture models round-trip', () => {
  it('finds the fixture cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3);
  });

  for (const c of cases) {
    describe(c.name, () => {
      const original = new Uint8Array(readFileSync(c.onnxPath));

      it('decode → encode → decode gives an identical model, and the bytes PyTorch wrote', () => {
        const model = decodeModel(original);
        const bytes = encodeModel(model);
        expect(decodeModel(bytes)).toEqual(model);
        expect(Buffer.from(bytes).equals(Buffer.from(original))).toBe(true);
        expect(model.graph.initializer.length).toBeGreaterThan(0);
        for (const t of model.graph.initializer) expect(t.data).toBeInstanceOf(Float32Array);
      });

      it('onnxruntime gives the same outputs for the re-encoded bytes as for the original', async () => {
        const reencoded = encodeModel(decodeModel(original));
        const want = await run(original, c.json.input);
        const got = await run(reencoded, c.json.input);
        expect(got.dims).toEqual(want.dims);
        expect([...got.data]).toEqual([...want.data]);
        // And both agree with PyTorch (float32: about 1e-5 relative).
        const torch = fromNested(c.json.output).data;
        for (let i = 0; i < torch.length; i++) expect(Math.abs(got.data[i] - torch[i])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(torch[i]));
      });

      it('onnxruntime accepts an edited model (metadata, producer) after re-encoding', async () => {
        const model: OnnxModel = decodeModel(original);
        model.producerName = 'vigil';
        model.producerVersion = '0.1.0';
        model.docString = 'round-tripped by Vigil';
        model.metadataProps.push({ key: 'vigil.detector', value: c.name }, { key: 'ünïcode', value: '✓' });
        const bytes = encodeModel(model);
        const back = decodeModel(bytes);
        expect(back.metadataProps.slice(-2)).toEqual([{ key: 'vigil.detector', value: c.name }, { key: 'ünïcode', value: '✓' }]);
        const session = await ort.InferenceSession.create(bytes);
        await session.release();
        const want = await run(original, c.json.input);
        const got = await run(bytes, c.json.input);
        expect([...got.data]).toEqual([...want.data]);
      });
    });
  }
});
