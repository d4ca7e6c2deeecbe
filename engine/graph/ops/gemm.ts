// Gemm: Y = alpha·op(A)·op(B) + beta·C, C unidirectionally broadcast to [M, N] (PyTorch's Linear
// exports as Gemm with transB = 1). Backward follows from d op(A) = dY·op(B)ᵀ, d op(B) = op(A)ᵀ·dY.

import { matmulForward } from '../../kernels/matmul.js';
import type { FloatArray, FloatTensor } from '../../tensor.js';
import { attrNumber } from '../graph.js';
import { broadcastOffsets } from '../broadcast.js';
import type { Op } from '../op.js';

interface GemmScratch {
  cKey: string;
  cMap: Int32Array | null; // C offset per output element, null when C is [M, N]
  tmp?: FloatArray;
}

function dims(a: FloatTensor, b: FloatTensor, transA: boolean, transB: boolean): [number, number, number] {
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`Gemm needs 2-D A and B, got A [${a.shape}] and B [${b.shape}]`);
  const M = transA ? a.shape[1] : a.shape[0];
  const K = transA ? a.shape[0] : a.shape[1];
  const Kb = transB ? b.shape[1] : b.shape[0];
  const N = transB ? b.shape[0] : b.shape[1];
  if (K !== Kb) throw new Error(`Gemm: A [${a.shape}] (transA=${+transA}) and B [${b.shape}] (transB=${+transB}) disagree on K (${K} vs ${Kb})`);
  return [M, K, N];
}

export const Gemm: Op = {
  forward(ctx, [a, b, c]) {
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('Gemm needs float A and B');
    const transA = attrNumber(ctx.node, 'transA', 0) !== 0;
    const transB = attrNumber(ctx.node, 'transB', 0) !== 0;
    const alpha = attrNumber(ctx.node, 'alpha', 1);
    const beta = attrNumber(ctx.node, 'beta', 1);
    const [M, K, N] = dims(a, b, transA, transB);
    const out = ctx.floatOut(0, [M, N]);
    const y = out.data;
    matmulForward(y, a.data, b.data, M, K, N, transA, transB);
    if (alpha !== 1) for (let i = 0; i < y.length; i++) y[i] *= alpha;
    if (c && beta !== 0) {
      if (c.dtype !== 'float32') throw new Error('Gemm needs a float C');
      const key = c.shape.join(',') + '|' + M + ',' + N;
      let s = ctx.scratch as GemmScratch | undefined;
      if (!s || s.cKey !== key) {
        const full = c.shape.length === 2 && c.shape[0] === M && c.shape[1] === N;
        s = { cKey: key, cMap: full ? null : broadcastOffsets([M, N], c.shape) };
        ctx.scratch = s;
      }
      const cd = c.data;
      const map = s.cMap;
      if (!map) for (let i = 0; i < y.length; i++) y[i] += beta * cd[i];
      else if (beta === 1) for (let i = 0; i < y.length; i++) y[i] += cd[map[i]];
      else for (let i = 0; i < y.length; i++) y[i] += beta * cd[map[i]];
    }
    return [out];
  },

  backward(ctx, [a, b, c], _outs, [dY], [dA, dB, dC]) {
    if (!dY) return;
    const A = a as FloatTensor, B = b as FloatTensor;
    const transA = attrNumber(ctx.node, 'transA', 0) !== 0;
    const transB = attrNumber(ctx.node, 'transB', 0) !== 0;
    const alpha = attrNumber(ctx.node, 'alpha', 1);
    const beta = attrNumber(ctx.node, 'beta', 1);
    const [M, K, N] = dims(A, B, transA, transB);
    let g = dY.data;
    if (alpha !== 1) {
      const s = ctx.scratch as GemmScratch | undefined;
      const tmp = s?.tmp && s.tmp.length === g.length ? s.tmp : new ctx.ctor(g.length);
      for (let i = 0; i < g.length; i++) tmp[i] = alpha * g[i];
      if (s) s.tmp = tmp;
      g = tmp;
    }
    if (dA) {
      if (!transA) matmulForward(dA.data, g, B.data, M, N, K, false, !transB, true);
      else matmulForward(dA.data, B.data, g, K, N, M, transB, true, true);
    }
    if (dB) {
      if (!transB) matmulForward(dB.data, A.data, g, K, M, N, !transA, false, true);
      else matmulForward(dB.data, g, A.data, N, M, K, true, transA, true);
    }
    if (dC && c) {
      const map = (ctx.scratch as GemmScratch | undefined)?.cMap ?? null;
      const d = dC.data, y = dY.data;
      for (let i = 0; i < y.length; i++) d[map ? map[i] : i] += beta * y[i];
    }
  },
};
