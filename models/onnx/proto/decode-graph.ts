// GraphProto, NodeProto, AttributeProto, ValueInfoProto and TypeProto (tensor types) → Onnx* objects.
// Subgraphs (attribute g / graphs) recurse through readMessage, which enforces the depth limit.
// Field numbers are onnx.proto's; a known field with the wrong wire type is an error, an unknown
// field is kept verbatim.

import { keepUnknown, readMessage, readRepeated, readSingle, readString, withUnknown } from './decode-common.js';
import { decodeTensor } from './decode-tensor.js';
import type { FieldPath } from './errors.js';
import type { Dimension, OnnxAttribute, OnnxGraph, OnnxNode, OnnxType, TensorShape, TensorType, ValueInfo } from './types.js';
import type { ProtoReader } from './wire-reader.js';

export function decodeGraph(r: ProtoReader, path: FieldPath, depth: number): OnnxGraph {
  const g: OnnxGraph = { node: [], name: '', initializer: [], docString: '', input: [], output: [], valueInfo: [] };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    switch (r.field) {
      case 1: g.node.push(readMessage(r, path.child('node', g.node.length), depth + 1, decodeNode)); break;
      case 2: g.name = readString(r, path, 'name'); break; // graphs stay unlabelled: `graph.node[2]`, `attribute[0] 'body' g.node[1]`
      case 5: g.initializer.push(readMessage(r, path.child('initializer', g.initializer.length), depth + 1, decodeTensor)); break;
      case 10: g.docString = readString(r, path, 'doc_string'); break;
      case 11: g.input.push(readMessage(r, path.child('input', g.input.length), depth + 1, decodeValueInfo)); break;
      case 12: g.output.push(readMessage(r, path.child('output', g.output.length), depth + 1, decodeValueInfo)); break;
      case 13: g.valueInfo.push(readMessage(r, path.child('value_info', g.valueInfo.length), depth + 1, decodeValueInfo)); break;
      default: keepUnknown(r, path, unknown);
    }
  }
  return withUnknown(g, unknown);
}

export function decodeNode(r: ProtoReader, path: FieldPath, depth: number): OnnxNode {
  const n: OnnxNode = { input: [], output: [], name: '', opType: '', domain: '', attribute: [], docString: '' };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    switch (r.field) {
      case 1: n.input.push(readString(r, path, `input[${n.input.length}]`)); break;
      case 2: n.output.push(readString(r, path, `output[${n.output.length}]`)); break;
      case 3: n.name = readString(r, path, 'name'); path.label = n.name; break;
      case 4: n.opType = readString(r, path, 'op_type'); break;
      case 5: n.attribute.push(readMessage(r, path.child('attribute', n.attribute.length), depth + 1, decodeAttribute)); break;
      case 6: n.docString = readString(r, path, 'doc_string'); break;
      case 7: n.domain = readString(r, path, 'domain'); break;
      default: keepUnknown(r, path, unknown);
    }
  }
  return withUnknown(n, unknown);
}

export function decodeAttribute(r: ProtoReader, path: FieldPath, depth: number): OnnxAttribute {
  const a: OnnxAttribute = { name: '', docString: '', floats: [], ints: [], strings: [], tensors: [], graphs: [] };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    switch (r.field) {
      case 1: a.name = readString(r, path, 'name'); path.label = a.name; break;
      case 2: a.f = readSingle(r, path, 'f', 'float32'); break;
      case 3: a.i = readSingle(r, path, 'i', 'int64Lossy'); break;
      case 4: a.s = readString(r, path, 's'); break;
      case 5: a.t = readMessage(r, path.child('t'), depth + 1, decodeTensor); break;
      case 6: a.g = readMessage(r, path.child('g'), depth + 1, decodeGraph); break;
      case 7: readRepeated(r, path, 'floats', 'float32', a.floats); break;
      case 8: readRepeated(r, path, 'ints', 'int64Lossy', a.ints); break;
      case 9: a.strings.push(readString(r, path, `strings[${a.strings.length}]`)); break;
      case 10: a.tensors.push(readMessage(r, path.child('tensors', a.tensors.length), depth + 1, decodeTensor)); break;
      case 11: a.graphs.push(readMessage(r, path.child('graphs', a.graphs.length), depth + 1, decodeGraph)); break;
      case 13: a.docString = readString(r, path, 'doc_string'); break;
      case 20: a.type = readSingle(r, path, 'type', 'int32'); break;
      case 21: a.refAttrName = readString(r, path, 'ref_attr_name'); break;
      default: keepUnknown(r, path, unknown);
    }
  }
  return withUnknown(a, unknown);
}

export function decodeValueInfo(r: ProtoReader, path: FieldPath, depth: number): ValueInfo {
  const v: ValueInfo = { name: '', docString: '' };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    switch (r.field) {
      case 1: v.name = readString(r, path, 'name'); path.label = v.name; break;
      case 2: v.type = readMessage(r, path.child('type'), depth + 1, decodeType); break;
      case 3: v.docString = readString(r, path, 'doc_string'); break;
      default: keepUnknown(r, path, unknown);
    }
  }
  return withUnknown(v, unknown);
}

function decodeType(r: ProtoReader, path: FieldPath, depth: number): OnnxType {
  const t: OnnxType = {};
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    if (r.field === 1) t.tensorType = readMessage(r, path.child('tensor_type'), depth + 1, decodeTensorType);
    else if (r.field === 6) t.denotation = readString(r, path, 'denotation');
    else keepUnknown(r, path, unknown); // sequence_type, map_type, optional_type, sparse_tensor_type
  }
  return withUnknown(t, unknown);
}

function decodeTensorType(r: ProtoReader, path: FieldPath, depth: number): TensorType {
  const t: TensorType = { elemType: 0 };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    if (r.field === 1) t.elemType = readSingle(r, path, 'elem_type', 'int32');
    else if (r.field === 2) t.shape = readMessage(r, path.child('shape'), depth + 1, decodeShape);
    else keepUnknown(r, path, unknown);
  }
  return withUnknown(t, unknown);
}

function decodeShape(r: ProtoReader, path: FieldPath, depth: number): TensorShape {
  const s: TensorShape = { dim: [] };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    if (r.field === 1) s.dim.push(readMessage(r, path.child('dim', s.dim.length), depth + 1, decodeDimension));
    else keepUnknown(r, path, unknown);
  }
  return withUnknown(s, unknown);
}

function decodeDimension(r: ProtoReader, path: FieldPath): Dimension {
  const d: Dimension = {};
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    // dim_value and dim_param are a oneof: as in protobuf, the last one read wins.
    if (r.field === 1) {
      d.dimValue = readSingle(r, path, 'dim_value', 'int64');
      delete d.dimParam;
    } else if (r.field === 2) {
      d.dimParam = readString(r, path, 'dim_param');
      delete d.dimValue;
    }
    else if (r.field === 3) d.denotation = readString(r, path, 'denotation');
    else keepUnknown(r, path, unknown);
  }
  return withUnknown(d, unknown);
}
