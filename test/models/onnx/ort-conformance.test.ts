// Every operator Vigil runs, checked against onnxruntime-node on the same single-node model:
// the engine's forward semantics (broadcasting, padding rules, LSTM gate order and layouts,
// slicing sentinels ...) are proven against an independent implementation of the spec.
import { describe, expect, it } from 'vitest';
import type { AttrValue, Graph } from '../../../engine/graph/graph.js';
import { GraphRunner } from '../../../engine/graph/runner.js';
import { ParamStore } from '../../../engine/params.js';
import { type Tensor, floatTensor, intTensor } from '../../../engine/tensor.js';
import { exportOnnx } from '../../../models/onnx/export.js';
import { encodeModel } from '../../../models/onnx/proto/index.js';
import { expectClose, randomArray } from '../../helpers/gradcheck.js';
import { runOrt } from '../../helpers/ort.js';

interface Case {
  name: string;
  op: string;
  inputs: (Tensor | string)[]; // a tensor is a graph input; '' an omitted optional input
  attrs?: Record<string, AttrValue>;
  outputs?: number;
  opset?: number;
}

const f = (shape: number[], seed: number, scale = 1): Tensor => floatTensor(shape, Float32Array.from(randomArray(shape.reduce((a, b) => a * b, 1), seed, scale)));
const ints = (...v: number[]): Tensor => intTensor([v.length], v);

const cases: Case[] = [
  { name: 'Add broadcast', op: 'Add', inputs: [f([2, 3, 4], 1), f([3, 1], 2)] },
  { name: 'Sub', op: 'Sub', inputs: [f([4], 1), f([2, 4], 2)] },
  { name: 'Mul', op: 'Mul', inputs: [f([2, 3], 1), f([1], 2)] },
  { name: 'Div', op: 'Div', inputs: [f([2, 3], 1), f([2, 3], 2).data.map((v) => v + 3) && floatTensor([2, 3], [1, 2, 3, 4, 5, 6])] },
  { name: 'Relu', op: 'Relu', inputs: [f([3, 4], 3)] },
  { name: 'LeakyRelu', op: 'LeakyRelu', inputs: [f([3, 4], 3)], attrs: { alpha: 0.2 } },
  { name: 'Sigmoid', op: 'Sigmoid', inputs: [f([3, 4], 3, 5)] },
  { name: 'Tanh', op: 'Tanh', inputs: [f([3, 4], 3, 3)] },
  { name: 'Gemm transB alpha beta', op: 'Gemm', inputs: [f([3, 4], 1), f([5, 4], 2), f([5], 3)], attrs: { transB: 1, alpha: 0.5, beta: 2 } },
  { name: 'Gemm transA', op: 'Gemm', inputs: [f([4, 3], 1), f([4, 5], 2), f([3, 1], 3)], attrs: { transA: 1 } },
  { name: 'MatMul batched', op: 'MatMul', inputs: [f([2, 3, 4], 1), f([4, 5], 2)] },
  { name: 'MatMul broadcast batch', op: 'MatMul', inputs: [f([2, 1, 3, 4], 1), f([5, 4, 2], 2)] },
  { name: 'Transpose', op: 'Transpose', inputs: [f([2, 3, 4], 1)], attrs: { perm: [1, 2, 0] } },
  { name: 'Reshape', op: 'Reshape', inputs: [f([2, 3, 4], 1), ints(0, -1, 2)] },
  { name: 'Flatten', op: 'Flatten', inputs: [f([2, 3, 4], 1)], attrs: { axis: 2 } },
  { name: 'Squeeze', op: 'Squeeze', inputs: [f([2, 1, 4], 1), ints(1)] },
  { name: 'Unsqueeze', op: 'Unsqueeze', inputs: [f([2, 4], 1), ints(0, -1)] },
  { name: 'Gather', op: 'Gather', inputs: [f([3, 4], 1), intTensor([2], [2, -1])], attrs: { axis: 1 } },
  { name: 'Slice steps', op: 'Slice', inputs: [f([5, 6], 1), ints(4, 1), ints(-9.2e18, 9.2e18), ints(0, 1), ints(-2, 2)] },
  { name: 'Concat', op: 'Concat', inputs: [f([2, 3], 1), f([2, 1], 2)], attrs: { axis: -1 } },
  { name: 'Shape', op: 'Shape', inputs: [f([2, 3, 4], 1)], opset: 15, attrs: { start: 1 } },
  { name: 'ConstantOfShape', op: 'ConstantOfShape', inputs: [ints(2, 3)], attrs: { value: floatTensor([1], [1.5]) } },
  { name: 'Expand', op: 'Expand', inputs: [f([3, 1], 1), ints(2, 1, 4)] },
  { name: 'Tile', op: 'Tile', inputs: [f([2, 3], 1), ints(2, 1)] },
  { name: 'Identity', op: 'Identity', inputs: [f([2, 3], 1)] },
  { name: 'Conv 1-D strided, dilated, grouped', op: 'Conv', inputs: [f([2, 4, 11], 1), f([6, 2, 3], 2), f([6], 3)], attrs: { strides: [2], pads: [2, 1], dilations: [2], group: 2 } },
  { name: 'Conv 1-D SAME_UPPER', op: 'Conv', inputs: [f([1, 2, 7], 1), f([3, 2, 4], 2)], attrs: { strides: [2], auto_pad: 'SAME_UPPER' } },
  { name: 'Conv 2-D', op: 'Conv', inputs: [f([1, 2, 5, 6], 1), f([3, 2, 3, 2], 2), f([3], 3)], attrs: { strides: [2, 1], pads: [1, 0, 1, 1] } },
  { name: 'ConvTranspose 1-D output_padding', op: 'ConvTranspose', inputs: [f([2, 4, 5], 1), f([4, 3, 5], 2), f([3], 3)], attrs: { strides: [2], pads: [2, 2], output_padding: [1] } },
  { name: 'ConvTranspose 1-D output_shape', op: 'ConvTranspose', inputs: [f([1, 4, 5], 1), f([4, 3, 5], 2)], attrs: { strides: [2], output_shape: [11] } },
  { name: 'ConvTranspose 2-D', op: 'ConvTranspose', inputs: [f([1, 2, 3, 4], 1), f([2, 3, 2, 3], 2)], attrs: { strides: [1, 2], pads: [0, 1, 0, 1], output_padding: [0, 1] } },
];

