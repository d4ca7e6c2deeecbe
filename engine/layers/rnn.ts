// Single-layer Elman RNN kernels with PyTorch semantics (nn.RNN, nonlinearity 'tanh'):
//   h' = tanh(x·Wihᵀ + bih + h·Whhᵀ + bhh),  weightIh [H, F], weightHh [H, H], biasIh [H], biasHh [H]
// under the state-dict names weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}.
// Same shape of API as lstm.ts: layouts 'batchFirst' (x [B,T,F]) and 'timeMajor' (x [T,B,F]) by
// strides, with every per-row buffer kept in x's own row order so the input projection, dx, dWih
// and dWhh are one matmul each; the recurrence is one fused dot+tanh loop per (step, row).
// Backward ACCUMULATES into every gradient buffer given (null skips one; null upstream gradients
// mean zero) and reads what the last forward on the same workspace kept. No allocation.

import { biasAddBackward, biasAddForward, matmulForward } from '../kernels/matmul.js';
import type { ParamSpec } from '../params.js';
import type { FloatArray, FloatArrayConstructor } from '../tensor.js';
import type { SequenceLayout } from './lstm.js';

export interface RnnWorkspace {
  readonly batch: number;
  readonly steps: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Layout of the last forward (the row order of everything below). */
  layout: SequenceLayout | null;
  readonly hAct: FloatArray; // [B·T, H] h_t of each row, rows in x's order
  readonly hPrev: FloatArray; // [B·T, H] h_{t-1} of each row (h0 or zeros at t = 0)
  readonly hLast: FloatArray; // [B, H] final h when the caller wants no hT
  readonly dPre: FloatArray; // [B·T, H] backward: d(loss)/d(pre-activation)
  readonly dh: FloatArray; // [B, H] backward: running d(loss)/d(h_t) from later steps
}

export function createRnnWorkspace(
  batch: number,
  steps: number,
  inputSize: number,
  hiddenSize: number,
  ctor: FloatArrayConstructor = Float32Array,
): RnnWorkspace {
  for (const [name, v] of [['batch', batch], ['steps', steps], ['inputSize', inputSize], ['hiddenSize', hiddenSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`createRnnWorkspace: ${name} must be a positive integer, got ${v}`);
  }
  const rows = batch * steps;
  return {
    batch,
    steps,
    inputSize,
    hiddenSize,
    layout: null,
    hAct: new ctor(rows * hiddenSize),
    hPrev: new ctor(rows * hiddenSize),
    hLast: new ctor(batch * hiddenSize),
    dPre: new ctor(rows * hiddenSize),
    dh: new ctor(batch * hiddenSize),
  };
}

/** Specs of one layer's parameters under PyTorch's names, e.g. for `${prefix}weight_ih_l0`. */
export function rnnParamSpecs(inputSize: number, hiddenSize: number, prefix = '', layer = 0): ParamSpec[] {
  return [
    { name: `${prefix}weight_ih_l${layer}`, shape: [hiddenSize, inputSize] },
    { name: `${prefix}weight_hh_l${layer}`, shape: [hiddenSize, hiddenSize] },
    { name: `${prefix}bias_ih_l${layer}`, shape: [hiddenSize] },
    { name: `${prefix}bias_hh_l${layer}`, shape: [hiddenSize] },
  ];
}

function checkWorkspace(ws: RnnWorkspace, B: number, T: number, F: number, H: number, who: string): void {
  if (ws.batch !== B || ws.steps !== T || ws.inputSize !== F || ws.hiddenSize !== H) {
    throw new Error(
      `${who}: workspace is for B=${ws.batch}, T=${ws.steps}, F=${ws.inputSize}, H=${ws.hiddenSize} but called with ` +
        `B=${B}, T=${T}, F=${F}, H=${H}; make one with createRnnWorkspace for these sizes`,
    );
  }
}

/**
 * One RNN update for one batch row: pre[pOff, +H) holds x·Wihᵀ + biases on entry and h' on exit.
 * hOut may alias hIn (every h read happens before the first write); y, when given, gets h' too.
 */
function rnnCell(
  pre: FloatArray, pOff: number,
  hIn: FloatArray, hInOff: number,
  weightHh: FloatArray, // [H, H]
  hOut: FloatArray, hOutOff: number,
  y: FloatArray | null, yOff: number,
  H: number,
): void {
  // pre += h·Whhᵀ, four Whh rows at a time so each h element loaded serves four dot products.
  let j = 0;
  for (; j + 3 < H; j += 4) {
    const w0 = j * H, w1 = w0 + H, w2 = w1 + H, w3 = w2 + H;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < H; k++) {
      const hk = hIn[hInOff + k];
      s0 += hk * weightHh[w0 + k];
      s1 += hk * weightHh[w1 + k];
      s2 += hk * weightHh[w2 + k];
      s3 += hk * weightHh[w3 + k];
    }
    pre[pOff + j] += s0;
    pre[pOff + j + 1] += s1;
    pre[pOff + j + 2] += s2;
    pre[pOff + j + 3] += s3;
  }
  for (; j < H; j++) {
    const wj = j * H;
    let s = 0;
    for (let k = 0; k < H; k++) s += hIn[hInOff + k] * weightHh[wj + k];
    pre[pOff + j] += s;
  }
  for (let k = 0; k < H; k++) {
    const h = Math.tanh(pre[pOff + k]);
    pre[pOff + k] = h;
    hOut[hOutOff + k] = h;
    if (y !== null) y[yOff + k] = h;
  }
}

