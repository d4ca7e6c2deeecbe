import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../../models/onnx/proto/index.js';
import { saveModel } from '../../../models/persistence/index.js';
import { loadTorchCases } from '../../helpers/torch-cases.js';
import { forecasterParts } from '../../models/persistence/parts.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'pump.onnx');
beforeAll(async () => {
  await saveModel(model, forecasterParts());
});

describe('vigil inspect', () => {
  it('a foreign ONNX file: ops, inputs, outputs and parameter counts', async () => {
    const dense = loadTorchCases().find((c) => c.name === 'dense_ae_relu_24_16_4')!;
    const r = await runCli(['inspect', dense.onnxPath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nodes: +7 \(Gemm ×4, Relu ×3\)/);
    expect(r.stdout).toMatch(/input +FLOAT \[batch, 24\]/);
    expect(r.stdout).toMatch(/output +FLOAT \[batch, 24\]/);
    expect(r.stdout).toMatch(/8 tensors, 956 parameters/);
    expect(r.stdout).toMatch(/Vigil engine: runs it; 956 trainable parameters/);
    expect(r.stdout).toMatch(/Vigil detector: none \(a foreign ONNX model/);
  });

  it('a Vigil model: its metadata decoded, per channel; --json for machines', async () => {
    const [text, json] = await Promise.all([runCli(['inspect', model]), runCli(['inspect', '--json', model])]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/LSTM/);
    expect(text.stdout).toMatch(/Vigil engine: runs it; 1,395 trainable parameters/);
    expect(text.stdout).toMatch(/name: +pump-7, version 1\.4/);
    expect(text.stdout).toMatch(/architecture: +lstm-forecaster \(forecaster: predicts 1 sample from the 20 before\)/);
    expect(text.stdout).toMatch(/window: +21 samples × 3 channels/);
    expect(text.stdout).toMatch(/quantiles: +p50 0\.28 +p90 0\.49 +p95 0\.58 +p99 0\.8 +p99\.9 1\.1 +max 1\.3/);
    expect(text.stdout).toMatch(/vibration +0\.3 +0\.001 +0\.4 +0\.2/);
    expect(text.stdout).toMatch(/optimizer state: adam, 17 steps, lr 0\.001/);
    expect(text.stdout).not.toMatch(/vigil\.meta =/); // decoded, not dumped
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.vigil.meta).toEqual(forecasterParts().meta);
    expect(report.engine).toEqual({ runnable: true, trainableParameters: 1395 });
    expect(report.onnx.opCounts.LSTM).toBe(1);
    expect(report.onnx.parameterCount).toBe(1395);
    expect(report.signature).toBeNull();
  });

  it('invalid Vigil metadata is reported, then exit code 2', async () => {
    const m = decodeModel(readFileSync(model));
    m.metadataProps = m.metadataProps.map((e) => (e.key === 'vigil.meta' ? { key: e.key, value: e.value.replace('"windowSize":21', '"windowSize":"21"') } : e));
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, encodeModel(m));
    const r = await runCli(['inspect', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Vigil detector: INVALID metadata: vigil\.meta\.windowSize: expected an integer >= 1, got "21"/);
    expect(r.stderr).toMatch(/bad\.onnx: will not load: vigil\.meta\.windowSize/);
  });
});
