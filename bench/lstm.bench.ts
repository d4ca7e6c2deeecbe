// Section 2: one window through the reference forecaster (F 8, H 32, 2 layers, T 60, Dense(8)) at
// batch 1 and 64. Engine: the whole graph through GraphRunner (forward; forward + backward), and
// the two raw lstmLayerForward calls alone (and with lstmLayerBackward); ORT: forward of the same
// graph exported to ONNX (ORT has no training here). PyTorch is not installed (no PyPI access).

import { GraphRunner } from '../engine/graph/runner.js';
import { onnxToTorchGates } from '../engine/layers/lstm-gates.js';
import { createLstmWorkspace, lstmLayerBackward, lstmLayerForward } from '../engine/layers/lstm.js';
import { createRng } from '../engine/rng.js';
import { type FloatTensor, floatTensor } from '../engine/tensor.js';
import { FLOPS_FORMULA, forecasterFlops, forecasterGraph, REFERENCE } from './forecaster-graph.js';
import { fmt, measure, measureAsync, printTable, type Timing } from './harness.js';
import { maxRelDiff, openOrt } from './ort-session.js';

export const BATCHES = [1, 64] as const;

function randomTensor(shape: number[], seed: number): FloatTensor {
  const rng = createRng(seed);
  const t = floatTensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.uniform(-1, 1);
  return t;
}

/** The two layers as raw kernel calls, weights reordered to PyTorch's gate order once. */
function rawLayers(runner: GraphRunner, B: number) {
  const { features: F, hidden: H, window: T } = REFERENCE;
  const G = 4 * H;
  const p = (name: string) => runner.params.get(name).value;
  const torch = (src: Float32Array | Float64Array, cols: number) => {
    const dst = new Float32Array(src.length);
    onnxToTorchGates(dst, src, H, cols);
    return dst;
  };
  const layer = (k: number, inF: number) => ({
    w: torch(p(`lstm.W${k}`), inF),
    r: torch(p(`lstm.R${k}`), H),
    bih: torch(p(`lstm.B${k}`).subarray(0, G), 1),
    bhh: torch(p(`lstm.B${k}`).subarray(G, 2 * G), 1),
    dw: new Float32Array(G * inF),
    dr: new Float32Array(G * H),
    dbih: new Float32Array(G),
    dbhh: new Float32Array(G),
    ws: createLstmWorkspace(B, T, inF, H),
  });
  const l1 = layer(0, F), l2 = layer(1, H);
  const x = randomTensor([T, B, F], 11).data; // [T, B, F] time-major, as the LSTM op feeds the kernel
  const y1 = new Float32Array(T * B * H); // [T, B, H]
  const hT = new Float32Array(B * H); // [B, H]
  const cT = new Float32Array(B * H);
  const dhT = randomTensor([B, H], 12).data; // [B, H] upstream gradient of layer 2's final h
  const dy1 = new Float32Array(T * B * H); // [T, B, H]
  const forward = (): void => {
    lstmLayerForward(l1.ws, y1, null, null, x, l1.w, l1.r, l1.bih, l1.bhh, null, null, B, T, F, H, 'timeMajor');
    lstmLayerForward(l2.ws, null, hT, cT, y1, l2.w, l2.r, l2.bih, l2.bhh, null, null, B, T, H, H, 'timeMajor');
  };
  const backward = (): void => {
    dy1.fill(0);
    lstmLayerBackward(l2.ws, dy1, l2.dw, l2.dr, l2.dbih, l2.dbhh, null, null, null, dhT, null, y1, l2.w, l2.r, B, T, H, H, 'timeMajor');
    lstmLayerBackward(l1.ws, null, l1.dw, l1.dr, l1.dbih, l1.dbhh, null, null, dy1, null, null, x, l1.w, l1.r, B, T, F, H, 'timeMajor');
  };
  return { forward, backward, hT };
}

export async function benchLstm(): Promise<void> {
  const { features: F, window: T, outputs: O } = REFERENCE;
  const perWindow = forecasterFlops(REFERENCE);
  const headFlops = 2 * REFERENCE.hidden * O;
  const rows: string[][] = [];
  for (const B of BATCHES) {
    const graph = forecasterGraph();
    const runner = new GraphRunner(graph);
    const input = randomTensor([B, T, F], 10);
    const dOut = randomTensor([B, O], 13);
    const fwd = measure(() => void runner.forward(input));
    const fwdBwd = measure(() => {
      runner.params.grads.fill(0);
      runner.forward(input);
      runner.backward(dOut);
    });
    const raw = rawLayers(runner, B);
    const rawFwd = measure(raw.forward);
    const rawFwdBwd = measure(() => {
      raw.forward();
      raw.backward();
    });
    const engineOut = Float32Array.from(runner.forward(input).data);
    const ort: Timing[] = [];
    for (const threads of [1, 'default'] as const) {
      const session = await openOrt(graph, { input }, threads);
      const diff = maxRelDiff(engineOut, await session.run());
      if (diff > 1e-4) throw new Error(`forecaster batch ${B}: engine and ORT disagree (max rel diff ${diff})`);
      ort.push(await measureAsync(() => session.run()));
      await session.release();
    }
    const row = (what: string, t: Timing, flops: number, vsOrt: boolean): string[] => [
      `${B}`, what, fmt.time(t), fmt.gflops(flops * B, t), fmt.rate(B, t), vsOrt ? fmt.ratio(t, ort[0]) : '',
      fmt.cpuGflops(flops * B, t), fmt.rate(B, { ...t, median: t.cpuMedian }), vsOrt ? fmt.cpuRatio(t, ort[0]) : '', fmt.cpu(t),
    ];
    rows.push(
      row('engine GraphRunner forward', fwd, perWindow, true),
      row('engine GraphRunner forward+backward', fwdBwd, 3 * perWindow, false),
      row('engine raw lstmLayerForward ×2 (no head)', rawFwd, perWindow - headFlops, true),
      row('engine raw lstmLayerForward+Backward ×2', rawFwdBwd, 3 * (perWindow - headFlops), false),
      row('ORT forward, 1 thread', ort[0], perWindow, true),
      row('ORT forward, default threads', ort[1], perWindow, true),
    );
  }
  printTable(
    `2. forecaster F=${F} H=${REFERENCE.hidden} 2 layers T=${T} → Dense(${O}); ${(perWindow / 1e6).toFixed(3)} MFLOP per window forward\n` +
      `   ${FLOPS_FORMULA}\n` +
      '   "vs ORT" = throughput / ORT 1-thread forward throughput (< 1: slower). PyTorch: not installed here (no PyPI), so no torch column.',
    ['batch', 'what', 'time/call', 'GFLOP/s', 'windows/s', 'vs ORT', 'GFLOP/s by CPU', 'windows/CPU-s', 'vs ORT by CPU', 'cpu%'],
    rows,
  );
}
