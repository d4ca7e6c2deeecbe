// The ONNX LSTM operator over Vigil's LSTM kernels (engine/layers/lstm.ts). Semantics are ONNX's:
//   X [T,B,F] (layout 0) or [B,T,F] (layout 1); W [D,4H,F], R [D,4H,H], B [D,8H] with gates i,o,f,c;
//   optional sequence_lens, initial_h / initial_c [D,B,H] (layout 1: [B,D,H]); outputs Y, Y_h, Y_c.
// The kernels use PyTorch's i,f,g,o order, so weights are reordered into scratch on every forward
// (4H·(F+H) copies: small next to T steps of work) and gradients reordered back. Directions
// forward, reverse and bidirectional; activations must be the defaults (Sigmoid, Tanh, Tanh), no
// peepholes, clip or input_forget: anything else is refused by name.

import { createLstmWorkspace, type LstmWorkspace, lstmLayerBackward, lstmLayerForward } from '../../layers/lstm.js';
import { onnxToTorchGates, torchToOnnxGates } from '../../layers/lstm-gates.js';
import type { FloatArray, FloatArrayConstructor, FloatTensor } from '../../tensor.js';
import { attrNumber, attrString } from '../graph.js';
import type { MaybeTensor, Op, OpContext } from '../op.js';
import { needFloat } from './util.js';

interface Direction {
  ws: LstmWorkspace;
  w: FloatArray; // [4H, F] i,f,g,o
  r: FloatArray; // [4H, H]
  bIh: FloatArray; // [4H]
  bHh: FloatArray; // [4H]
  x: FloatArray; // [T,B,F] time-major input (time-reversed for the reverse direction)
  y: FloatArray; // [T,B,H]
  h0: FloatArray; // [B,H]
  c0: FloatArray;
  hT: FloatArray;
  cT: FloatArray;
  dW: FloatArray;
  dR: FloatArray;
  dBIh: FloatArray;
  dBHh: FloatArray;
  dx: FloatArray;
  dy: FloatArray;
  dh0: FloatArray;
  dc0: FloatArray;
  dhT: FloatArray;
  dcT: FloatArray;
}

interface Scratch {
  key: string;
  dirs: Direction[];
}

interface Geometry {
  T: number;
  B: number;
  F: number;
  H: number;
  D: number;
  layout: number;
  reverse: boolean[];
}

const DEFAULT_ACTIVATIONS = ['Sigmoid', 'Tanh', 'Tanh'];

function geometry(ctx: OpContext, inputs: readonly MaybeTensor[]): Geometry {
  const node = ctx.node;
  const x = needFloat(inputs[0], 'X');
  const w = needFloat(inputs[1], 'W');
  const layout = attrNumber(node, 'layout', 0);
  if (layout !== 0 && layout !== 1) throw new Error(`layout must be 0 or 1, got ${layout}`);
  const direction = attrString(node, 'direction', 'forward');
  const D = direction === 'bidirectional' ? 2 : 1;
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') throw new Error(`direction '${direction}' is not one of forward, reverse, bidirectional`);
  if (x.shape.length !== 3) throw new Error(`X must be rank 3, got [${x.shape}]`);
  const [T, B] = layout === 0 ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]];
  const F = x.shape[2];
  if (w.shape.length !== 3 || w.shape[0] !== D || w.shape[2] !== F || w.shape[1] % 4 !== 0) {
    throw new Error(`W must be [${D}, 4·hidden_size, ${F}], got [${w.shape}]`);
  }
  const H = w.shape[1] / 4;
  const hs = attrNumber(node, 'hidden_size', H);
  if (hs !== H) throw new Error(`hidden_size ${hs} disagrees with W [${w.shape}]`);
  const r = needFloat(inputs[2], 'R');
  if (r.shape.length !== 3 || r.shape[0] !== D || r.shape[1] !== 4 * H || r.shape[2] !== H) throw new Error(`R must be [${D}, ${4 * H}, ${H}], got [${r.shape}]`);
  const b = inputs[3];
  if (b && (b.shape.length !== 2 || b.shape[0] !== D || b.shape[1] !== 8 * H)) throw new Error(`B must be [${D}, ${8 * H}], got [${b.shape}]`);
  const acts = node.attrs.activations as readonly string[] | undefined;
  if (acts) {
    for (let i = 0; i < acts.length; i++) {
      if (acts[i] !== DEFAULT_ACTIVATIONS[i % 3]) throw new Error(`activations [${acts.join(', ')}] are not supported (only Sigmoid, Tanh, Tanh)`);
    }
  }
  if (node.attrs.clip !== undefined) throw new Error('clip is not supported');
  if (attrNumber(node, 'input_forget', 0) !== 0) throw new Error('input_forget is not supported');
  const seqLens = inputs[4];
  if (seqLens && Array.from(seqLens.data).some((l) => l !== T)) throw new Error(`sequence_lens other than the full length ${T} are not supported`);
  const p = inputs[7];
  if (p && Array.from(p.data).some((v) => v !== 0)) throw new Error('peephole weights (P) are not supported');
  for (const [k, name] of [[5, 'initial_h'], [6, 'initial_c']] as const) {
    const s = inputs[k];
    if (!s) continue;
    const want = layout === 0 ? [D, B, H] : [B, D, H];
    if (s.shape.length !== 3 || s.shape.some((d, i) => d !== want[i])) throw new Error(`${name} must be [${want}], got [${s.shape}]`);
  }
  const reverse = direction === 'bidirectional' ? [false, true] : [direction === 'reverse'];
  return { T, B, F, H, D, layout, reverse };
}

