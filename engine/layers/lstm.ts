// Single-layer LSTM kernels with PyTorch semantics (nn.LSTM): gates packed i, f, g, o in
//   weightIh [4H, F], weightHh [4H, H], biasIh [4H], biasHh [4H] (both added; either may be null)
//   i, f, o = σ(·), g = tanh(·) of x·Wihᵀ + bih + h·Whhᵀ + bhh;  c' = f·c + i·g;  h' = o·tanh(c')
// Layout 'batchFirst' is x [B,T,F], y [B,T,H]; 'timeMajor' is x [T,B,F], y [T,B,H]. Both are
// handled by strides: every per-row buffer in the workspace keeps the rows in x's own order, so
// the input projection (forward), dx and dWih (backward) are each one matmul over all B·T rows
// with no transposed copies, and dWhh is one more against the kept h_{t-1} rows.
// The recurrence runs step by step: the B rows of a step are one register-blocked matmul against
// Whh (gemmStrided, rows found by stride, so both layouts work in place), then a loop per row does
// the gate nonlinearities and cell update (σ and tanh as in kernels/activations.ts, derivatives
// from the outputs: σ' = y(1-y), tanh' = 1-y²). Backward mirrors it: per step, dGates row by row,
// then dh_{t-1} of all B rows in one matmul.
// Backward ACCUMULATES into every gradient buffer it is given; null skips one (or, for upstream
// gradients dy/dhT/dcT, means zero). Forward and backward allocate nothing: all they keep lives in
// an LstmWorkspace made once per (B, T, F, H) and reused. Backward reads what the last forward on
// the same workspace kept, so x and the weights must not change in between.

import { biasAddBackward, gemmStrided, matmulForward } from '../kernels/matmul.js';
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
 * The cell update of one batch row, after the matmuls. On entry gates[gOff, +4H) holds the gate
 * pre-activations x·Wihᵀ + h·Whhᵀ + biases; on exit it holds the activations i, f, g, o. Reads
 * cIn and writes hOut/cOut (cOut may alias cIn: each c is read before it is written; hOut may be
 * the h the pre-activations came from, which is not read here), and optionally y and tanh(c').
 */
function lstmCell(
  gates: FloatArray, gOff: number,
  cIn: FloatArray, cInOff: number,
  hOut: FloatArray, hOutOff: number,
  cOut: FloatArray, cOutOff: number,
  y: FloatArray | null, yOff: number,
  tanhC: FloatArray | null, tOff: number,
  H: number,
): void {
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

/**
 * gates[rows, 4H] = x·Wihᵀ + bih + bhh: the input projection of every row in one matmul. The
 * summed bias goes into the first row and is copied to the others (a native copy); the matmul
 * then accumulates onto it, so the biases cost no pass of their own over gates.
 */
function inputProjection(
  gates: FloatArray, x: FloatArray, weightIh: FloatArray, biasIh: FloatArray | null, biasHh: FloatArray | null,
  rows: number, F: number, G: number,
): void {
  for (let j = 0; j < G; j++) gates[j] = (biasIh !== null ? biasIh[j] : 0) + (biasHh !== null ? biasHh[j] : 0);
  for (let r = 1; r < rows; r++) gates.copyWithin(r * G, 0, G);
  matmulForward(gates, x, weightIh, rows, F, G, false, true, true);
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
    // gates of step t's B rows += h_{t-1}·Whhᵀ: one blocked matmul over the rows (skipped while h is zero).
    if (t > 0 || h0 !== null) gemmStrided(gates, base * G, stride * G, hPrev, base * H, stride * H, 1, weightHh, 0, 1, H, B, H, G, true);
    const last = t === T - 1;
    const next = layout === 'batchFirst' ? t + 1 : (t + 1) * B; // base of step t+1
    for (let b = 0; b < B; b++) {
      const r = base + b * stride;
      const hOut = last ? (hT ?? ws.hLast) : hPrev;
      const cOut = last ? (cT ?? ws.cLast) : cPrev;
      const outOff = last ? b * H : (next + b * stride) * H;
      lstmCell(gates, r * G, cPrev, r * H, hOut, outOff, cOut, outOff, y, r * H, tanhC, r * H, H);
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
    }
    // dh_{t-1} [B, H] = (dGates of step t's B rows)·Whh: one blocked matmul over the rows.
    if (needDh) gemmStrided(dh, 0, H, dGates, base * G, stride * G, 1, weightHh, 0, H, 1, B, G, H, false);
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
  gemmStrided(gatesScratch, 0, G, h, 0, H, 1, weightHh, 0, 1, H, B, H, G, true);
  for (let b = 0; b < B; b++) {
    const bH = b * H;
    lstmCell(gatesScratch, b * G, c, bH, h, bH, c, bH, null, 0, null, 0, H);
  }
}
