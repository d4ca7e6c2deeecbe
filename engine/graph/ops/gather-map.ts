// Transpose, Slice, Gather, Expand, Tile: each output element is a copy of one input element.
// The op computes, once per input shape (and index values), the source offset of every output
// element; forward is then out[k] = x[map[k]] and backward dX[map[k]] += dOut[k], for any dtype.

import { type Tensor, sizeOf, stridesOf } from '../../tensor.js';
import { attrInts, attrNumber } from '../graph.js';
import { broadcastOffsets, broadcastShape, stridedOffsets } from '../broadcast.js';
import type { MaybeTensor, Op, OpContext } from '../op.js';
import { need, normAxis, readInts } from './util.js';

interface Plan {
  key: string;
  shape: number[];
  map: Int32Array;
}

type Planner = (ctx: OpContext, x: Tensor, inputs: readonly MaybeTensor[]) => { key: string; build: () => { shape: number[]; map: Int32Array } };

function mapOp(planner: Planner, nonDifferentiableInputs: number[]): Op {
  return {
    forward(ctx, inputs) {
      const x = need(inputs[0], 'data');
      const { key, build } = planner(ctx, x, inputs);
      let plan = ctx.scratch as Plan | undefined;
      if (!plan || plan.key !== key) ctx.scratch = plan = { key, ...build() };
      const { map } = plan;
      if (x.dtype === 'int64') {
        const data = new Float64Array(map.length);
        for (let k = 0; k < map.length; k++) data[k] = x.data[map[k]];
        return [{ dtype: 'int64', shape: plan.shape, data }];
      }
      const out = ctx.floatOut(0, plan.shape);
      const o = out.data, src = x.data;
      for (let k = 0; k < map.length; k++) o[k] = src[map[k]];
      return [out];
    },
    backward(ctx, _ins, _outs, [dOut], [dX]) {
      if (!dOut || !dX) return;
      const { map } = ctx.scratch as Plan;
      const d = dX.data, g = dOut.data;
      for (let k = 0; k < map.length; k++) d[map[k]] += g[k];
    },
    nonDifferentiableInputs,
  };
}

export const Transpose = mapOp((ctx, x) => {
  const rank = x.shape.length;
  const perm = attrInts(ctx.node, 'perm') ?? [...Array(rank).keys()].reverse();
  if (perm.length !== rank || new Set(perm).size !== rank || perm.some((p) => p < 0 || p >= rank)) {
    throw new Error(`Transpose: perm [${perm}] is not a permutation of rank ${rank}`);
  }
  return {
    key: `${x.shape}|${perm}`,
    build: () => {
      const inStrides = stridesOf(x.shape);
      return { shape: perm.map((p) => x.shape[p]), map: stridedOffsets(perm.map((p) => x.shape[p]), perm.map((p) => inStrides[p])) };
    },
  };
}, []);

/** Start/end/step per axis after ONNX's clamping rules, as (start, count, step). */
function sliceAxis(dim: number, start: number, end: number, step: number): [number, number] {
  if (step === 0) throw new Error('Slice: step cannot be 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return [s, Math.max(0, Math.ceil((e - s) / step))];
  }
  s = Math.min(Math.max(s, 0), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return [s, Math.max(0, Math.ceil((e - s) / step))];
}

export const Slice = mapOp((ctx, x, inputs) => {
  let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset >= 10) {
    starts = readInts(inputs[1], 'starts');
    ends = readInts(inputs[2], 'ends');
    axes = inputs[3] ? readInts(inputs[3], 'axes') : undefined;
    steps = inputs[4] ? readInts(inputs[4], 'steps') : undefined;
  } else {
    starts = [...(attrInts(ctx.node, 'starts') ?? [])];
    ends = [...(attrInts(ctx.node, 'ends') ?? [])];
    axes = attrInts(ctx.node, 'axes') ? [...attrInts(ctx.node, 'axes')!] : undefined;
  }
  if (starts.length !== ends.length) throw new Error(`Slice: ${starts.length} starts but ${ends.length} ends`);
  return {
    key: `${x.shape}|${starts}|${ends}|${axes}|${steps}`,
    build: () => {
      const rank = x.shape.length;
      const begin = new Array<number>(rank).fill(0);
      const shape = [...x.shape];
      const stepOf = new Array<number>(rank).fill(1);
      (axes ?? starts.map((_, i) => i)).forEach((axis, i) => {
        const a = normAxis(axis, rank, 'Slice axis');
        const step = steps ? steps[i] : 1;
        const [s, count] = sliceAxis(x.shape[a], starts[i], ends[i], step);
        begin[a] = s;
        shape[a] = count;
        stepOf[a] = step;
      });
      const inStrides = stridesOf(x.shape);
      const base = begin.reduce((p, b, a) => p + b * inStrides[a], 0);
      return { shape, map: stridedOffsets(shape, inStrides.map((st, a) => st * stepOf[a]), base) };
    },
  };
}, [1, 2, 3, 4]);

export const Gather = mapOp((ctx, x, inputs) => {
  const indices = need(inputs[1], 'indices');
  if (indices.dtype !== 'int64') throw new Error('Gather: indices must be integers');
  const axis = normAxis(attrNumber(ctx.node, 'axis', 0), x.shape.length, 'Gather axis');
  return {
    key: `${x.shape}|${axis}|${indices.shape}|${indices.data.join(',')}`,
    build: () => {
      const dim = x.shape[axis];
      const outer = sizeOf(x.shape.slice(0, axis));
      const inner = sizeOf(x.shape.slice(axis + 1));
      const idx = Array.from(indices.data, (i) => {
        const j = i < 0 ? i + dim : i;
        if (!Number.isInteger(j) || j < 0 || j >= dim) throw new Error(`Gather: index ${i} is out of range for axis ${axis} of size ${dim}`);
        return j;
      });
      const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
      const map = new Int32Array(outer * idx.length * inner);
      let k = 0;
      for (let o = 0; o < outer; o++) for (const j of idx) for (let i = 0; i < inner; i++) map[k++] = (o * dim + j) * inner + i;
      return { shape, map };
    },
  };
}, [1]);

export const Expand = mapOp((_ctx, x, inputs) => {
  const target = readInts(inputs[1], 'shape');
  return {
    key: `${x.shape}|${target}`,
    build: () => {
      const shape = broadcastShape(x.shape, target);
      return { shape, map: broadcastOffsets(shape, x.shape) };
    },
  };
}, [1]);

export const Tile = mapOp((_ctx, x, inputs) => {
  const repeats = readInts(inputs[1], 'repeats');
  if (repeats.length !== x.shape.length) throw new Error(`Tile: ${repeats.length} repeats for rank ${x.shape.length}`);
  return {
    key: `${x.shape}|${repeats}`,
    build: () => {
      const shape = x.shape.map((d, i) => d * repeats[i]);
      const inStrides = stridesOf(x.shape);
      const n = sizeOf(shape);
      const map = new Int32Array(n);
      const outStrides = stridesOf(shape);
      for (let k = 0; k < n; k++) {
        let rem = k, off = 0;
        for (let a = 0; a < shape.length; a++) {
          const i = Math.floor(rem / outStrides[a]);
          rem -= i * outStrides[a];
          off += (i % x.shape[a]) * inStrides[a];
        }
        map[k] = off;
      }
      return { shape, map };
    },
  };
}, [1]);

