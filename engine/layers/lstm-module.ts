// Multi-layer LSTM (nn.LSTM without dropout or projections) over the kernels in lstm.ts.
// Parameters live in a ParamStore under PyTorch's state-dict names, so a torch state dict loads
// as it is: `${prefix}weight_ih_l${k}` [4H, F or H], `${prefix}weight_hh_l${k}` [4H, H],
// `${prefix}bias_ih_l${k}` [4H], `${prefix}bias_hh_l${k}` [4H].
// forward(x) returns the top layer's output at every step and every layer's final (h, c) [L,B,H];
// backward(dy, dhN, dcN) ACCUMULATES parameter gradients into params.grads and returns dx.
// Workspaces, outputs and the tensors handed back are cached per (batch, steps): steady-state
// calls allocate nothing, and what they return is an internal buffer, valid until the next call
// with the same sizes. backward uses what the last forward kept (its x must not change between).
// step(x, state) advances a kept multi-layer state one sample, for streaming inference.

import { uniformFill } from '../init.js';
import type { Param, ParamSpec, ParamStore } from '../params.js';
import type { Rng } from '../rng.js';
import { type FloatArray, type FloatArrayConstructor, type FloatTensor, floatTensor, sameShape, shapeString } from '../tensor.js';
import { createLstmWorkspace, type LstmWorkspace, lstmLayerBackward, lstmLayerForward, lstmStep, type SequenceLayout } from './lstm.js';

export interface LstmConfig {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  /** x [B,T,F] when true (PyTorch batch_first=True), else x [T,B,F]. */
  readonly batchFirst: boolean;
}

export interface LstmOutput {
  readonly y: FloatTensor; // [B,T,H] or [T,B,H]: the top layer's h at every step
  readonly h: FloatTensor; // [L,B,H] final h of every layer
  readonly c: FloatTensor; // [L,B,H] final c of every layer
}

/** A kept recurrent state for streaming; make one per stream with createState. */
export interface LstmState {
  readonly batch: number;
  readonly h: FloatArray; // [L,B,H]
  readonly c: FloatArray; // [L,B,H]
  readonly hLayers: readonly FloatArray[]; // L views [B,H] into h
  readonly cLayers: readonly FloatArray[]; // L views [B,H] into c
  readonly gates: FloatArray; // [B,4H] scratch
}

export interface Lstm {
  readonly config: LstmConfig;
  forward(x: FloatTensor, h0?: FloatTensor | null, c0?: FloatTensor | null): LstmOutput;
  /**
   * Backward of the last forward. dy [like y], dhN and dcN [L,B,H] are upstream gradients (null:
   * zero). Returns dx (an internal buffer); dh0Out/dc0Out [L,B,H], when given, are accumulated into.
   */
  backward(dy: FloatTensor | null, dhN?: FloatTensor | null, dcN?: FloatTensor | null, dh0Out?: FloatArray | null, dc0Out?: FloatArray | null): FloatTensor;
  /** A zero state for `batch` streams. */
  createState(batch: number): LstmState;
  /** Advances state by one sample x [B,F]; returns the top layer's new h [B,H] (a view into state.h). */
  step(x: FloatArray, state: LstmState): FloatArray;
}

