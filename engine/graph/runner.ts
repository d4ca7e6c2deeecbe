// Runs a Graph forward and backward. Value names are compiled to slots once; each node keeps
// its output buffers between runs (reused while shapes hold), so steady-state inference does
// not allocate. Backward walks the nodes in reverse and lets each op add into gradient buffers:
// parameters' gradients go straight into the ParamStore (principle 5).

import type { Trainable } from '../model.js';
import type { ParamStore } from '../params.js';
import { type FloatArrayConstructor, type FloatTensor, type Shape, type Tensor, sizeOf, shapeString } from '../tensor.js';
import { type Graph, type GraphNode, GraphError } from './graph.js';
import type { MaybeFloat, MaybeTensor, Op, OpContext } from './op.js';
import { lookupOp } from './ops/registry.js';

interface CompiledNode {
  readonly node: GraphNode;
  readonly op: Op;
  readonly inputSlots: readonly number[]; // -1 for an omitted optional input
  readonly outputSlots: readonly number[];
  readonly ctx: NodeContext;
  /** True when some input needs a gradient, so backward must visit this node. */
  readonly onGradPath: boolean;
}

class NodeContext implements OpContext {
  scratch: unknown = undefined;
  private readonly outs: (FloatTensor | undefined)[] = [];
  constructor(readonly node: GraphNode, readonly opset: number, readonly ctor: FloatArrayConstructor) {}
  floatOut(index: number, shape: Shape): FloatTensor {
    const prev = this.outs[index];
    const n = sizeOf(shape);
    if (prev && prev.data.length === n) {
      const t: FloatTensor = { dtype: 'float32', shape: [...shape], data: prev.data };
      this.outs[index] = t;
      return t;
    }
    const t: FloatTensor = { dtype: 'float32', shape: [...shape], data: new this.ctor(n) };
    this.outs[index] = t;
    return t;
  }
}

export interface RunnerOptions {
  /** Also compute gradients with respect to the graph inputs (gradient checks). */
  inputGradients?: boolean;
}

export class GraphRunner implements Trainable {
  readonly params: ParamStore;
  private readonly slotOf = new Map<string, number>();
  private readonly values: MaybeTensor[];
  private readonly grads: MaybeFloat[];
  private readonly requiresGrad: boolean[];
  private readonly isParam: boolean[];
  private readonly nodes: CompiledNode[] = [];
  private readonly inputSlots: number[];
  private readonly outputSlots: number[];
  private readonly ctor: FloatArrayConstructor;
  private ranForward = false;

  constructor(readonly graph: Graph, options: RunnerOptions = {}) {
    this.params = graph.params;
    this.ctor = graph.params.values.constructor as FloatArrayConstructor;
    const slot = (name: string): number => {
      let s = this.slotOf.get(name);
      if (s === undefined) {
        s = this.slotOf.size;
        this.slotOf.set(name, s);
      }
      return s;
    };
    for (const p of graph.params.list) slot(p.name);
    for (const name of graph.constants.keys()) slot(name);
    for (const i of graph.inputs) slot(i.name);
    const known = new Set(this.slotOf.keys());
    const compiled: Omit<CompiledNode, 'onGradPath'>[] = [];
    for (const node of graph.nodes) {
      const op = lookupOp(node);
      const inputSlots = node.inputs.map((name) => {
        if (name === '') return -1;
        if (!known.has(name)) throw new GraphError(node, `input '${name}' is not produced by any earlier node, initializer or graph input`);
        return slot(name);
      });
      const outputSlots = node.outputs.map((name) => (name === '' ? -1 : slot(name)));
      for (const name of node.outputs) if (name !== '') known.add(name);
      compiled.push({ node, op, inputSlots, outputSlots, ctx: new NodeContext(node, graph.opset, this.ctor) });
    }
    for (const o of graph.outputs) {
      if (!known.has(o.name)) throw new Error(`graph output '${o.name}' is not produced by any node`);
    }
    const n = this.slotOf.size;
    this.values = new Array<MaybeTensor>(n).fill(undefined);
    this.grads = new Array<MaybeFloat>(n).fill(undefined);
    this.requiresGrad = new Array<boolean>(n).fill(false);
    this.isParam = new Array<boolean>(n).fill(false);
    for (const p of graph.params.list) {
      const s = this.slotOf.get(p.name)!;
      this.isParam[s] = true;
      this.requiresGrad[s] = true;
      this.values[s] = { dtype: 'float32', shape: p.shape, data: p.value };
      this.grads[s] = { dtype: 'float32', shape: p.shape, data: p.grad };
    }
    for (const [name, t] of graph.constants) this.values[this.slotOf.get(name)!] = t;
    this.inputSlots = graph.inputs.map((i) => this.slotOf.get(i.name)!);
    this.outputSlots = graph.outputs.map((o) => this.slotOf.get(o.name)!);
    if (options.inputGradients) for (const s of this.inputSlots) this.requiresGrad[s] = true;
    for (const c of compiled) {
      const skip = c.op.nonDifferentiableInputs ?? [];
      const onGradPath = c.op.backward !== undefined && c.inputSlots.some((s, i) => s >= 0 && this.requiresGrad[s] && !skip.includes(i));
      if (onGradPath) for (const s of c.outputSlots) if (s >= 0) this.requiresGrad[s] = true;
      this.nodes.push({ ...c, onGradPath });
    }
  }