function makeDirection(g: Geometry, ctor: FloatArrayConstructor): Direction {
  const { T, B, F, H } = g;
  const G = 4 * H;
  const a = (n: number): FloatArray => new ctor(n);
  return {
    ws: createLstmWorkspace(B, T, F, H, ctor),
    w: a(G * F), r: a(G * H), bIh: a(G), bHh: a(G),
    x: a(T * B * F), y: a(T * B * H), h0: a(B * H), c0: a(B * H), hT: a(B * H), cT: a(B * H),
    dW: a(G * F), dR: a(G * H), dBIh: a(G), dBHh: a(G),
    dx: a(T * B * F), dy: a(T * B * H), dh0: a(B * H), dc0: a(B * H), dhT: a(B * H), dcT: a(B * H),
  };
}

/** Index of element (t, b, k) of a [T,B,K] time-major buffer within the ONNX tensor of the given layout with D directions. */
function seqIndex(layout: number, t: number, b: number, d: number, k: number, T: number, B: number, D: number, K: number): number {
  return layout === 0 ? ((t * D + d) * B + b) * K + k : ((b * T + t) * D + d) * K + k;
}
function stateIndex(layout: number, b: number, d: number, k: number, B: number, D: number, H: number): number {
  return layout === 0 ? (d * B + b) * H + k : (b * D + d) * H + k;
}

