// encodeModel: OnnxModel → standard ONNX bytes (what onnx.save_model writes): fields in field-number
// order, tensors as little-endian raw_data (int64 too), repeated scalars in onnx.proto's declared form
// (dims, floats, ints unpacked), unknown fields written back verbatim after the known ones.
// Values the wire cannot carry (a non-integer dim, a tensor whose data does not fill its dims, an
// integer out of its type's range) are an OnnxFormatError naming the field.

import { type FieldPath, rootPath } from './errors.js';
import { dataToRaw } from './tensor-data.js';
import type {
  Dimension, OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxType, OperatorSetId, ProtoMessage,
  StringStringEntry, TensorShape, TensorType, ValueInfo,
} from './types.js';
import { ProtoWriter } from './wire-writer.js';

export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  const path = rootPath();
  int(w, 1, model.irVersion, path, 'ir_version');
  str(w, 2, model.producerName);
  str(w, 3, model.producerVersion);
  str(w, 4, model.domain);
  if (model.modelVersion !== undefined) int(w, 5, model.modelVersion, path, 'model_version');
  str(w, 6, model.docString);
  w.messageField(7, encodeGraph(model.graph, path.child('graph')));
  model.opsetImport.forEach((o, i) => w.messageField(8, encodeOperatorSetId(o, path.child('opset_import', i))));
  model.metadataProps.forEach((e) => w.messageField(14, encodeEntry(e)));
  unknown(w, model);
  return w.finish();
}

function encodeGraph(g: OnnxGraph, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  g.node.forEach((n, i) => w.messageField(1, encodeNode(n, path.child('node', i))));
  str(w, 2, g.name);
  g.initializer.forEach((t, i) => w.messageField(5, encodeTensor(t, path.child('initializer', i))));
  str(w, 10, g.docString);
  g.input.forEach((v, i) => w.messageField(11, encodeValueInfo(v, path.child('input', i))));
  g.output.forEach((v, i) => w.messageField(12, encodeValueInfo(v, path.child('output', i))));
  g.valueInfo.forEach((v, i) => w.messageField(13, encodeValueInfo(v, path.child('value_info', i))));
  unknown(w, g);
  return w;
}

function encodeNode(n: OnnxNode, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  path.label = n.name;
  for (const s of n.input) w.stringField(1, s);
  for (const s of n.output) w.stringField(2, s);
  str(w, 3, n.name);
  str(w, 4, n.opType);
  n.attribute.forEach((a, i) => w.messageField(5, encodeAttribute(a, path.child('attribute', i))));
  str(w, 6, n.docString);
  str(w, 7, n.domain);
  unknown(w, n);
  return w;
}

function encodeAttribute(a: OnnxAttribute, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  path.label = a.name;
  str(w, 1, a.name);
  if (a.f !== undefined) w.float32Field(2, a.f);
  if (a.i !== undefined) int(w, 3, a.i, path, 'i');
  if (a.s !== undefined) w.stringField(4, a.s);
  if (a.t !== undefined) w.messageField(5, encodeTensor(a.t, path.child('t')));
  if (a.g !== undefined) w.messageField(6, encodeGraph(a.g, path.child('g')));
  for (const f of a.floats) w.float32Field(7, f);
  for (const i of a.ints) int(w, 8, i, path, 'ints');
  for (const s of a.strings) w.stringField(9, s);
  a.tensors.forEach((t, i) => w.messageField(10, encodeTensor(t, path.child('tensors', i))));
  a.graphs.forEach((g, i) => w.messageField(11, encodeGraph(g, path.child('graphs', i))));
  str(w, 13, a.docString);
  if (a.type !== undefined) int(w, 20, a.type, path, 'type');
  if (a.refAttrName !== undefined) w.stringField(21, a.refAttrName);
  unknown(w, a);
  return w;
}

function encodeTensor(t: OnnxTensor, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  path.label = t.name;
  let count = 1;
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw path.error('dims', `${d} is not a non-negative integer`);
    int(w, 1, d, path, 'dims');
    count *= d;
  }
  if (t.data.length !== count) throw path.error('data', `holds ${t.data.length} elements, but dims [${t.dims.join(', ')}] need ${count}`);
  int(w, 2, t.dataType, path, 'data_type');
  str(w, 8, t.name);
  w.bytesField(9, dataToRaw(t.dataType, t.data, path));
  str(w, 12, t.docString);
  unknown(w, t);
  return w;
}

function encodeValueInfo(v: ValueInfo, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  path.label = v.name;
  str(w, 1, v.name);
  if (v.type !== undefined) w.messageField(2, encodeType(v.type, path.child('type')));
  str(w, 3, v.docString);
  unknown(w, v);
  return w;
}

function encodeType(t: OnnxType, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  if (t.tensorType !== undefined) w.messageField(1, encodeTensorType(t.tensorType, path.child('tensor_type')));
  if (t.denotation !== undefined) w.stringField(6, t.denotation);
  unknown(w, t);
  return w;
}

function encodeTensorType(t: TensorType, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  int(w, 1, t.elemType, path, 'elem_type');
  if (t.shape !== undefined) w.messageField(2, encodeShape(t.shape, path.child('shape')));
  unknown(w, t);
  return w;
}

function encodeShape(s: TensorShape, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  s.dim.forEach((d, i) => w.messageField(1, encodeDimension(d, path.child('dim', i))));
  unknown(w, s);
  return w;
}

function encodeDimension(d: Dimension, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  if (d.dimValue !== undefined) int(w, 1, d.dimValue, path, 'dim_value');
  else if (d.dimParam !== undefined) w.stringField(2, d.dimParam);
  if (d.denotation !== undefined) w.stringField(3, d.denotation);
  unknown(w, d);
  return w;
}

function encodeOperatorSetId(o: OperatorSetId, path: FieldPath): ProtoWriter {
  const w = new ProtoWriter();
  path.label = o.domain;
  str(w, 1, o.domain);
  int(w, 2, o.version, path, 'version');
  unknown(w, o);
  return w;
}

function encodeEntry(e: StringStringEntry): ProtoWriter {
  const w = new ProtoWriter();
  str(w, 1, e.key);
  str(w, 2, e.value);
  unknown(w, e);
  return w;
}

/** A singular string, omitted when empty (the proto2 default). */
function str(w: ProtoWriter, field: number, s: string): void {
  if (s !== '') w.stringField(field, s);
}

/** An int64/int32/enum field; the value must be an integer (beyond ±2^63 it is clamped to INT64 range). */
function int(w: ProtoWriter, field: number, x: number, path: FieldPath, leaf: string): void {
  if (!Number.isInteger(x)) throw path.error(leaf, `${x} is not an integer`);
  w.int64Field(field, x);
}

function unknown(w: ProtoWriter, m: ProtoMessage): void {
  if (m.unknownFields !== undefined) for (const bytes of m.unknownFields) w.raw(bytes);
}
