import { GraphRunner } from '../engine/graph/runner.js';
import { createRng } from '../engine/rng.js';
import { floatTensor } from '../engine/tensor.js';
import { forecasterGraph } from './forecaster-graph.js';
const B = Number(process.argv[2] ?? 64);
const runner = new GraphRunner(forecasterGraph());
const rng = createRng(1);
const x = floatTensor([B, 60, 8]); for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniform(-1, 1);
const d = floatTensor([B, 8]); d.data.fill(1);
const t0 = process.cpuUsage();
const n = Number(process.argv[3] ?? 20);
for (let i = 0; i < n; i++) { runner.params.grads.fill(0); runner.forward(x); if (process.argv[4] !== 'fwd') runner.backward(d); }
const u = process.cpuUsage(t0);
console.log('cpu ms per iter', (u.user + u.system) / 1000 / n);