  /** Runs the graph. Returned tensors are internal buffers, valid until the next run: copy to keep. */
  run(inputs: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
    this.graph.inputs.forEach((info, k) => {
      const t = inputs[info.name];
      if (!t) throw new Error(`missing graph input '${info.name}'`);
      checkInput(info.name, info.shape, info.dtype, t);
      this.values[this.inputSlots[k]] = t;
    });
    for (const c of this.nodes) {
      const args = c.inputSlots.map((s) => (s >= 0 ? this.values[s] : undefined));
      let outs: Tensor[];
      try {
        outs = c.op.forward(c.ctx, args);
      } catch (err) {
        if (err instanceof GraphError) throw err;
        throw new GraphError(c.node, (err as Error).message);
      }
      c.outputSlots.forEach((s, i) => {
        if (s >= 0) this.values[s] = outs[i];
      });
    }
    this.ranForward = true;
    const result: Record<string, Tensor> = {};
    this.graph.outputs.forEach((o, k) => {
      const t = this.values[this.outputSlots[k]];
      if (!t) throw new Error(`graph output '${o.name}' was not computed`);
      result[o.name] = t;
    });
    return result;
  }

  /** Trainable: one float input, first output. */
  forward(input: FloatTensor): FloatTensor {
    const out = this.run({ [this.graph.inputs[0].name]: input })[this.graph.outputs[0].name];
    if (out.dtype !== 'float32') throw new Error(`graph output '${this.graph.outputs[0].name}' is not a float tensor`);
    return out;
  }

  /** Trainable: gradient of the first output. */
  backward(dOutput: FloatTensor): void {
    this.backwardAll({ [this.graph.outputs[0].name]: dOutput });
  }

  /** Adds parameter gradients (and input gradients when enabled) for the last run, given output gradients. */
  backwardAll(dOutputs: Readonly<Record<string, FloatTensor>>): void {
    if (!this.ranForward) throw new Error('backward called before forward');
    // Fresh zeroed buffers for every intermediate value on the gradient path (parameters accumulate in place).
    for (let s = 0; s < this.grads.length; s++) {
      if (!this.requiresGrad[s] || this.isParam[s]) continue;
      const v = this.values[s];
      if (!v || v.dtype !== 'float32') {
        this.grads[s] = undefined;
        continue;
      }
      const g = this.grads[s];
      if (g && g.data.length === v.data.length) {
        g.data.fill(0);
        this.grads[s] = { dtype: 'float32', shape: v.shape, data: g.data };
      } else {
        this.grads[s] = { dtype: 'float32', shape: v.shape, data: new this.ctor(v.data.length) };
      }
    }
    for (const [name, d] of Object.entries(dOutputs)) {
      const s = this.slotOf.get(name);
      if (s === undefined || !this.outputSlots.includes(s)) throw new Error(`'${name}' is not a graph output`);
      const g = this.grads[s];
      if (!g) continue; // output does not depend on any parameter
      if (d.data.length !== g.data.length) throw new Error(`gradient for '${name}' has ${d.data.length} values, output has ${g.data.length}`);
      for (let i = 0; i < d.data.length; i++) g.data[i] += d.data[i];
    }
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const c = this.nodes[k];
      if (!c.onGradPath) continue;
      const dOuts = c.outputSlots.map((s) => (s >= 0 ? this.grads[s] : undefined));
      if (dOuts.every((d) => d === undefined)) continue;
      const skip = c.op.nonDifferentiableInputs ?? [];
      const dIns = c.inputSlots.map((s, i) => (s >= 0 && !skip.includes(i) && this.requiresGrad[s] ? this.grads[s] : undefined));
      const ins = c.inputSlots.map((s) => (s >= 0 ? this.values[s] : undefined));
      const outs = c.outputSlots.map((s) => (s >= 0 ? this.values[s]! : (undefined as unknown as Tensor)));
      try {
        c.op.backward!(c.ctx, ins, outs, dOuts, dIns);
      } catch (err) {
        if (err instanceof GraphError) throw err;
        throw new GraphError(c.node, (err as Error).message);
      }
    }
  }

  /** Gradient accumulated for a graph input by the last backward (inputGradients must be on). */
  inputGradient(name: string): FloatTensor | undefined {
    const s = this.slotOf.get(name);
    return s === undefined ? undefined : this.grads[s];
  }
}

function checkInput(name: string, shape: readonly (number | string | null)[] | null, dtype: string, t: Tensor): void {
  if (t.dtype !== dtype) throw new Error(`graph input '${name}' must be ${dtype}, got ${t.dtype}`);
  if (shape === null) return;
  if (shape.length !== t.shape.length) {
    throw new Error(`graph input '${name}' expects rank ${shape.length} ${describeShape(shape)}, got ${shapeString(t.shape)}`);
  }
  shape.forEach((d, i) => {
    if (typeof d === 'number' && d > 0 && t.shape[i] !== d) {
      throw new Error(`graph input '${name}' expects ${describeShape(shape)}, got ${shapeString(t.shape)} (axis ${i})`);
    }
  });
}

function describeShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}
