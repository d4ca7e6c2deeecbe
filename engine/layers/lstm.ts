// Single-layer LSTM kernels with PyTorch semantics (nn.LSTM): gates packed i, f, g, o in
//   weightIh [4H, F], weightHh [4H, H], biasIh [4H], biasHh [4H] (both added; either may be null)
//   i, f, o = σ(·), g = tanh(·) of x·Wihᵀ + bih + h·Whhᵀ + bhh;  c' = f·c + i·g;  h' = o·tanh(c')
// Layout 'batchFirst' is x [B,T,F], y [B,T,H]; 'timeMajor' is x [T,B,F], y [T,B,H]. Both are
// handled by strides: every per-row buffer in the workspace keeps the rows in x's own order, so
// the input projection (forward), dx and dWih (backward) are each one matmul over all B·T rows
// with no transposed copies, and dWhh is one more against the kept h_{t-1} rows.
// The recurrence is a fused loop per (step, batch row): dot products against Whh's contiguous
// rows, then the gate nonlinearities and cell update inline (σ and tanh as in
// kernels/activations.ts, derivatives from the outputs: σ' = y(1-y), tanh' = 1-y²).
// Backward ACCUMULATES into every gradient buffer it is given; null skips one (or, for upstream
// gradients dy/dhT/dcT, means zero). Forward and backward allocate nothing: all they keep lives in
// an LstmWorkspace made once per (B, T, F, H) and reused. Backward reads what the last forward on
// the same workspace kept, so x and the weights must not change in between.

import { biasAddBackward, biasAddForward, matmulForward } from '../kernels/matmul.js';
import type { FloatArray, FloatArrayConstructor } from '../tensor.js';

export type SequenceLayout = 'batchFirst' | 'timeMajor';

export interface LstmWorkspace {
  readonly batch: number;
  readonly steps: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Layout of the last forward (the row order of everything below). */
  layout: SequenceLayout | null;
  readonly gates: FloatArray; // [B·T, 4H] gate activations i, f, g, o per row, rows in x's order
  readonly hPrev: FloatArray; // [B·T, H] h_{t-1} of each row (h0 or zeros at t = 0)
  readonly cPrev: FloatArray; // [B·T, H] c_{t-1} of each row (c0 or zeros at t = 0)
  readonly tanhC: FloatArray; // [B·T, H] tanh(c_t) of each row
  readonly hLast: FloatArray; // [B, H] final h when the caller wants no hT
  readonly cLast: FloatArray; // [B, H] final c when the caller wants no cT
  readonly dGates: FloatArray; // [B·T, 4H] backward: d(loss)/d(gate pre-activations)
  readonly dh: FloatArray; // [B, H] backward: running d(loss)/d(h_t) from later steps
  readonly dc: FloatArray; // [B, H] backward: running d(loss)/d(c_t) from later steps
}

export function createLstmWorkspace(
  batch: number,
  steps: number,
  inputSize: number,
  hiddenSize: number,
  ctor: FloatArrayConstructor = Float32Array,
): LstmWorkspace {
  for (const [name, v] of [['batch', batch], ['steps', steps], ['inputSize', inputSize], ['hiddenSize', hiddenSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`createLstmWorkspace: ${name} must be a positive integer, got ${v}`);
  }
  const rows = batch * steps;
  const G = 4 * hiddenSize;
  return {
    batch,
    steps,
    inputSize,
    hiddenSize,
    layout: null,
    gates: new ctor(rows * G),
    hPrev: new ctor(rows * hiddenSize),
    cPrev: new ctor(rows * hiddenSize),
    tanhC: new ctor(rows * hiddenSize),
    hLast: new ctor(batch * hiddenSize),
    cLast: new ctor(batch * hiddenSize),
    dGates: new ctor(rows * G),
    dh: new ctor(batch * hiddenSize),
    dc: new ctor(batch * hiddenSize),
  };
}

function checkWorkspace(ws: LstmWorkspace, B: number, T: number, F: number, H: number, who: string): void {
  if (ws.batch !== B || ws.steps !== T || ws.inputSize !== F || ws.hiddenSize !== H) {
    throw new Error(
      `${who}: workspace is for B=${ws.batch}, T=${ws.steps}, F=${ws.inputSize}, H=${ws.hiddenSize} but called with ` +
        `B=${B}, T=${T}, F=${F}, H=${H}; make one with createLstmWorkspace for these sizes`,
    );
  }
}

/**
 * One LSTM cell update for one batch row. On entry gates[gOff, +4H) holds x·Wihᵀ + biases; on
 * exit it holds the activations i, f, g, o. Reads hIn/cIn, writes hOut/cOut (which may alias
 * them: every h read happens before the first h write, and c is read and written per element),
 * and optionally y and tanh(c') for backward.
 */
function lstmCell(
  gates: FloatArray, gOff: number,
  hIn: FloatArray, hInOff: number,
  cIn: FloatArray, cInOff: number,
  weightHh: FloatArray, // [4H, H]
  hOut: FloatArray, hOutOff: number,
  cOut: FloatArray, cOutOff: number,
  y: FloatArray | null, yOff: number,
  tanhC: FloatArray | null, tOff: number,
  H: number,
): void {
  // gates += h·Whhᵀ, four Whh rows at a time so each h element loaded serves four dot products
  // (4H rows always divide by four).
  const G = 4 * H;
  for (let j = 0; j < G; j += 4) {
    const w0 = j * H, w1 = w0 + H, w2 = w1 + H, w3 = w2 + H;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < H; k++) {
      const hk = hIn[hInOff + k];
      s0 += hk * weightHh[w0 + k];
      s1 += hk * weightHh[w1 + k];
      s2 += hk * weightHh[w2 + k];
      s3 += hk * weightHh[w3 + k];
    }
    gates[gOff + j] += s0;
    gates[gOff + j + 1] += s1;
    gates[gOff + j + 2] += s2;
    gates[gOff + j + 3] += s3;
  }
  const fOff = gOff + H, gg = gOff + 2 * H, oOff = gOff + 3 * H;
  for (let k = 0; k < H; k++) {
    const i = 1 / (1 + Math.exp(-gates[gOff + k]));
    const f = 1 / (1 + Math.exp(-gates[fOff + k]));
    const g = Math.tanh(gates[gg + k]);
    const o = 1 / (1 + Math.exp(-gates[oOff + k]));
    const c = f * cIn[cInOff + k] + i * g;
    const tc = Math.tanh(c);
    const h = o * tc;
    gates[gOff + k] = i;
    gates[fOff + k] = f;
    gates[gg + k] = g;
    gates[oOff + k] = o;
    cOut[cOutOff + k] = c;
    hOut[hOutOff + k] = h;
    if (y !== null) y[yOff + k] = h;
    if (tanhC !== null) tanhC[tOff + k] = tc;
  }
}

