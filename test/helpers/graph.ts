// Builds small graphs for tests and checks their gradients in float64 against finite differences.

import type { AttrValue, Graph, GraphNode } from '../../engine/graph/graph.js';
import { GraphRunner } from '../../engine/graph/runner.js';
import { ParamStore } from '../../engine/params.js';
import { type FloatTensor, type Tensor, floatTensor } from '../../engine/tensor.js';
import { expectGradient, randomArray } from './gradcheck.js';

export interface TestGraphSpec {
  /** Float inputs fed at run time (gradients checked too). */
  inputs: Record<string, number[]>;
  /** Trainable parameters (gradients checked). */
  params?: Record<string, number[]>;
  /** Fixed tensors (integer shapes, indices ...). */
  constants?: Record<string, Tensor>;
  nodes: { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, AttrValue> }[];
  outputs: string[];
  opset?: number;
}

export function buildGraph(spec: TestGraphSpec, ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array): Graph {
  const params = new ParamStore(Object.entries(spec.params ?? {}).map(([name, shape]) => ({ name, shape })), ctor);
  params.list.forEach((p, i) => params.set(p.name, randomArray(p.size, 100 + i)));
  const nodes: GraphNode[] = spec.nodes.map((n, i) => ({ name: `${n.op}_${i}`, op: n.op, inputs: n.inputs, outputs: n.outputs, attrs: n.attrs ?? {} }));
  return {
    name: 'test',
    opset: spec.opset ?? 17,
    inputs: Object.entries(spec.inputs).map(([name, shape]) => ({ name, dtype: 'float32', shape })),
    outputs: spec.outputs.map((name) => ({ name, dtype: 'float32', shape: [] })),
    nodes,
    params,
    constants: new Map(Object.entries(spec.constants ?? {})),
  };
}

/** Runs the graph on seeded inputs; checks d(Σ g·out)/d(every input and parameter) by central differences. */
export function checkGraphGradients(spec: TestGraphSpec, seed = 1): void {
  const graph = buildGraph(spec);
  const runner = new GraphRunner(graph, { inputGradients: true });
  const inputs: Record<string, FloatTensor> = {};
  Object.entries(spec.inputs).forEach(([name, shape], i) => {
    const t = floatTensor(shape, undefined, Float64Array);
    t.data.set(randomArray(t.data.length, seed * 31 + i, 1.5));
    inputs[name] = t;
  });
  const upstream: Record<string, Float64Array> = {};
  const loss = (): number => {
    const out = runner.run(inputs);
    let s = 0;
    for (const name of spec.outputs) {
      const o = out[name];
      upstream[name] ??= randomArray(o.data.length, seed * 7 + 3);
      for (let i = 0; i < o.data.length; i++) s += upstream[name][i] * o.data[i];
    }
    return s;
  };
  loss();
  runner.params.zeroGrad();
  const outs = runner.run(inputs);
  const dOut: Record<string, FloatTensor> = {};
  for (const name of spec.outputs) dOut[name] = floatTensor(outs[name].shape, upstream[name], Float64Array);
  runner.backwardAll(dOut);
  const analytic: Record<string, Float64Array> = {};
  for (const name of Object.keys(spec.inputs)) analytic[name] = Float64Array.from(runner.inputGradient(name)?.data ?? new Float64Array(inputs[name].data.length));
  for (const p of runner.params.list) analytic[p.name] = Float64Array.from(p.grad);
  for (const name of Object.keys(spec.inputs)) expectGradient(loss, inputs[name].data as Float64Array, analytic[name], `d/d${name}`);
  for (const p of runner.params.list) expectGradient(loss, p.value as Float64Array, analytic[p.name], `d/d${p.name}`);
}

export function runGraph(spec: TestGraphSpec, feeds: Record<string, Tensor>): Record<string, Tensor> {
  return new GraphRunner(buildGraph(spec)).run(feeds);
}
