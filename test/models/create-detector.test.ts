// Making detectors: options validated with messages that say what to do, and imported graphs
// understood from their shapes (or refused, naming what to pass).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../engine/graph/graph.js';
import { ParamStore } from '../../engine/params.js';
import { createDetector, detectorFromGraph } from '../../models/create-detector.js';
import { inferIo } from '../../models/graph-detector-io.js';
import { importOnnx } from '../../models/onnx/import.js';
import { decodeModel } from '../../models/onnx/proto/index.js';
import { torchCasesDir } from '../helpers/torch-cases.js';

const channels = ['a', 'b', 'c'];

function fixture(name: string): Graph {
  return importOnnx(decodeModel(readFileSync(join(torchCasesDir(), name, 'model.onnx'))));
}

/** A graph with only declared inputs and outputs (inferIo reads nothing else). */
function shapes(input: (number | string)[] | null, output: (number | string)[] | null): Graph {
  return {
    name: 'g', opset: 17, nodes: [], params: new ParamStore([]), constants: new Map(),
    inputs: [{ name: 'x', dtype: 'float32', shape: input }],
    outputs: [{ name: 'y', dtype: 'float32', shape: output }],
  };
}

describe('createDetector', () => {
  it('builds the reference forecaster by default: lookback 60, hidden 32, 2 layers, horizon 1', () => {
    const det = createDetector('lstm-forecaster', { channels: Array.from({ length: 8 }, (_, i) => `s${i}`) });
    expect(det.meta).toMatchObject({ architecture: 'lstm-forecaster', role: 'forecaster', windowSize: 61, horizon: 1 });
    expect(det.meta.hyper).toMatchObject({ lookback: 60, hidden: 32, layers: 2, horizon: 1, lr: 1e-3, seed: 0 });
    expect(det.graph.inputs[0].shape).toEqual(['batch', 60, 8]);
    expect(det.graph.params.get('lstm_l1_W').shape).toEqual([1, 128, 32]);
    // PyTorch's LSTM init: every weight within ±1/√H
    const bound = 1 / Math.sqrt(32);
    expect(Math.max(...det.graph.params.get('lstm_l0_R').value.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...det.graph.params.get('lstm_l0_R').value.map(Math.abs))).toBeGreaterThan(bound * 0.9);
  });

  it('takes windowSize or lookback for a forecaster, and refuses the two disagreeing', () => {
    expect(createDetector('lstm-forecaster', { channels, windowSize: 12, horizon: 2, hidden: 4 }).meta.hyper.lookback).toBe(10);
    expect(() => createDetector('lstm-forecaster', { channels, windowSize: 12, lookback: 5 })).toThrow(/disagrees with lookback 5/);
    expect(() => createDetector('dense-ae', { channels, lookback: 5 })).toThrow(/autoencoder: give windowSize/);
  });

  it('validates sizes with messages that name the option and the fix', () => {
    expect(() => createDetector('conv-ae', { channels, windowSize: 30 })).toThrow(/divisible by 4.*use 28 or 32/);
    expect(() => createDetector('lstm-ae', { channels, windowSize: 8, hidden: 0 })).toThrow(/hidden must be a positive integer/);
    expect(() => createDetector('dense-ae', { channels: [] })).toThrow(/channels must be a non-empty list/);
    expect(() => createDetector('dense-ae', { channels: ['a', 'a'] })).toThrow(/distinct/);
    expect(() => createDetector('transformer' as 'dense-ae', { channels })).toThrow(/unknown architecture 'transformer'/);
  });

  it('uses the seed: same seed same weights, another seed other weights', () => {
    const a = createDetector('conv-ae', { channels, windowSize: 8, filters1: 4, filters2: 2, seed: 1 });
    const b = createDetector('conv-ae', { channels, windowSize: 8, filters1: 4, filters2: 2, seed: 2 });
    expect(Array.from(a.graph.params.values)).not.toEqual(Array.from(b.graph.params.values));
  });
});