/** gates[rows, 4H] = x·Wihᵀ + bih + bhh: the input projection of every row in one matmul. */
function inputProjection(
  gates: FloatArray, x: FloatArray, weightIh: FloatArray, biasIh: FloatArray | null, biasHh: FloatArray | null,
  rows: number, F: number, G: number,
): void {
  matmulForward(gates, x, weightIh, rows, F, G, false, true);
  if (biasIh !== null) biasAddForward(gates, biasIh, rows, G);
  if (biasHh !== null) biasAddForward(gates, biasHh, rows, G);
}

export function lstmLayerForward(
  ws: LstmWorkspace,
  y: FloatArray | null, // [B,T,H] or [T,B,H]: h of every step (null: only the final state is wanted)
  hT: FloatArray | null, // [B, H] final h
  cT: FloatArray | null, // [B, H] final c
  x: FloatArray, // [B,T,F] or [T,B,F]
  weightIh: FloatArray, // [4H, F]
  weightHh: FloatArray, // [4H, H]
  biasIh: FloatArray | null, // [4H]
  biasHh: FloatArray | null, // [4H]
  h0: FloatArray | null, // [B, H] (null: zeros)
  c0: FloatArray | null, // [B, H] (null: zeros)
  B: number,
  T: number,
  F: number,
  H: number,
  layout: SequenceLayout,
): void {
  checkWorkspace(ws, B, T, F, H, 'lstmLayerForward');
  ws.layout = layout;
  const G = 4 * H;
  const { gates, hPrev, cPrev, tanhC } = ws;
  inputProjection(gates, x, weightIh, biasIh, biasHh, B * T, F, G);
  // Row of (b, t) = base(t) + b·stride.
  const stride = layout === 'batchFirst' ? T : 1;
  for (let b = 0; b < B; b++) {
    const r = (layout === 'batchFirst' ? b * T : b) * H;
    for (let k = 0; k < H; k++) {
      hPrev[r + k] = h0 !== null ? h0[b * H + k] : 0;
      cPrev[r + k] = c0 !== null ? c0[b * H + k] : 0;
    }
  }
  for (let t = 0; t < T; t++) {
    const base = layout === 'batchFirst' ? t : t * B;
    const last = t === T - 1;
    const next = layout === 'batchFirst' ? t + 1 : (t + 1) * B; // base of step t+1
    for (let b = 0; b < B; b++) {
      const r = base + b * stride;
      const hOut = last ? (hT ?? ws.hLast) : hPrev;
      const cOut = last ? (cT ?? ws.cLast) : cPrev;
      const outOff = last ? b * H : (next + b * stride) * H;
      lstmCell(gates, r * G, hPrev, r * H, cPrev, r * H, weightHh, hOut, outOff, cOut, outOff, y, r * H, tanhC, r * H, H);
    }
  }
}