/** pre[rows, H] = x·Wihᵀ + bih + bhh: the input projection of every row in one matmul. */
function inputProjection(
  pre: FloatArray, x: FloatArray, weightIh: FloatArray, biasIh: FloatArray | null, biasHh: FloatArray | null,
  rows: number, F: number, H: number,
): void {
  matmulForward(pre, x, weightIh, rows, F, H, false, true);
  if (biasIh !== null) biasAddForward(pre, biasIh, rows, H);
  if (biasHh !== null) biasAddForward(pre, biasHh, rows, H);
}

export function rnnLayerForward(
  ws: RnnWorkspace,
  y: FloatArray | null, // [B,T,H] or [T,B,H]: h of every step (null: only hT is wanted)
  hT: FloatArray | null, // [B, H] final h
  x: FloatArray, // [B,T,F] or [T,B,F]
  weightIh: FloatArray, // [H, F]
  weightHh: FloatArray, // [H, H]
  biasIh: FloatArray | null, // [H]
  biasHh: FloatArray | null, // [H]
  h0: FloatArray | null, // [B, H] (null: zeros)
  B: number,
  T: number,
  F: number,
  H: number,
  layout: SequenceLayout,
): void {
  checkWorkspace(ws, B, T, F, H, 'rnnLayerForward');
  ws.layout = layout;
  const { hAct, hPrev } = ws;
  inputProjection(hAct, x, weightIh, biasIh, biasHh, B * T, F, H);
  const stride = layout === 'batchFirst' ? T : 1; // row of (b, t) = base(t) + b·stride
  for (let b = 0; b < B; b++) {
    const r = (layout === 'batchFirst' ? b * T : b) * H;
    for (let k = 0; k < H; k++) hPrev[r + k] = h0 !== null ? h0[b * H + k] : 0;
  }
  for (let t = 0; t < T; t++) {
    const base = layout === 'batchFirst' ? t : t * B;
    const last = t === T - 1;
    const next = layout === 'batchFirst' ? t + 1 : (t + 1) * B;
    for (let b = 0; b < B; b++) {
      const r = base + b * stride;
      const hOut = last ? (hT ?? ws.hLast) : hPrev;
      const outOff = last ? b * H : (next + b * stride) * H;
      rnnCell(hAct, r * H, hPrev, r * H, weightHh, hOut, outOff, y, r * H, H);
    }
  }
}

