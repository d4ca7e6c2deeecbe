// Graph → ONNX: writes what Vigil runs and trains as a standard ONNX model that any runtime loads.
// Parameters are written with their current (possibly fine-tuned) values; the batch axis stays
// symbolic. ONNX attributes are typed while graph attributes are plain numbers, so the attributes
// the spec declares as float are listed here by name.

import type { AttrValue, Graph, ValueInfo as GraphValueInfo } from '../../engine/graph/graph.js';
import type { Tensor } from '../../engine/tensor.js';
import { AttributeType, DataType, type OnnxAttribute, type OnnxModel, type OnnxTensor, type ValueInfo } from './proto/index.js';

/** Attributes whose ONNX type is FLOAT or FLOATS (all other numbers are INT/INTS). */
const FLOAT_ATTRS: ReadonlySet<string> = new Set([
  'alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'ratio', 'clip', 'lambd', 'bias', 'spatial_scale',
  'value_float', 'value_floats', 'activation_alpha', 'activation_beta', 'scales', 'seed', 'min', 'max',
]);

/** The IR version that goes with an opset (onnx/helper.py's VERSION_TABLE). */
export function irVersionFor(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 13) return 7;
  if (opset >= 12) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  if (opset >= 9) return 4;
  return 3;
}

export interface ExportOptions {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly producerVersion?: string;
  readonly docString?: string;
}

export function engineTensorToOnnx(name: string, t: Tensor): OnnxTensor {
  return {
    name,
    dataType: t.dtype === 'float32' ? DataType.FLOAT : DataType.INT64,
    dims: [...t.shape],
    data: t.dtype === 'float32' ? (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data)) : t.data,
    docString: '',
  };
}

function attribute(name: string, v: AttrValue): OnnxAttribute {
  const a: OnnxAttribute = { name, docString: '', floats: [], ints: [], strings: [], tensors: [], graphs: [] };
  const isFloat = FLOAT_ATTRS.has(name);
  if (typeof v === 'number') {
    if (isFloat) return { ...a, type: AttributeType.FLOAT, f: v };
    return { ...a, type: AttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { ...a, type: AttributeType.STRING, s: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { ...a, type: AttributeType.STRINGS, strings: [...(v as string[])] };
    if (isFloat) return { ...a, type: AttributeType.FLOATS, floats: [...(v as number[])] };
    return { ...a, type: AttributeType.INTS, ints: [...(v as number[])] };
  }
  return { ...a, type: AttributeType.TENSOR, t: engineTensorToOnnx('', v as Tensor) };
}

function valueInfo(v: GraphValueInfo): ValueInfo {
  return {
    name: v.name,
    docString: '',
    type: {
      tensorType: {
        elemType: v.dtype === 'float32' ? DataType.FLOAT : DataType.INT64,
        shape: v.shape === null ? undefined : { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  };
}

export function exportOnnx(graph: Graph, options: ExportOptions = {}): OnnxModel {
  const initializer: OnnxTensor[] = [];
  for (const p of graph.params.list) initializer.push(engineTensorToOnnx(p.name, { dtype: 'float32', shape: p.shape, data: p.value }));
  for (const [name, t] of graph.constants) initializer.push(engineTensorToOnnx(name, t));
  return {
    irVersion: irVersionFor(graph.opset),
    opsetImport: [{ domain: '', version: graph.opset }],
    producerName: 'vigil',
    producerVersion: options.producerVersion ?? '',
    domain: '',
    docString: options.docString ?? '',
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      docString: '',
      node: graph.nodes.map((n) => ({
        name: n.name,
        opType: n.op,
        domain: '',
        docString: '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
      })),
      initializer,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      valueInfo: [],
    },
  };
}