describe('detectorFromGraph', () => {
  it('reads role and sizes from the PyTorch fixtures', () => {
    expect(detectorFromGraph(fixture('lstm_forecaster_f3_h16'), { name: 'f' }).meta).toMatchObject({
      architecture: 'onnx', role: 'forecaster', windowSize: 21, horizon: 1, channels: ['ch0', 'ch1', 'ch2'],
    });
    expect(detectorFromGraph(fixture('conv_ae_f2_t16'), { name: 'c' }).meta).toMatchObject({ role: 'autoencoder', windowSize: 16, horizon: 0 });
    const dense = detectorFromGraph(fixture('dense_ae_relu_24_16_4'), { name: 'd', channels: ['x', 'y'] });
    expect(dense.meta).toMatchObject({ role: 'autoencoder', windowSize: 12, channels: ['x', 'y'] });
    expect(dense.scaler).toEqual({ mean: [0, 0], std: [1, 1] });
    expect(dense.calibration).toBeNull();
  });

  it('asks for channels when a flattened input cannot say, and checks given sizes against the shapes', () => {
    expect(() => detectorFromGraph(fixture('dense_ae_relu_24_16_4'), { name: 'd' })).toThrow(/pass channels explicitly/);
    expect(() => detectorFromGraph(fixture('dense_ae_relu_24_16_4'), { name: 'd', channels: ['a', 'b', 'c', 'd', 'e'] })).toThrow(/not a multiple of 5 channels/);
    expect(() => detectorFromGraph(fixture('conv_ae_f2_t16'), { name: 'c', channels })).toThrow(/channels 3 disagrees/);
    expect(() => detectorFromGraph(fixture('lstm_forecaster_f3_h16'), { name: 'f', role: 'autoencoder' })).toThrow(/not shaped like input/);
    expect(() => detectorFromGraph(fixture('lstm_forecaster_f3_h16'), { name: 'f', windowSize: 30 })).toThrow(/20 input steps plus horizon 1/);
  });

  it('infers forecasters of longer horizons from [B,h,C] and [B,h·C] outputs', () => {
    expect(inferIo(shapes(['batch', 10, 2], ['batch', 3, 2]))).toMatchObject({ role: 'forecaster', horizon: 3, windowSize: 13, inputRank: 3 });
    expect(inferIo(shapes(['batch', 10, 2], ['batch', 6]))).toMatchObject({ role: 'forecaster', horizon: 3, windowSize: 13 });
    expect(inferIo(shapes(['batch', 20], ['batch', 4]), { channels: 2 })).toMatchObject({ role: 'forecaster', horizon: 2, windowSize: 12, inputRank: 2 });
    expect(inferIo(shapes(['batch', 20], ['batch', 20]), { channels: 4 })).toMatchObject({ role: 'autoencoder', windowSize: 5, comparedSteps: 5 });
  });

  it('refuses what it cannot understand, naming the shapes', () => {
    expect(() => inferIo(shapes(['batch', 2, 3, 4], ['batch', 2, 3, 4]))).toThrow(/'x' \[batch, 2, 3, 4\] must be \[batch, time, channels\]/);
    expect(() => inferIo(shapes(['batch', 'time', 3], ['batch', 'time', 3]))).toThrow(/pass role/);
    expect(inferIo(shapes(['batch', 'time', 3], ['batch', 'time', 3]), { role: 'autoencoder', windowSize: 32 })).toMatchObject({ windowSize: 32, channels: 3 });
    expect(() => inferIo(shapes(null, null))).toThrow(/pass channels/);
    expect(() => inferIo(shapes(['batch', 10, 2], ['batch', 3]))).toThrow(/not a multiple of 2 channels/);
  });
});

describe('detectorFromGraph refuses graphs that cannot run', () => {
  it('names the node whose shapes do not fit the window, at load time', async () => {
    const { GraphBuilder } = await import('../../engine/graph/builder.js');
    const { createRng } = await import('../../engine/rng.js');
    const b = new GraphBuilder('bad');
    const x = b.input('input', ['batch', 6]);
    const w = b.param('w', [3, 5], (v) => v.fill(0.1));
    b.output(b.op('Gemm', [x, w], { transB: 1 }, 'head'), ['batch', 3]);
    expect(() => detectorFromGraph(b.build(createRng(1)), { name: 'bad', role: 'forecaster', channels: ['a', 'b', 'c'], windowSize: 3 })).toThrow(
      /cannot score a \[3, 3\] window: Gemm node 'head'.*disagree on K/,
    );
  });
});