function checkConfig(c: LstmConfig): void {
  for (const key of ['inputSize', 'hiddenSize', 'numLayers'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new Error(`LSTM config: ${key} must be a positive integer, got ${c[key]}`);
  }
}

/** Parameter specs in nn.LSTM's order, for building the ParamStore. */
export function lstmParamSpecs(config: LstmConfig, prefix = ''): ParamSpec[] {
  checkConfig(config);
  const { inputSize: F, hiddenSize: H, numLayers: L } = config;
  const specs: ParamSpec[] = [];
  for (let k = 0; k < L; k++) {
    specs.push(
      { name: `${prefix}weight_ih_l${k}`, shape: [4 * H, k === 0 ? F : H] },
      { name: `${prefix}weight_hh_l${k}`, shape: [4 * H, H] },
      { name: `${prefix}bias_ih_l${k}`, shape: [4 * H] },
      { name: `${prefix}bias_hh_l${k}`, shape: [4 * H] },
    );
  }
  return specs;
}

/** nn.LSTM.reset_parameters: every parameter U(-1/√H, 1/√H), filled in state-dict order. */
export function initLstmParams(params: ParamStore, config: LstmConfig, prefix: string, rng: Rng): void {
  const a = 1 / Math.sqrt(config.hiddenSize);
  for (const spec of lstmParamSpecs(config, prefix)) uniformFill(params.get(spec.name).value, -a, a, rng);
}

interface LayerParams {
  readonly inputSize: number;
  readonly weightIh: Param;
  readonly weightHh: Param;
  readonly biasIh: Param;
  readonly biasHh: Param;
}

/** Everything one (batch, steps) pair needs, made once. */
interface Entry {
  readonly B: number;
  readonly T: number;
  readonly ws: LstmWorkspace[];
  readonly outs: FloatArray[]; // L × [B·T, H] each layer's y (the next layer's input)
  readonly dIns: FloatArray[]; // L × [B·T, F or H] d(loss)/d(layer input); dIns[0] is dx
  readonly state: FloatArray[]; // h0, c0, hN, cN, dhN, dcN, dh0, dc0: 8 × [L,B,H]
  readonly views: FloatArray[][]; // the same 8, as L views [B,H] each
  readonly result: LstmOutput;
  readonly dx: FloatTensor;
  x: FloatArray | null;
  hasH0: boolean;
  hasC0: boolean;
}
const H0 = 0, C0 = 1, HN = 2, CN = 3, DHN = 4, DCN = 5, DH0 = 6, DC0 = 7;

export function createLstm(config: LstmConfig, params: ParamStore, prefix = ''): Lstm {
  checkConfig(config);
  const { inputSize, hiddenSize: H, numLayers: L, batchFirst } = config;
  const layout: SequenceLayout = batchFirst ? 'batchFirst' : 'timeMajor';
  const ctor = params.values.constructor as FloatArrayConstructor;
  for (const spec of lstmParamSpecs(config, prefix)) {
    const p = params.get(spec.name);
    if (!sameShape(p.shape, spec.shape)) {
      throw new Error(`createLstm: parameter '${spec.name}' has shape ${shapeString(p.shape)}, expected ${shapeString(spec.shape)}; build the store from lstmParamSpecs(config, prefix)`);
    }
  }
  const layers: LayerParams[] = [];
  for (let k = 0; k < L; k++) {
    layers.push({
      inputSize: k === 0 ? inputSize : H,
      weightIh: params.get(`${prefix}weight_ih_l${k}`),
      weightHh: params.get(`${prefix}weight_hh_l${k}`),
      biasIh: params.get(`${prefix}bias_ih_l${k}`),
      biasHh: params.get(`${prefix}bias_hh_l${k}`),
    });
  }

  const cache = new Map<number, Map<number, Entry>>();
  let lastUsed: Entry | null = null; // fast path: the same sizes as the previous call
  let lastForward: Entry | null = null;

  function layerViews(buf: FloatArray, B: number): FloatArray[] {
    const views: FloatArray[] = [];
    for (let k = 0; k < L; k++) views.push(buf.subarray(k * B * H, (k + 1) * B * H));
    return views;
  }

  function makeEntry(B: number, T: number): Entry {
    const R = B * T;
    const ws = layers.map((l) => createLstmWorkspace(B, T, l.inputSize, H, ctor));
    const outs = layers.map(() => new ctor(R * H));
    const dIns = layers.map((l) => new ctor(R * l.inputSize));
    const state = Array.from({ length: 8 }, () => new ctor(L * B * H));
    const views = state.map((s) => layerViews(s, B));
    const seq = batchFirst ? [B, T] : [T, B];
    return {
      B, T, ws, outs, dIns, state, views,
      result: { y: floatTensor([...seq, H], outs[L - 1]), h: floatTensor([L, B, H], state[HN]), c: floatTensor([L, B, H], state[CN]) },
      dx: floatTensor([...seq, inputSize], dIns[0]),
      x: null, hasH0: false, hasC0: false,
    };
  }

  function entryFor(B: number, T: number): Entry {
    if (lastUsed !== null && lastUsed.B === B && lastUsed.T === T) return lastUsed;
    let byT = cache.get(B);
    if (byT === undefined) cache.set(B, (byT = new Map()));
    let e = byT.get(T);
    if (e === undefined) byT.set(T, (e = makeEntry(B, T)));
    lastUsed = e;
    return e;
  }

  function checkState(t: FloatTensor, B: number, what: string): void {
    const s = t.shape;
    if (s.length !== 3 || s[0] !== L || s[1] !== B || s[2] !== H) {
      throw new Error(`LSTM ${what} must have shape [${L}, ${B}, ${H}] (layers, batch, hidden), got ${shapeString(s)}`);
    }
  }

  return {
    config,

    forward(x, h0 = null, c0 = null) {
      const s = x.shape;
      if (s.length !== 3 || s[2] !== inputSize) {
        throw new Error(`LSTM input must be ${batchFirst ? '[batch, steps' : '[steps, batch'}, ${inputSize}], got ${shapeString(s)}`);
      }
      const B = batchFirst ? s[0] : s[1];
      const T = batchFirst ? s[1] : s[0];
      const e = entryFor(B, T);
      if (h0 !== null) { checkState(h0, B, 'h0'); e.state[H0].set(h0.data); }
      if (c0 !== null) { checkState(c0, B, 'c0'); e.state[C0].set(c0.data); }
      e.hasH0 = h0 !== null;
      e.hasC0 = c0 !== null;
      e.x = x.data;
      const v = e.views;
      for (let k = 0; k < L; k++) {
        const l = layers[k];
        lstmLayerForward(
          e.ws[k], e.outs[k], v[HN][k], v[CN][k], k === 0 ? x.data : e.outs[k - 1],
          l.weightIh.value, l.weightHh.value, l.biasIh.value, l.biasHh.value,
          e.hasH0 ? v[H0][k] : null, e.hasC0 ? v[C0][k] : null, B, T, l.inputSize, H, layout,
        );
      }
      lastForward = e;
      return e.result;
    },

    backward(dy, dhN = null, dcN = null, dh0Out = null, dc0Out = null) {
      const e = lastForward;
      if (e === null || e.x === null) throw new Error('LSTM backward called before forward');
      const { B, T } = e;
      if (dy !== null && !sameShape(dy.shape, e.result.y.shape)) {
        throw new Error(`LSTM dy must have the output's shape ${shapeString(e.result.y.shape)}, got ${shapeString(dy.shape)}`);
      }
      if (dhN !== null) { checkState(dhN, B, 'dhN'); e.state[DHN].set(dhN.data); }
      if (dcN !== null) { checkState(dcN, B, 'dcN'); e.state[DCN].set(dcN.data); }
      if (dh0Out !== null) e.state[DH0].fill(0);
      if (dc0Out !== null) e.state[DC0].fill(0);
      const v = e.views;
      for (let k = L - 1; k >= 0; k--) {
        const l = layers[k];
        const dIn = e.dIns[k];
        dIn.fill(0);
        lstmLayerBackward(
          e.ws[k], dIn, l.weightIh.grad, l.weightHh.grad, l.biasIh.grad, l.biasHh.grad,
          dh0Out !== null ? v[DH0][k] : null, dc0Out !== null ? v[DC0][k] : null,
          k === L - 1 ? (dy !== null ? dy.data : null) : e.dIns[k + 1],
          dhN !== null ? v[DHN][k] : null, dcN !== null ? v[DCN][k] : null,
          k === 0 ? e.x : e.outs[k - 1], l.weightIh.value, l.weightHh.value, B, T, l.inputSize, H, layout,
        );
      }
      const n = L * B * H;
      if (dh0Out !== null) for (let i = 0; i < n; i++) dh0Out[i] += e.state[DH0][i];
      if (dc0Out !== null) for (let i = 0; i < n; i++) dc0Out[i] += e.state[DC0][i];
      return e.dx;
    },

    createState(batch) {
      if (!Number.isInteger(batch) || batch < 1) throw new Error(`LSTM createState: batch must be a positive integer, got ${batch}`);
      const h = new ctor(L * batch * H);
      const c = new ctor(L * batch * H);
      return { batch, h, c, hLayers: layerViews(h, batch), cLayers: layerViews(c, batch), gates: new ctor(batch * 4 * H) };
    },

    step(x, state) {
      const B = state.batch;
      if (x.length !== B * inputSize) throw new Error(`LSTM step: x must be [${B}, ${inputSize}] (${B * inputSize} values), got ${x.length}`);
      for (let k = 0; k < L; k++) {
        const l = layers[k];
        lstmStep(
          state.hLayers[k], state.cLayers[k], k === 0 ? x : state.hLayers[k - 1],
          l.weightIh.value, l.weightHh.value, l.biasIh.value, l.biasHh.value, state.gates, B, l.inputSize, H,
        );
      }
      return state.hLayers[L - 1];
    },
  };
}
