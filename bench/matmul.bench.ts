// Section 1: matmulForward against onnxruntime's MatMul on the shapes Vigil's LSTM forecaster
// produces, plus two square sizes. FLOPs are 2·M·K·N. The engine is timed in all three layouts it
// serves (a·b: MatMul, a·bᵀ: Gemm transB / the LSTM input projection, aᵀ·b: weight gradients);
// ORT runs a one-node MatMul model whose B is an initializer (a weight, as in a real model).

import { GraphBuilder } from '../engine/graph/builder.js';
import { matmulForward } from '../engine/kernels/matmul.js';
import { createRng } from '../engine/rng.js';
import { floatTensor } from '../engine/tensor.js';
import { fmt, measure, measureAsync, printTable, type Timing } from './harness.js';
import { maxRelDiff, openOrt } from './ort-session.js';

interface Shape {
  readonly label: string;
  readonly M: number;
  readonly K: number;
  readonly N: number;
}

export const MATMUL_SHAPES: readonly Shape[] = [
  { label: 'LSTM step, batch 1 (h·[Wih|Whh]ᵀ)', M: 1, K: 40, N: 128 },
  { label: 'LSTM step, batch 64', M: 64, K: 40, N: 128 },
  { label: 'layer-1 input proj. B64·T60', M: 3840, K: 8, N: 128 },
  { label: 'layer-2 input proj. B64·T60', M: 3840, K: 32, N: 128 },
  { label: 'square 128³', M: 128, K: 128, N: 128 },
  { label: 'square 256³', M: 256, K: 256, N: 256 },
];

function randomData(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

export async function benchMatmul(): Promise<void> {
  const rows: string[][] = [];
  for (const { label, M, K, N } of MATMUL_SHAPES) {
    const flops = 2 * M * K * N;
    const a = randomData(M * K, 1); // [M, K]
    const aT = randomData(K * M, 2); // [K, M]
    const b = randomData(K * N, 3); // [K, N]
    const bT = randomData(N * K, 4); // [N, K]
    const out = new Float32Array(M * N); // [M, N]
    const timings: [string, Timing][] = [
      ['engine a·b', measure(() => matmulForward(out, a, b, M, K, N))],
      ['engine a·bᵀ', measure(() => matmulForward(out, a, bT, M, K, N, false, true))],
      ['engine aᵀ·b', measure(() => matmulForward(out, aT, b, M, K, N, true, false))],
    ];

    const gb = new GraphBuilder(`matmul_${M}x${K}x${N}`);
    const A = gb.input('A', [M, K]);
    const B = gb.param('B', [K, N], (v) => v.set(b));
    gb.output(gb.op('MatMul', [A, B]), [M, N]);
    const graph = gb.build(createRng(0));
    const feeds = { A: floatTensor([M, K], a) };
    for (const threads of [1, 'default'] as const) {
      const session = await openOrt(graph, feeds, threads);
      matmulForward(out, a, b, M, K, N);
      const diff = maxRelDiff(out, await session.run());
      if (diff > 1e-4) throw new Error(`matmul ${M}x${K}x${N}: engine and ORT disagree (max rel diff ${diff})`);
      timings.push([threads === 1 ? 'ORT MatMul, 1 thread' : 'ORT MatMul, default threads', await measureAsync(() => session.run())]);
      await session.release();
    }
    const ort1 = timings[3][1];
    timings.forEach(([impl, t], i) => {
      rows.push([
        i === 0 ? `[${M},${K}]·[${K},${N}]` : '', i === 0 ? label : '', impl,
        fmt.time(t), fmt.gflops(flops, t), fmt.ratio(t, ort1), fmt.cpuGflops(flops, t), fmt.cpuRatio(t, ort1), fmt.cpu(t),
      ]);
    });
  }
  printTable(
    '1. matmul (flops = 2·M·K·N); "vs ORT" = throughput / ORT 1-thread throughput (< 1: slower than ORT). ORT\'s B is an initializer.',
    ['shape', 'what', 'implementation', 'time/call', 'GFLOP/s', 'vs ORT', 'GFLOP/s by CPU time', 'vs ORT by CPU', 'cpu%'],
    rows,
  );
}
