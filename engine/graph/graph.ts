// A model as a dataflow graph whose nodes are named after ONNX operators (principle 6), so
// import and export are a change of encoding, not of meaning. Values are named; float
// initializers that training may change live in the ParamStore, everything else constant
// lives in `constants`. Nodes are kept in topological order.

import type { ParamStore } from '../params.js';
import type { Tensor } from '../tensor.js';

export type AttrValue = number | string | readonly number[] | readonly string[] | Tensor;

export interface GraphNode {
  readonly name: string;
  /** ONNX op_type, e.g. 'Gemm', 'LSTM', 'Conv'. */
  readonly op: string;
  /** Value names; '' marks an omitted optional input or output, as in ONNX. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export type ElemType = 'float32' | 'int64';

/** A graph input or output. Dimensions are sizes, symbolic names (dynamic axes) or null (unknown); a null shape means even the rank is unknown. */
export interface ValueInfo {
  readonly name: string;
  readonly dtype: ElemType;
  readonly shape: readonly (number | string | null)[] | null;
}

export interface Graph {
  readonly name: string;
  /** Version of the default ONNX operator set the nodes follow. */
  readonly opset: number;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly nodes: readonly GraphNode[];
  /** Trainable float tensors, named as the values they provide. */
  readonly params: ParamStore;
  /** Fixed tensors: integer initializers, frozen floats. */
  readonly constants: ReadonlyMap<string, Tensor>;
}

export function attrNumber(node: GraphNode, name: string, fallback: number): number {
  const v = node.attrs[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new GraphError(node, `attribute '${name}' must be a number`);
  return v;
}

export function attrInts(node: GraphNode, name: string): readonly number[] | undefined {
  const v = node.attrs[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new GraphError(node, `attribute '${name}' must be a list of integers`);
  return v as readonly number[];
}

export function attrString(node: GraphNode, name: string, fallback: string): string {
  const v = node.attrs[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new GraphError(node, `attribute '${name}' must be a string`);
  return v;
}

/** An error that names the node it happened in, so a user can find it in Netron. */
export class GraphError extends Error {
  constructor(node: GraphNode | { name: string; op: string }, message: string) {
    super(`${node.op} node '${node.name}': ${message}`);
    this.name = 'GraphError';
  }
}