export function rnnLayerBackward(
  ws: RnnWorkspace,
  dx: FloatArray | null, // [B,T,F] or [T,B,F]  += dPre·Wih
  dWeightIh: FloatArray, // [H, F]  += dPreᵀ·x
  dWeightHh: FloatArray, // [H, H]  += dPreᵀ·h_{t-1}
  dBiasIh: FloatArray | null, // [H]
  dBiasHh: FloatArray | null, // [H]
  dh0: FloatArray | null, // [B, H]
  dy: FloatArray | null, // [B,T,H] or [T,B,H] upstream gradient of y (null: zero)
  dhT: FloatArray | null, // [B, H] upstream gradient of the final h (null: zero)
  x: FloatArray, // [B,T,F] or [T,B,F] the forward input
  weightIh: FloatArray, // [H, F]
  weightHh: FloatArray, // [H, H]
  B: number,
  T: number,
  F: number,
  H: number,
  layout: SequenceLayout,
): void {
  checkWorkspace(ws, B, T, F, H, 'rnnLayerBackward');
  if (ws.layout !== layout) throw new Error(`rnnLayerBackward: layout '${layout}' but the last forward ran '${ws.layout ?? 'never'}'`);
  const { hAct, dPre, dh } = ws;
  const n = B * H;
  for (let i = 0; i < n; i++) dh[i] = dhT !== null ? dhT[i] : 0;
  const stride = layout === 'batchFirst' ? T : 1;
  for (let t = T - 1; t >= 0; t--) {
    const base = layout === 'batchFirst' ? t : t * B;
    const needDh = t > 0 || dh0 !== null;
    for (let b = 0; b < B; b++) {
      const rH = (base + b * stride) * H;
      const bH = b * H;
      for (let k = 0; k < H; k++) {
        const h = hAct[rH + k];
        const dhv = dy !== null ? dh[bH + k] + dy[rH + k] : dh[bH + k];
        dPre[rH + k] = dhv * (1 - h * h);
      }
      if (!needDh) continue;
      // dh_{t-1}[b] = dPre[r]·Whh: axpy over Whh's contiguous rows, four rows per pass.
      for (let k = 0; k < H; k++) dh[bH + k] = 0;
      let j = 0;
      for (; j + 3 < H; j += 4) {
        const d0 = dPre[rH + j], d1 = dPre[rH + j + 1], d2 = dPre[rH + j + 2], d3 = dPre[rH + j + 3];
        const w0 = j * H, w1 = w0 + H, w2 = w1 + H, w3 = w2 + H;
        for (let k = 0; k < H; k++) {
          dh[bH + k] += d0 * weightHh[w0 + k] + d1 * weightHh[w1 + k] + d2 * weightHh[w2 + k] + d3 * weightHh[w3 + k];
        }
      }
      for (; j < H; j++) {
        const d = dPre[rH + j];
        const wj = j * H;
        for (let k = 0; k < H; k++) dh[bH + k] += d * weightHh[wj + k];
      }
    }
  }
  if (dh0 !== null) for (let i = 0; i < n; i++) dh0[i] += dh[i];
  const rows = B * T;
  if (dx !== null) matmulForward(dx, dPre, weightIh, rows, H, F, false, false, true);
  matmulForward(dWeightIh, dPre, x, H, rows, F, true, false, true);
  matmulForward(dWeightHh, dPre, ws.hPrev, H, rows, H, true, false, true);
  if (dBiasIh !== null) biasAddBackward(dBiasIh, dPre, rows, H);
  if (dBiasHh !== null) biasAddBackward(dBiasHh, dPre, rows, H);
}

/** One time step for streaming: advances h in place. preScratch [B, H] is the caller's (one per stream). */
export function rnnStep(
  h: FloatArray, // [B, H] in: h_{t-1}, out: h_t
  x: FloatArray, // [B, F]
  weightIh: FloatArray, // [H, F]
  weightHh: FloatArray, // [H, H]
  biasIh: FloatArray | null, // [H]
  biasHh: FloatArray | null, // [H]
  preScratch: FloatArray, // [B, H]
  B: number,
  F: number,
  H: number,
): void {
  inputProjection(preScratch, x, weightIh, biasIh, biasHh, B, F, H);
  for (let b = 0; b < B; b++) rnnCell(preScratch, b * H, h, b * H, weightHh, h, b * H, null, 0, H);
}
