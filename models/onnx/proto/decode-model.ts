// decodeModel: the bytes of a .onnx file → OnnxModel, or an OnnxFormatError naming the field at fault.
// Before decoding, the first field must be one a ModelProto can start with, so that a PNG, a zip,
// JSON or an empty file is reported as "not an ONNX model: ..." rather than as a puzzling wire error.

import { decodeStringStringEntry, keepUnknown, readMessage, readSingle, readString, withUnknown } from './decode-common.js';
import { decodeGraph } from './decode-graph.js';
import { type FieldPath, OnnxFormatError, rootPath } from './errors.js';
import type { OnnxGraph, OnnxModel, OperatorSetId } from './types.js';
import { ProtoReader, WireType } from './wire-reader.js';

export function decodeModel(bytes: Uint8Array): OnnxModel {
  checkLooksLikeModel(bytes);
  const r = new ProtoReader(bytes);
  const path = rootPath();
  const model = decodeModelProto(r, path);
  if (model.graph === undefined) throw new OnnxFormatError('', 'not an ONNX model: it has no graph (ModelProto field 7)');
  return model as OnnxModel;
}

function decodeModelProto(r: ProtoReader, path: FieldPath): Omit<OnnxModel, 'graph'> & { graph?: OnnxGraph } {
  const m: Omit<OnnxModel, 'graph'> & { graph?: OnnxGraph } = {
    irVersion: 0, opsetImport: [], producerName: '', producerVersion: '', domain: '', docString: '', metadataProps: [],
  };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    switch (r.field) {
      case 1: m.irVersion = readSingle(r, path, 'ir_version', 'int64'); break;
      case 2: m.producerName = readString(r, path, 'producer_name'); break;
      case 3: m.producerVersion = readString(r, path, 'producer_version'); break;
      case 4: m.domain = readString(r, path, 'domain'); break;
      case 5: m.modelVersion = readSingle(r, path, 'model_version', 'int64'); break;
      case 6: m.docString = readString(r, path, 'doc_string'); break;
      case 7: m.graph = readMessage(r, path.child('graph'), 1, decodeGraph); break;
      case 8: m.opsetImport.push(readMessage(r, path.child('opset_import', m.opsetImport.length), 1, decodeOperatorSetId)); break;
      case 14: m.metadataProps.push(readMessage(r, path.child('metadata_props', m.metadataProps.length), 1, decodeStringStringEntry)); break;
      default: keepUnknown(r, path, unknown); // training_info, functions, configuration ...
    }
  }
  return withUnknown(m, unknown);
}

function decodeOperatorSetId(r: ProtoReader, path: FieldPath): OperatorSetId {
  const o: OperatorSetId = { domain: '', version: 0 };
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    if (r.field === 1) {
      o.domain = readString(r, path, 'domain');
      path.label = o.domain;
    } else if (r.field === 2) o.version = readSingle(r, path, 'version', 'int64');
    else keepUnknown(r, path, unknown);
  }
  return withUnknown(o, unknown);
}

/** ModelProto fields a file can start with, and the wire type each must have. */
const MODEL_FIELDS: ReadonlyMap<number, number> = new Map([
  [1, WireType.VARINT], [2, WireType.LEN], [3, WireType.LEN], [4, WireType.LEN], [5, WireType.VARINT], [6, WireType.LEN],
  [7, WireType.LEN], [8, WireType.LEN], [14, WireType.LEN], [20, WireType.LEN], [25, WireType.LEN], [26, WireType.LEN],
]);

const SIGNATURES: ReadonlyArray<[prefix: number[], what: string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (a PyTorch .pt/.pth checkpoint is one; export it with torch.onnx.export)'],
  [[0x1f, 0x8b], 'a gzip file (decompress it first)'],
  [[0x80], 'a Python pickle (a PyTorch checkpoint?)'],
  [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy array'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
];

function checkLooksLikeModel(bytes: Uint8Array): void {
  const fail = (why: string): never => {
    throw new OnnxFormatError('', `not an ONNX model: ${why}`);
  };
  if (bytes.length === 0) fail('the file is empty');
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  for (const [prefix, what] of SIGNATURES) {
    if (prefix.length <= bytes.length && prefix.every((b, i) => bytes[i] === b)) fail(`it starts like ${what} (${head})`);
  }
  let i = 0;
  while (i < bytes.length && i < 64 && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  const first = bytes[i];
  if (first === 0x7b || first === 0x5b) fail(`it starts like JSON text (${head})`);
  if (first === 0x3c) fail(`it starts like XML or HTML text (${head})`);
  // The first tag: a varint of at most 5 bytes naming a ModelProto field with its wire type.
  let tag = 0;
  let n = 0;
  for (; n < 5 && n < bytes.length; n++) {
    tag += (bytes[n] & 0x7f) * 2 ** (7 * n);
    if (bytes[n] < 0x80) break;
  }
  const field = Math.floor(tag / 8);
  const wire = tag % 8;
  if (n === 5 || n === bytes.length || MODEL_FIELDS.get(field) !== wire) {
    fail(`the first bytes (${head}) are not a ModelProto field (ONNX files normally start with ir_version: 08 ..)`);
  }
}