export function lstmLayerBackward(
  ws: LstmWorkspace,
  dx: FloatArray | null, // [B,T,F] or [T,B,F]  += dGates·Wih
  dWeightIh: FloatArray, // [4H, F]  += dGatesᵀ·x
  dWeightHh: FloatArray, // [4H, H]  += dGatesᵀ·h_{t-1}
  dBiasIh: FloatArray | null, // [4H]
  dBiasHh: FloatArray | null, // [4H]
  dh0: FloatArray | null, // [B, H]
  dc0: FloatArray | null, // [B, H]
  dy: FloatArray | null, // [B,T,H] or [T,B,H] upstream gradient of y (null: zero)
  dhT: FloatArray | null, // [B, H] upstream gradient of the final h (null: zero)
  dcT: FloatArray | null, // [B, H] upstream gradient of the final c (null: zero)
  x: FloatArray, // [B,T,F] or [T,B,F] the forward input
  weightIh: FloatArray, // [4H, F]
  weightHh: FloatArray, // [4H, H]
  B: number,
  T: number,
  F: number,
  H: number,
  layout: SequenceLayout,
): void {
  checkWorkspace(ws, B, T, F, H, 'lstmLayerBackward');
  if (ws.layout !== layout) throw new Error(`lstmLayerBackward: layout '${layout}' but the last forward ran '${ws.layout ?? 'never'}'`);
  const G = 4 * H;
  const { gates, cPrev, tanhC, dGates, dh, dc } = ws;
  const n = B * H;
  for (let i = 0; i < n; i++) {
    dh[i] = dhT !== null ? dhT[i] : 0;
    dc[i] = dcT !== null ? dcT[i] : 0;
  }
  const stride = layout === 'batchFirst' ? T : 1;
  for (let t = T - 1; t >= 0; t--) {
    const base = layout === 'batchFirst' ? t : t * B;
    const needDh = t > 0 || dh0 !== null;
    for (let b = 0; b < B; b++) {
      const r = base + b * stride;
      const gOff = r * G, fOff = gOff + H, gg = gOff + 2 * H, oOff = gOff + 3 * H;
      const rH = r * H;
      const bH = b * H;
      for (let k = 0; k < H; k++) {
        const i = gates[gOff + k], f = gates[fOff + k], g = gates[gg + k], o = gates[oOff + k];
        const tc = tanhC[rH + k];
        const dhv = dy !== null ? dh[bH + k] + dy[rH + k] : dh[bH + k];
        const dcv = dc[bH + k] + dhv * o * (1 - tc * tc);
        dGates[gOff + k] = dcv * g * i * (1 - i);
        dGates[fOff + k] = dcv * cPrev[rH + k] * f * (1 - f);
        dGates[gg + k] = dcv * i * (1 - g * g);
        dGates[oOff + k] = dhv * tc * o * (1 - o);
        dc[bH + k] = dcv * f;
      }
      if (!needDh) continue;
      // dh_{t-1}[b] = dGates[r]·Whh: axpy over Whh's contiguous rows, four rows per pass so dh
      // is loaded and stored a quarter as often.
      for (let k = 0; k < H; k++) dh[bH + k] = 0;
      for (let j = 0; j < G; j += 4) {
        const d0 = dGates[gOff + j], d1 = dGates[gOff + j + 1], d2 = dGates[gOff + j + 2], d3 = dGates[gOff + j + 3];
        const w0 = j * H, w1 = w0 + H, w2 = w1 + H, w3 = w2 + H;
        for (let k = 0; k < H; k++) {
          dh[bH + k] += d0 * weightHh[w0 + k] + d1 * weightHh[w1 + k] + d2 * weightHh[w2 + k] + d3 * weightHh[w3 + k];
        }
      }
    }
  }
  if (dh0 !== null) for (let i = 0; i < n; i++) dh0[i] += dh[i];
  if (dc0 !== null) for (let i = 0; i < n; i++) dc0[i] += dc[i];
  const rows = B * T;
  if (dx !== null) matmulForward(dx, dGates, weightIh, rows, G, F, false, false, true);
  matmulForward(dWeightIh, dGates, x, G, rows, F, true, false, true);
  matmulForward(dWeightHh, dGates, ws.hPrev, G, rows, H, true, false, true);
  if (dBiasIh !== null) biasAddBackward(dBiasIh, dGates, rows, G);
  if (dBiasHh !== null) biasAddBackward(dBiasHh, dGates, rows, G);
}

/**
 * One time step for streaming: advances (h, c) in place given x for this step.
 * gatesScratch [B, 4H] is the caller's scratch (keep one per stream); nothing is allocated.
 */
export function lstmStep(
  h: FloatArray, // [B, H] in: h_{t-1}, out: h_t
  c: FloatArray, // [B, H] in: c_{t-1}, out: c_t
  x: FloatArray, // [B, F]
  weightIh: FloatArray, // [4H, F]
  weightHh: FloatArray, // [4H, H]
  biasIh: FloatArray | null, // [4H]
  biasHh: FloatArray | null, // [4H]
  gatesScratch: FloatArray, // [B, 4H]
  B: number,
  F: number,
  H: number,
): void {
  const G = 4 * H;
  inputProjection(gatesScratch, x, weightIh, biasIh, biasHh, B, F, G);
  for (let b = 0; b < B; b++) {
    const bH = b * H;
    lstmCell(gatesScratch, b * G, h, bH, c, bH, weightHh, h, bH, c, bH, null, 0, null, 0, H);
  }
}
