// ONNX → Graph: turns a decoded model (PyTorch, Keras via tf2onnx, Vigil's own) into a graph that
// Vigil runs and trains. Float initializers become trainable parameters (unless frozen), integer
// ones constants. Everything Vigil cannot honour is refused here, naming the node or field:
// foreign operator domains, unsupported operators, graph-valued attributes, string tensors.

import { type AttrValue, type ElemType, type Graph, type GraphNode, GraphError, type ValueInfo as GraphValueInfo } from '../../engine/graph/graph.js';
import { lookupOp } from '../../engine/graph/ops/registry.js';
import { ParamStore } from '../../engine/params.js';
import { type Tensor, sizeOf } from '../../engine/tensor.js';
import { AttributeType, DataType, dataTypeName, type OnnxAttribute, type OnnxModel, type OnnxTensor, type ValueInfo } from './proto/index.js';

export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

export interface ImportOptions {
  /** Float initializers to keep fixed during training (by name). */
  readonly frozen?: (name: string) => boolean;
}

/** An import failure: the message names the node, initializer or field at fault. */
export class OnnxImportError extends Error {
  override readonly name = 'OnnxImportError';
}

const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);
const INT_TYPES: ReadonlySet<number> = new Set([
  DataType.INT64, DataType.INT32, DataType.INT16, DataType.INT8, DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64, DataType.BOOL,
]);

export function defaultOpset(model: OnnxModel): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!entry) throw new OnnxImportError('opset_import has no entry for the default ONNX domain');
  return entry.version;
}

export function toEngineTensor(t: OnnxTensor, where: string): Tensor {
  if (FLOAT_TYPES.has(t.dataType)) {
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    return { dtype: 'float32', shape: [...t.dims], data };
  }
  if (INT_TYPES.has(t.dataType)) {
    const data = t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
    return { dtype: 'int64', shape: [...t.dims], data };
  }
  throw new OnnxImportError(`${where}: tensor type ${dataTypeName(t.dataType)} is not supported (Vigil runs float and integer tensors)`);
}

function elemType(code: number | undefined, where: string): ElemType {
  if (code === undefined || FLOAT_TYPES.has(code)) return 'float32';
  if (INT_TYPES.has(code)) return 'int64';
  throw new OnnxImportError(`${where}: element type ${dataTypeName(code)} is not supported`);
}

function valueInfo(v: ValueInfo, where: string): GraphValueInfo {
  const tt = v.type?.tensorType;
  if (v.type && !tt) throw new OnnxImportError(`${where} '${v.name}': only tensor-typed inputs and outputs are supported`);
  return {
    name: v.name,
    dtype: elemType(tt?.elemType, `${where} '${v.name}'`),
    shape: tt?.shape ? tt.shape.dim.map((d) => (d.dimValue !== undefined ? d.dimValue : d.dimParam ? d.dimParam : null)) : null,
  };
}

function attrValue(a: OnnxAttribute, where: string): AttrValue {
  const type = a.type ?? inferAttrType(a);
  switch (type) {
    case AttributeType.FLOAT: return a.f ?? 0;
    case AttributeType.INT: return a.i ?? 0;
    case AttributeType.STRING: return a.s ?? '';
    case AttributeType.TENSOR:
      if (!a.t) throw new OnnxImportError(`${where}: tensor attribute '${a.name}' has no tensor`);
      return toEngineTensor(a.t, `${where} attribute '${a.name}'`);
    case AttributeType.FLOATS: return a.floats;
    case AttributeType.INTS: return a.ints;
    case AttributeType.STRINGS: return a.strings;
    default:
      throw new OnnxImportError(`${where}: attribute '${a.name}' of type ${type} (subgraphs, sparse tensors, type protos) is not supported`);
  }
}

function inferAttrType(a: OnnxAttribute): number {
  if (a.f !== undefined) return AttributeType.FLOAT;
  if (a.i !== undefined) return AttributeType.INT;
  if (a.s !== undefined) return AttributeType.STRING;
  if (a.t) return AttributeType.TENSOR;
  if (a.g) return AttributeType.GRAPH;
  if (a.floats.length) return AttributeType.FLOATS;
  if (a.ints.length) return AttributeType.INTS;
  if (a.strings.length) return AttributeType.STRINGS;
  return AttributeType.UNDEFINED;
}

export function importOnnx(model: OnnxModel, options: ImportOptions = {}): Graph {
  const opset = defaultOpset(model);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new OnnxImportError(`opset ${opset} is outside what Vigil supports (${MIN_OPSET} to ${MAX_OPSET}); re-export with opset_version between them`);
  }
  const g = model.graph;
  const paramSpecs: { name: string; shape: number[]; data: Float32Array }[] = [];
  const constants = new Map<string, Tensor>();
  const initNames = new Set<string>();
  g.initializer.forEach((t, i) => {
    const where = `graph.initializer[${i}] '${t.name}'`;
    if (!t.name) throw new OnnxImportError(`${where}: initializer has no name`);
    if (initNames.has(t.name)) throw new OnnxImportError(`${where}: duplicate initializer name`);
    initNames.add(t.name);
    const tensor = toEngineTensor(t, where);
    if (tensor.dtype === 'float32' && !options.frozen?.(t.name)) paramSpecs.push({ name: t.name, shape: [...tensor.shape], data: tensor.data as Float32Array });
    else constants.set(t.name, tensor);
  });
  const params = new ParamStore(paramSpecs);
  for (const p of paramSpecs) params.set(p.name, p.data);

  // Older exporters list initializers among the inputs too (keep_initializers_as_inputs); those are not fed.
  const inputs = g.input.filter((v) => !initNames.has(v.name)).map((v, i) => valueInfo(v, `graph.input[${i}]`));
  const outputs = g.output.map((v, i) => valueInfo(v, `graph.output[${i}]`));
  const seen = new Set<string>();
  const nodes: GraphNode[] = g.node.map((n, i) => {
    const name = n.name || `${n.opType}_${i}`;
    const where = `graph.node[${i}] '${name}' (${n.opType})`;
    if (n.domain !== '' && n.domain !== 'ai.onnx') {
      throw new OnnxImportError(`${where}: operator domain '${n.domain}' is not supported (only the default ONNX domain)`);
    }
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute) {
      if (a.refAttrName) throw new OnnxImportError(`${where}: attribute '${a.name}' refers to a function attribute, which is not supported`);
      attrs[a.name] = attrValue(a, where);
    }
    if (seen.has(name)) throw new OnnxImportError(`${where}: duplicate node name`);
    seen.add(name);
    const node: GraphNode = { name, op: n.opType, inputs: n.input, outputs: n.output, attrs };
    try {
      lookupOp(node);
    } catch (err) {
      throw new OnnxImportError(`${where}: ${(err as GraphError).message}`);
    }
    return node;
  });
  if (inputs.length === 0) throw new OnnxImportError('graph has no inputs to feed');
  if (outputs.length === 0) throw new OnnxImportError('graph has no outputs');
  return { name: g.name || 'onnx', opset, inputs, outputs, nodes, params, constants };
}

/** Number of trainable parameters of a graph (what `vigil inspect` reports). */
export function parameterCount(graph: Graph): number {
  return graph.params.list.reduce((n, p) => n + sizeOf(p.shape), 0);
}
