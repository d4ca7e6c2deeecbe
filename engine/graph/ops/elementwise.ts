// Add, Sub, Mul, Div with multidirectional broadcasting; float (differentiable) and int64
// (shape arithmetic in exported graphs; Div truncates toward zero as ONNX integer division).

import { type FloatTensor, type IntTensor, type Tensor } from '../../tensor.js';
import { type BroadcastPlan, planBroadcast } from '../broadcast.js';
import type { MaybeFloat, MaybeTensor, Op, OpContext } from '../op.js';

type Kind = 'Add' | 'Sub' | 'Mul' | 'Div';

function apply(kind: Kind, x: number, y: number): number {
  switch (kind) {
    case 'Add': return x + y;
    case 'Sub': return x - y;
    case 'Mul': return x * y;
    case 'Div': return x / y;
  }
}

function binary(kind: Kind): Op {
  return {
    forward(ctx: OpContext, [a, b]: readonly MaybeTensor[]): Tensor[] {
      if (!a || !b) throw new Error(`${kind} needs two inputs`);
      if (a.dtype !== b.dtype) throw new Error(`${kind} inputs differ in type (${a.dtype} vs ${b.dtype})`);
      const plan = planBroadcast(a.shape, b.shape, ctx.scratch as BroadcastPlan | undefined);
      ctx.scratch = plan;
      const ad = a.data, bd = b.data;
      const ai = plan.a, bi = plan.b;
      if (a.dtype === 'int64') {
        const out: IntTensor = { dtype: 'int64', shape: plan.shape, data: new Float64Array(plan.shape.reduce((p, d) => p * d, 1)) };
        for (let k = 0; k < out.data.length; k++) {
          const v = apply(kind, ad[ai ? ai[k] : k], bd[bi ? bi[k] : k]);
          out.data[k] = kind === 'Div' ? Math.trunc(v) : v;
        }
        return [out];
      }
      const out = ctx.floatOut(0, plan.shape);
      const o = out.data;
      const n = o.length;
      if (!ai && !bi) {
        switch (kind) {
          case 'Add': for (let k = 0; k < n; k++) o[k] = ad[k] + bd[k]; break;
          case 'Sub': for (let k = 0; k < n; k++) o[k] = ad[k] - bd[k]; break;
          case 'Mul': for (let k = 0; k < n; k++) o[k] = ad[k] * bd[k]; break;
          case 'Div': for (let k = 0; k < n; k++) o[k] = ad[k] / bd[k]; break;
        }
      } else {
        for (let k = 0; k < n; k++) o[k] = apply(kind, ad[ai ? ai[k] : k], bd[bi ? bi[k] : k]);
      }
      return [out];
    },
    backward(ctx, [a, b], _outs, [dOut], [dA, dB]) {
      if (!dOut) return;
      const plan = ctx.scratch as BroadcastPlan;
      const ad = (a as FloatTensor).data, bd = (b as FloatTensor).data, g = dOut.data;
      const ai = plan.a, bi = plan.b;
      const n = g.length;
      if (dA) {
        const d = dA.data;
        for (let k = 0; k < n; k++) {
          const ia = ai ? ai[k] : k;
          switch (kind) {
            case 'Add': case 'Sub': d[ia] += g[k]; break;
            case 'Mul': d[ia] += g[k] * bd[bi ? bi[k] : k]; break;
            case 'Div': d[ia] += g[k] / bd[bi ? bi[k] : k]; break;
          }
        }
      }
      if (dB) {
        const d = dB.data;
        for (let k = 0; k < n; k++) {
          const ib = bi ? bi[k] : k;
          switch (kind) {
            case 'Add': d[ib] += g[k]; break;
            case 'Sub': d[ib] -= g[k]; break;
            case 'Mul': d[ib] += g[k] * ad[ai ? ai[k] : k]; break;
            case 'Div': {
              const y = bd[ib];
              d[ib] -= (g[k] * ad[ai ? ai[k] : k]) / (y * y);
              break;
            }
          }
        }
      }
    },
  };
}

export const Add = binary('Add');
export const Sub = binary('Sub');
export const Mul = binary('Mul');
export const Div = binary('Div');