// LSTM in every configuration the importer accepts.
for (const [direction, layout, withState] of [['forward', 0, false], ['forward', 0, true], ['forward', 1, true], ['reverse', 0, true], ['bidirectional', 0, true]] as const) {
  const D = direction === 'bidirectional' ? 2 : 1;
  const [T, B, F, H] = [5, 2, 3, 4];
  const x = layout === 0 ? f([T, B, F], 1) : f([B, T, F], 1);
  const state = (seed: number) => (layout === 0 ? f([D, B, H], seed) : f([B, D, H], seed));
  cases.push({
    name: `LSTM ${direction} layout ${layout}${withState ? ' with initial state' : ''}`,
    op: 'LSTM',
    inputs: [x, f([D, 4 * H, F], 2, 0.5), f([D, 4 * H, H], 3, 0.5), f([D, 8 * H], 4, 0.5), '', ...(withState ? [state(5), state(6)] : [])],
    attrs: { hidden_size: H, direction, layout },
    outputs: 3,
  });
}

function singleNodeGraph(c: Case): { graph: Graph; feeds: Record<string, Tensor> } {
  const feeds: Record<string, Tensor> = {};
  const names = c.inputs.map((t, i) => {
    if (typeof t === 'string') return t;
    feeds[`in${i}`] = t;
    return `in${i}`;
  });
  const outputs = Array.from({ length: c.outputs ?? 1 }, (_, i) => `out${i}`);
  const graph: Graph = {
    name: c.name,
    opset: c.opset ?? 17,
    inputs: Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] })),
    outputs: outputs.map((name) => ({ name, dtype: c.op === 'Shape' ? 'int64' : 'float32', shape: null })),
    nodes: [{ name: 'node', op: c.op, inputs: names, outputs, attrs: c.attrs ?? {} }],
    params: new ParamStore([]),
    constants: new Map(),
  };
  return { graph, feeds };
}

/** Swaps the first two axes of a rank-3 or rank-4 float tensor (the LSTM layout change). */
function swap01(t: Tensor): Tensor {
  const [a, b, ...rest] = t.shape;
  const inner = rest.reduce((p, d) => p * d, 1);
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(t.data.subarray((i * b + j) * inner, (i * b + j + 1) * inner), (j * a + i) * inner);
  return floatTensor([b, a, ...rest], out);
}

/** onnxruntime refuses LSTM layout 1, so its reference is layout 0 on transposed inputs, transposed back. */
async function ortReference(c: Case, graph: Graph, feeds: Record<string, Tensor>): Promise<Record<string, { dims: readonly number[]; data: Float32Array | BigInt64Array }>> {
  if (c.op !== 'LSTM' || c.attrs?.layout !== 1) return runOrt(encodeModel(exportOnnx(graph)), feeds);
  const layout0: Graph = { ...graph, inputs: graph.inputs.map((i) => ({ ...i, shape: null })), nodes: graph.nodes.map((n) => ({ ...n, attrs: { ...n.attrs, layout: 0 } })) };
  const swapped = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, ['in0', 'in5', 'in6'].includes(k) ? swap01(t) : t]));
  const out = await runOrt(encodeModel(exportOnnx(layout0)), swapped);
  const back: Record<string, { dims: readonly number[]; data: Float32Array | BigInt64Array }> = {};
  for (const [k, v] of Object.entries(out)) {
    // Y [T,D,B,H] → [B,T,D,H]; Y_h/Y_c [D,B,H] → [B,D,H].
    let t: Tensor = floatTensor([...v.dims], v.data as Float32Array);
    if (k === 'out0') t = swap01(floatTensor([v.dims[0] * v.dims[1], v.dims[2], v.dims[3]], v.data as Float32Array));
    else t = swap01(t);
    const dims = k === 'out0' ? [v.dims[2], v.dims[0], v.dims[1], v.dims[3]] : [...t.shape];
    back[k] = { dims, data: t.data as Float32Array };
  }
  return back;
}

describe('engine operators agree with onnxruntime-node', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { graph, feeds } = singleNodeGraph(c);
      const mine = new GraphRunner(graph).run(feeds);
      const theirs = await ortReference(c, graph, feeds);
      for (const o of graph.outputs) {
        const a = mine[o.name], b = theirs[o.name];
        expect([...a.shape], `${o.name} shape`).toEqual([...b.dims]);
        const expected = b.data instanceof BigInt64Array ? Array.from(b.data, Number) : b.data;
        expectClose(a.data, expected, { rtol: 1e-5, atol: 1e-6 }, o.name);
      }
    });
  }
});
