// MatMul with numpy semantics: [..., M, K] · [..., K, N], leading (batch) axes broadcast, 1-D
// operands promoted and the added axis removed. Keras/TF exports Dense on sequences this way
// ([B, T, H] · [H, O]); that case is one kernel call over B·T rows.

import { matmulForward } from '../../kernels/matmul.js';
import { type FloatTensor, type Shape, sizeOf } from '../../tensor.js';
import { broadcastOffsets, broadcastShape } from '../broadcast.js';
import type { Op } from '../op.js';

interface MatMulPlan {
  key: string;
  M: number;
  K: number;
  N: number;
  outShape: number[];
  batches: number;
  aOff: Int32Array; // per batch: offset of A's matrix (in matrices)
  bOff: Int32Array;
  /** B is one shared matrix and A's batches are contiguous: do one [batches·M, K]·[K, N] call. */
  flat: boolean;
}

function plan(aShape: Shape, bShape: Shape): MatMulPlan {
  if (aShape.length === 0 || bShape.length === 0) throw new Error('MatMul does not take scalars');
  const a = aShape.length === 1 ? [1, aShape[0]] : [...aShape];
  const b = bShape.length === 1 ? [bShape[0], 1] : [...bShape];
  const M = a[a.length - 2], K = a[a.length - 1];
  const Kb = b[b.length - 2], N = b[b.length - 1];
  if (K !== Kb) throw new Error(`MatMul: [${aShape}] · [${bShape}] disagree on the inner dimension (${K} vs ${Kb})`);
  const batchA = a.slice(0, -2), batchB = b.slice(0, -2);
  const batch = broadcastShape(batchA, batchB);
  const batches = sizeOf(batch);
  const outShape = [...batch];
  if (aShape.length > 1) outShape.push(M);
  if (bShape.length > 1) outShape.push(N);
  const aOff = broadcastOffsets(batch, batchA);
  const bOff = broadcastOffsets(batch, batchB);
  const flat = sizeOf(batchB) === 1 && sizeOf(batchA) === batches;
  return { key: `${aShape}|${bShape}`, M, K, N, outShape, batches, aOff, bOff, flat };
}

export const MatMul: Op = {
  forward(ctx, [a, b]) {
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('MatMul needs two float inputs');
    let p = ctx.scratch as MatMulPlan | undefined;
    const key = `${a.shape}|${b.shape}`;
    if (!p || p.key !== key) ctx.scratch = p = plan(a.shape, b.shape);
    const out = ctx.floatOut(0, p.outShape);
    const { M, K, N } = p;
    if (p.flat) {
      matmulForward(out.data, a.data, b.data, p.batches * M, K, N);
    } else {
      for (let i = 0; i < p.batches; i++) {
        matmulForward(out.data.subarray(i * M * N, (i + 1) * M * N), a.data.subarray(p.aOff[i] * M * K), b.data.subarray(p.bOff[i] * K * N), M, K, N);
      }
    }
    return [out];
  },

  backward(ctx, [a, b], _outs, [dY], [dA, dB]) {
    if (!dY) return;
    const p = ctx.scratch as MatMulPlan;
    const A = a as FloatTensor, B = b as FloatTensor, g = dY.data;
    const { M, K, N } = p;
    if (p.flat) {
      const rows = p.batches * M;
      if (dA) matmulForward(dA.data, g, B.data, rows, N, K, false, true, true);
      if (dB) matmulForward(dB.data, A.data, g, K, rows, N, true, false, true);
      return;
    }
    for (let i = 0; i < p.batches; i++) {
      const gi = g.subarray(i * M * N, (i + 1) * M * N);
      if (dA) matmulForward(dA.data.subarray(p.aOff[i] * M * K), gi, B.data.subarray(p.bOff[i] * K * N), M, N, K, false, true, true);
      if (dB) matmulForward(dB.data.subarray(p.bOff[i] * K * N), A.data.subarray(p.aOff[i] * M * K), gi, K, M, N, true, false, true);
    }
  },
};
