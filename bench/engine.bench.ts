// `npm run bench`: the engine's kernels against onnxruntime-node on this machine, in three sections
// (matmul, the reference LSTM forecaster, the streaming step). `npm run bench -- lstm` runs only the
// sections whose name contains an argument. Results are recorded by hand in BENCHMARKS.md.

import { loadavg } from 'node:os';
import { printEnvironment } from './harness.js';
import { benchLstm } from './lstm.bench.js';
import { benchMatmul } from './matmul.bench.js';
import { ortVersion } from './ort-session.js';
import { benchStream } from './stream.bench.js';

const SECTIONS: readonly [string, () => Promise<void>][] = [
  ['matmul', benchMatmul],
  ['lstm', benchLstm],
  ['stream', benchStream],
];

const wanted = process.argv.slice(2);
const t0 = Date.now();
printEnvironment(ortVersion());
console.log('engine: single-threaded JS on float32 arrays. PyTorch: not installed here (no PyPI access), so it is not compared.');
console.log('ORT: onnxruntime-node CPU EP, graph optimisation "all", sequential; timings include the N-API call and promise per run.');
for (const [name, run] of SECTIONS) {
  if (wanted.length === 0 || wanted.some((w) => name.includes(w))) await run();
}
console.log(`\nload at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`total bench time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
