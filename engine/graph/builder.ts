// Builds a Graph node by node, for the detectors Vigil defines itself. Parameters are declared
// with their initialisers; build() allocates the one ParamStore and fills it from a seeded rng.
// The same graph is what Vigil runs, trains and exports, so it uses only ONNX operators.

import { ParamStore } from '../params.js';
import type { Rng } from '../rng.js';
import { type FloatArray, type Shape, type Tensor, intTensor } from '../tensor.js';
import type { AttrValue, ElemType, Graph, GraphNode, ValueInfo } from './graph.js';

export type Init = (values: FloatArray, rng: Rng) => void;

export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly params: { name: string; shape: Shape; init: Init }[] = [];
  private readonly constants = new Map<string, Tensor>();
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string, readonly opset = 17) {}

  private fresh(base: string): string {
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  input(name: string, shape: (number | string)[], dtype: ElemType = 'float32'): string {
    this.inputs.push({ name: this.fresh(name), dtype, shape });
    return name;
  }

  output(value: string, shape: (number | string)[], dtype: ElemType = 'float32'): void {
    this.outputs.push({ name: value, dtype, shape });
  }

  param(name: string, shape: Shape, init: Init): string {
    const n = this.fresh(name);
    this.params.push({ name: n, shape, init });
    return n;
  }

  /** An int64 constant, for shapes, axes and indices. */
  ints(name: string, values: readonly number[], shape: Shape = [values.length]): string {
    const n = this.fresh(name);
    this.constants.set(n, intTensor(shape, values));
    return n;
  }

  /** Adds a node; returns its output names (`outputs` of them; '' inputs mark omitted optional inputs). */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outputs = 1, name?: string): string[] {
    const nodeName = this.fresh(name ?? op.toLowerCase());
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(`${nodeName}_out${i}`));
    this.nodes.push({ name: nodeName, op, inputs: [...inputs], outputs: outs, attrs });
    return outs;
  }

  /** A node with one output. */
  op(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, name?: string): string {
    return this.node(op, inputs, attrs, 1, name)[0];
  }

  build(rng: Rng, ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array): Graph {
    const store = new ParamStore(this.params, ctor);
    for (const p of this.params) p.init(store.get(p.name).value, rng);
    return {
      name: this.name,
      opset: this.opset,
      inputs: this.inputs,
      outputs: this.outputs,
      nodes: this.nodes,
      params: store,
      constants: this.constants,
    };
  }
}
