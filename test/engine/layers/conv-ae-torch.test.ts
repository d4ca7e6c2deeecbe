// PyTorch parity for the 1D conv kernels: the conv_ae_f2_t16 fixture rebuilt by hand from its
// initial parameters (README in /work/shared/fixtures/torch), forward on two batches and the
// step-0 gradient of mse_mean, in float32 (production) and float64.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { reluBackward, reluForward } from '../../../engine/kernels/activations.js';
import { conv1dBackward, conv1dForward, conv1dOutputLength } from '../../../engine/layers/conv1d.js';
import {
  convTranspose1dBackward,
  convTranspose1dForward,
  convTranspose1dOutputLength,
} from '../../../engine/layers/conv-transpose1d.js';
import type { FloatArray, FloatArrayConstructor } from '../../../engine/tensor.js';
import { expectClose } from '../../helpers/gradcheck.js';

const casePath = fileURLToPath(new URL('../../../../shared/fixtures/torch/conv_ae_f2_t16/case.json', import.meta.url));

interface Case {
  input: number[][][]; // [B, T, F]
  output: number[][][];
  input2: number[][][];
  output2: number[][][];
  target: number[][][];
  initial_params: Record<string, unknown>;
  grads_step0: Record<string, unknown>;
}

const fixture = JSON.parse(readFileSync(casePath, 'utf8')) as Case;
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

/** One layer of the fixture's nn.Sequential: net.{index}, kernel 5, pad 2, ReLU after all but the last. */
interface Layer {
  index: number;
  kind: 'conv' | 'convT';
  Ci: number;
  Co: number;
  stride: number;
  outputPadding: number;
}
const layers: Layer[] = [
  { index: 0, kind: 'conv', Ci: 2, Co: 8, stride: 2, outputPadding: 0 },
  { index: 2, kind: 'conv', Ci: 8, Co: 4, stride: 2, outputPadding: 0 },
  { index: 4, kind: 'convT', Ci: 4, Co: 4, stride: 2, outputPadding: 1 },
  { index: 6, kind: 'convT', Ci: 4, Co: 8, stride: 2, outputPadding: 1 },
  { index: 8, kind: 'conv', Ci: 8, Co: 2, stride: 1, outputPadding: 0 },
];
const K = 5;
const pad = 2;

const outLength = (l: Layer, L: number): number =>
  l.kind === 'conv'
    ? conv1dOutputLength(L, K, l.stride, pad, pad, 1)
    : convTranspose1dOutputLength(L, K, l.stride, pad, pad, 1, l.outputPadding);

/** [B, T, F] nested → [B, F, T] flat, and back. */
function toChannelsFirst(nested: number[][][], ctor: FloatArrayConstructor): FloatArray {
  const [B, T, F] = [nested.length, nested[0].length, nested[0][0].length];
  const out = new ctor(B * F * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) out[(b * F + f) * T + t] = nested[b][t][f];
  return out;
}
function toTimeFirst(x: FloatArray, B: number, F: number, T: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) out.push(x[(b * F + f) * T + t]);
  return out;
}

interface Trace {
  lengths: number[]; // sequence length entering each layer, then the final one
  inputs: FloatArray[]; // activation entering each layer
  pre: FloatArray[]; // each layer's output before its ReLU
}

function forward(x: FloatArray, B: number, T: number, params: Map<string, FloatArray>, ctor: FloatArrayConstructor): Trace {
  const trace: Trace = { lengths: [T], inputs: [], pre: [] };
  let h = x;
  let L = T;
  for (const [n, l] of layers.entries()) {
    const Lo = outLength(l, L);
    const y = new ctor(B * l.Co * Lo);
    const w = params.get(`net.${l.index}.weight`)!;
    const bias = params.get(`net.${l.index}.bias`)!;
    if (l.kind === 'conv') conv1dForward(y, h, w, bias, B, l.Ci, L, l.Co, K, l.stride, pad, pad, 1, 1);
    else convTranspose1dForward(y, h, w, bias, B, l.Ci, L, l.Co, K, l.stride, pad, pad, 1, 1, l.outputPadding);
    trace.inputs.push(h);
    trace.pre.push(y);
    if (n < layers.length - 1) {
      h = new ctor(y.length);
      reluForward(h, y, y.length);
    } else {
      h = y;
    }
    L = Lo;
    trace.lengths.push(L);
  }
  return trace;
}

function run(ctor: FloatArrayConstructor, tol: { output: number; grad: number }): void {
  const params = new Map<string, FloatArray>();
  for (const [name, v] of Object.entries(fixture.initial_params)) params.set(name, ctor.from(flat(v)));

  for (const [inputKey, outputKey] of [['input', 'output'], ['input2', 'output2']] as const) {
    const nested = fixture[inputKey];
    const [B, T, F] = [nested.length, nested[0].length, nested[0][0].length];
    const trace = forward(toChannelsFirst(nested, ctor), B, T, params, ctor);
    const y = trace.pre[layers.length - 1];
    expectClose(toTimeFirst(y, B, F, T), flat(fixture[outputKey]), { rtol: 1e-5, atol: tol.output }, outputKey);
  }

  // Gradient of mse_mean = mean((y - target)²) with respect to every parameter.
  const nested = fixture.input;
  const [B, T, F] = [nested.length, nested[0].length, nested[0][0].length];
  const trace = forward(toChannelsFirst(nested, ctor), B, T, params, ctor);
  const y = trace.pre[layers.length - 1];
  const target = toChannelsFirst(fixture.target, ctor);
  let dOut: FloatArray = new ctor(y.length);
  for (let i = 0; i < y.length; i++) dOut[i] = (2 * (y[i] - target[i])) / y.length;
  const grads = new Map<string, FloatArray>();
  for (let n = layers.length - 1; n >= 0; n--) {
    const l = layers[n];
    const L = trace.lengths[n];
    const w = params.get(`net.${l.index}.weight`)!;
    const dw = new ctor(w.length);
    const db = new ctor(l.Co);
    const dx = n > 0 ? new ctor(B * l.Ci * L) : null;
    const x = trace.inputs[n];
    if (l.kind === 'conv') conv1dBackward(dx, dw, db, dOut, x, w, B, l.Ci, L, l.Co, K, l.stride, pad, pad, 1, 1);
    else convTranspose1dBackward(dx, dw, db, dOut, x, w, B, l.Ci, L, l.Co, K, l.stride, pad, pad, 1, 1, l.outputPadding);
    grads.set(`net.${l.index}.weight`, dw);
    grads.set(`net.${l.index}.bias`, db);
    if (dx !== null) {
      // Through the ReLU that produced this layer's input (the previous layer's pre-activation).
      const dPre = new ctor(dx.length);
      reluBackward(dPre, dx, trace.pre[n - 1], dx.length);
      dOut = dPre;
    }
  }
  for (const [name, expected] of Object.entries(fixture.grads_step0)) {
    expectClose(grads.get(name)!, flat(expected), { rtol: 1e-5, atol: tol.grad }, `grads_step0['${name}']`);
  }
}

describe('conv autoencoder vs PyTorch (conv_ae_f2_t16)', () => {
  // The fixture prints 9 decimals, so absolute floors sit a little above 5e-10 rounding.
  it('matches output, output2 and grads_step0 in float64', () => run(Float64Array, { output: 1e-8, grad: 2e-9 }));
  it('matches output, output2 and grads_step0 in float32', () => run(Float32Array, { output: 1e-7, grad: 1e-8 }));
});