export const LSTM: Op = {
  nonDifferentiableInputs: [4, 7],

  forward(ctx, inputs) {
    const g = geometry(ctx, inputs);
    const { T, B, F, H, D, layout } = g;
    const key = `${T},${B},${F},${H},${D},${layout}`;
    let s = ctx.scratch as Scratch | undefined;
    if (!s || s.key !== key) ctx.scratch = s = { key, dirs: g.reverse.map(() => makeDirection(g, ctx.ctor)) };
    const X = (inputs[0] as FloatTensor).data;
    const W = (inputs[1] as FloatTensor).data, R = (inputs[2] as FloatTensor).data;
    const Bias = inputs[3] as FloatTensor | undefined;
    const h0In = inputs[5] as FloatTensor | undefined, c0In = inputs[6] as FloatTensor | undefined;
    const G = 4 * H;
    const Y = ctx.floatOut(0, layout === 0 ? [T, D, B, H] : [B, T, D, H]);
    const Yh = ctx.floatOut(1, layout === 0 ? [D, B, H] : [B, D, H]);
    const Yc = ctx.floatOut(2, layout === 0 ? [D, B, H] : [B, D, H]);
    s.dirs.forEach((dir, d) => {
      onnxToTorchGates(dir.w, W.subarray(d * G * F, (d + 1) * G * F), H, F);
      onnxToTorchGates(dir.r, R.subarray(d * G * H, (d + 1) * G * H), H, H);
      if (Bias) {
        onnxToTorchGates(dir.bIh, Bias.data.subarray(d * 2 * G, d * 2 * G + G), H, 1);
        onnxToTorchGates(dir.bHh, Bias.data.subarray(d * 2 * G + G, (d + 1) * 2 * G), H, 1);
      } else {
        dir.bIh.fill(0);
        dir.bHh.fill(0);
      }
      const rev = g.reverse[d];
      for (let t = 0; t < T; t++) {
        const src = rev ? T - 1 - t : t;
        for (let b = 0; b < B; b++) {
          const from = layout === 0 ? (src * B + b) * F : (b * T + src) * F;
          dir.x.set(X.subarray(from, from + F), (t * B + b) * F);
        }
      }
      for (let b = 0; b < B; b++) for (let k = 0; k < H; k++) {
        dir.h0[b * H + k] = h0In ? h0In.data[stateIndex(layout, b, d, k, B, D, H)] : 0;
        dir.c0[b * H + k] = c0In ? c0In.data[stateIndex(layout, b, d, k, B, D, H)] : 0;
      }
      lstmLayerForward(dir.ws, dir.y, dir.hT, dir.cT, dir.x, dir.w, dir.r, dir.bIh, dir.bHh, dir.h0, dir.c0, B, T, F, H, 'timeMajor');
      for (let t = 0; t < T; t++) {
        const dst = rev ? T - 1 - t : t;
        for (let b = 0; b < B; b++) for (let k = 0; k < H; k++) Y.data[seqIndex(layout, dst, b, d, k, T, B, D, H)] = dir.y[(t * B + b) * H + k];
      }
      for (let b = 0; b < B; b++) for (let k = 0; k < H; k++) {
        Yh.data[stateIndex(layout, b, d, k, B, D, H)] = dir.hT[b * H + k];
        Yc.data[stateIndex(layout, b, d, k, B, D, H)] = dir.cT[b * H + k];
      }
    });
    return [Y, Yh, Yc];
  },

  backward(ctx, inputs, _outs, [dY, dYh, dYc], [dX, dW, dR, dB, , dH0, dC0]) {
    const g = geometry(ctx, inputs);
    const { T, B, F, H, D, layout } = g;
    const s = ctx.scratch as Scratch;
    const G = 4 * H;
    s.dirs.forEach((dir, d) => {
      const rev = g.reverse[d];
      for (let t = 0; t < T; t++) {
        const src = rev ? T - 1 - t : t;
        for (let b = 0; b < B; b++) for (let k = 0; k < H; k++) dir.dy[(t * B + b) * H + k] = dY ? dY.data[seqIndex(layout, src, b, d, k, T, B, D, H)] : 0;
      }
      for (let b = 0; b < B; b++) for (let k = 0; k < H; k++) {
        dir.dhT[b * H + k] = dYh ? dYh.data[stateIndex(layout, b, d, k, B, D, H)] : 0;
        dir.dcT[b * H + k] = dYc ? dYc.data[stateIndex(layout, b, d, k, B, D, H)] : 0;
      }
      for (const buf of [dir.dW, dir.dR, dir.dBIh, dir.dBHh, dir.dx, dir.dh0, dir.dc0]) buf.fill(0);
      lstmLayerBackward(dir.ws, dir.dx, dir.dW, dir.dR, dir.dBIh, dir.dBHh, dir.dh0, dir.dc0, dir.dy, dir.dhT, dir.dcT, dir.x, dir.w, dir.r, B, T, F, H, 'timeMajor');
      if (dW) torchToOnnxGates(dW.data.subarray(d * G * F, (d + 1) * G * F), dir.dW, H, F, true);
      if (dR) torchToOnnxGates(dR.data.subarray(d * G * H, (d + 1) * G * H), dir.dR, H, H, true);
      if (dB) {
        torchToOnnxGates(dB.data.subarray(d * 2 * G, d * 2 * G + G), dir.dBIh, H, 1, true);
        torchToOnnxGates(dB.data.subarray(d * 2 * G + G, (d + 1) * 2 * G), dir.dBHh, H, 1, true);
      }
      if (dX) {
        for (let t = 0; t < T; t++) {
          const dst = rev ? T - 1 - t : t;
          for (let b = 0; b < B; b++) {
            const to = layout === 0 ? (dst * B + b) * F : (b * T + dst) * F;
            const from = (t * B + b) * F;
            for (let k = 0; k < F; k++) dX.data[to + k] += dir.dx[from + k];
          }
        }
      }
      for (let b = 0; b < B; b++) for (let k = 0; k < H; k++) {
        const i = stateIndex(layout, b, d, k, B, D, H);
        if (dH0) dH0.data[i] += dir.dh0[b * H + k];
        if (dC0) dC0.data[i] += dir.dc0[b * H + k];
      }
    });
  },
};
