// Section 3: the streaming step, the numeric cost of one sensor message in the daemon: lstmStep
// through both layers at batch 1 (and with the Dense head). For scale, ORT runs the same step as a
// one-step model (T = 1, initial_h/initial_c fed in, every final state fetched back).

import { GraphBuilder } from '../engine/graph/builder.js';
import type { Graph } from '../engine/graph/graph.js';
import { uniformFill } from '../engine/init.js';
import { biasAddForward, matmulForward } from '../engine/kernels/matmul.js';
import { lstmStep } from '../engine/layers/lstm.js';
import { createRng, type Rng } from '../engine/rng.js';
import { type FloatArray, floatTensor } from '../engine/tensor.js';
import { REFERENCE } from './forecaster-graph.js';
import { fmt, measure, measureAsync, printTable, type Timing } from './harness.js';
import { openOrt } from './ort-session.js';

/** One time step of the 2-layer forecaster with its state as inputs and outputs. */
function stepGraph(F: number, H: number, O: number): Graph {
  const a = 1 / Math.sqrt(H);
  const u = (v: FloatArray, rng: Rng): void => {
    uniformFill(v, -a, a, rng);
  };
  const gb = new GraphBuilder('forecaster_step');
  const x = gb.input('x', [1, 1, F]); // [T=1, B=1, F]
  const h1 = gb.input('h1', [1, 1, H]), c1 = gb.input('c1', [1, 1, H]);
  const h2 = gb.input('h2', [1, 1, H]), c2 = gb.input('c2', [1, 1, H]);
  const l1 = gb.node('LSTM', [x, gb.param('W0', [1, 4 * H, F], u), gb.param('R0', [1, 4 * H, H], u), gb.param('B0', [1, 8 * H], u), '', h1, c1], { hidden_size: H }, 3);
  const y1 = gb.op('Squeeze', [l1[0], gb.ints('axes1', [1])]);
  const l2 = gb.node('LSTM', [y1, gb.param('W1', [1, 4 * H, H], u), gb.param('R1', [1, 4 * H, H], u), gb.param('B1', [1, 8 * H], u), '', h2, c2], { hidden_size: H }, 3);
  const last = gb.op('Squeeze', [l2[1], gb.ints('axes0', [0])]);
  gb.output(gb.op('Gemm', [last, gb.param('head.weight', [O, H], u), gb.param('head.bias', [O], u)], { transB: 1 }), [1, O]);
  for (const s of [l1[1], l1[2], l2[1], l2[2]]) gb.output(s, [1, 1, H]);
  return gb.build(createRng(7));
}

export async function benchStream(): Promise<void> {
  const { features: F, hidden: H, outputs: O } = REFERENCE;
  const G = 4 * H;
  const rng = createRng(21);
  const fill = (n: number, scale: number): Float32Array => {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.uniform(-scale, scale);
    return v;
  };
  const a = 1 / Math.sqrt(H);
  const w1 = fill(G * F, a), r1 = fill(G * H, a), bih1 = fill(G, a), bhh1 = fill(G, a); // layer 1, PyTorch order
  const w2 = fill(G * H, a), r2 = fill(G * H, a), bih2 = fill(G, a), bhh2 = fill(G, a); // layer 2
  const hw = fill(O * H, a), hb = fill(O, a); // head [O, H], [O]
  const h1 = new Float32Array(H), c1 = new Float32Array(H), h2 = new Float32Array(H), c2 = new Float32Array(H); // [1, H]
  const gates = new Float32Array(G); // [1, 4H]
  const y = new Float32Array(O); // [1, O]
  const xs = fill(64 * F, 1); // 64 distinct samples [64, F], cycled
  let n = 0;
  const step = (): void => {
    const x = xs.subarray((n & 63) * F, ((n & 63) + 1) * F);
    n++;
    lstmStep(h1, c1, x, w1, r1, bih1, bhh1, gates, 1, F, H);
    lstmStep(h2, c2, h1, w2, r2, bih2, bhh2, gates, 1, H, H);
  };
  const layers = measure(step);
  const withHead = measure(() => {
    step();
    matmulForward(y, h2, hw, 1, H, O, false, true);
    biasAddForward(y, hb, 1, O);
  });
  const z = (): ReturnType<typeof floatTensor> => floatTensor([1, 1, H]);
  const session = await openOrt(stepGraph(F, H, O), { x: floatTensor([1, 1, F], fill(F, 1)), h1: z(), c1: z(), h2: z(), c2: z() }, 1);
  const ort = await measureAsync(() => session.run());
  await session.release();
  const rows: [string, Timing][] = [
    ['engine lstmStep ×2', layers],
    ['engine lstmStep ×2 + Dense head', withHead],
    ['ORT one-step model (T=1, states in/out), 1 thread', ort],
  ];
  printTable(
    `3. streaming step, batch 1 (F=${F}, H=${H}, 2 layers): cost per sensor message; "vs ORT" = throughput / ORT one-step model`,
    ['what', 'time/step', 'steps/s', 'vs ORT', 'CPU µs/step', 'steps/CPU-s', 'vs ORT by CPU', 'cpu%'],
    rows.map(([what, t]) => [
      what, fmt.time(t), fmt.rate(1, t), fmt.ratio(t, ort),
      (t.cpuMedian * 1e6).toFixed(1), fmt.rate(1, { ...t, median: t.cpuMedian }), fmt.cpuRatio(t, ort), fmt.cpu(t),
    ]),
  );
}
