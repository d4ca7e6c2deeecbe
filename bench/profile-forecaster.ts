// A fixed workload for the CPU profiler, without the bench harness around it:
//   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/vigil-prof bench/profile-forecaster.ts [batch] [iterations] [fwd]
// runs the reference forecaster (bench/forecaster-graph.ts) through GraphRunner, forward and
// backward (or forward only with `fwd`), and prints the CPU time per iteration. Open the
// .cpuprofile in Chrome DevTools or sum self time per function.

import { GraphRunner } from '../engine/graph/runner.js';
import { createRng } from '../engine/rng.js';
import { floatTensor } from '../engine/tensor.js';
import { forecasterGraph, REFERENCE } from './forecaster-graph.js';

const B = Number(process.argv[2] ?? 64);
const iterations = Number(process.argv[3] ?? 20);
const forwardOnly = process.argv[4] === 'fwd';
const runner = new GraphRunner(forecasterGraph());
const rng = createRng(1);
const x = floatTensor([B, REFERENCE.window, REFERENCE.features]); // [B, T, F]
for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniform(-1, 1);
const dOut = floatTensor([B, REFERENCE.outputs]); // [B, O]
dOut.data.fill(1);
const t0 = process.cpuUsage();
for (let i = 0; i < iterations; i++) {
  runner.params.grads.fill(0);
  runner.forward(x);
  if (!forwardOnly) runner.backward(dOut);
}
const used = process.cpuUsage(t0);
console.log(`batch ${B}, ${forwardOnly ? 'forward' : 'forward+backward'}: ${((used.user + used.system) / 1000 / iterations).toFixed(2)} ms CPU per iteration`);
