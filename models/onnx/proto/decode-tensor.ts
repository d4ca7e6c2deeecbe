// TensorProto → OnnxTensor. The payload (raw_data or one typed *_data list) is collected first as a
// view or a list bounded by the bytes it came from; only once the element count implied by dims is
// known to match the bytes present is a typed array allocated, so a 4 KB file declaring 2^40 elements
// costs nothing. Tensors whose data lives in external files are refused: Vigil never opens a path
// named inside a model file.

import { readMessage, readRepeated, readSingle, readString, decodeStringStringEntry, keepUnknown, withUnknown } from './decode-common.js';
import { type FieldPath, quote } from './errors.js';
import { elementKind, type ListField, listToData, rawToData } from './tensor-data.js';
import { dataTypeName, type OnnxTensor, type StringStringEntry } from './types.js';
import { type ProtoReader, WireType } from './wire-reader.js';

const listFields: Partial<Record<number, [ListField, 'float32' | 'int32' | 'int64Lossy' | 'float64' | 'uint64Lossy']>> = {
  4: ['float_data', 'float32'],
  5: ['int32_data', 'int32'],
  7: ['int64_data', 'int64Lossy'],
  10: ['double_data', 'float64'],
  11: ['uint64_data', 'uint64Lossy'],
};

export function decodeTensor(r: ProtoReader, path: FieldPath, depth: number): OnnxTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let docString = '';
  let raw: Uint8Array | undefined;
  const lists = new Map<ListField, number[]>();
  let stringData = false;
  const external: StringStringEntry[] = [];
  let dataLocation = 0;
  const unknown: Uint8Array[] = [];

  while (r.more()) {
    r.tag(path);
    const list = listFields[r.field];
    if (list !== undefined) {
      const [leaf, kind] = list;
      let values = lists.get(leaf);
      if (values === undefined) lists.set(leaf, (values = []));
      readRepeated(r, path, leaf, kind, values);
      continue;
    }
    switch (r.field) {
      case 1:
        readRepeated(r, path, 'dims', 'int64', dims);
        break;
      case 2:
        dataType = readSingle(r, path, 'data_type', 'int32');
        break;
      case 6:
        stringData = true;
        keepUnknown(r, path, unknown);
        break;
      case 8:
        name = readString(r, path, 'name');
        path.label = name;
        break;
      case 9:
        r.expect(path, 'raw_data', WireType.LEN);
        raw = r.bytesView(path, 'raw_data');
        break;
      case 12:
        docString = readString(r, path, 'doc_string');
        break;
      case 13:
        external.push(readMessage(r, path.child('external_data', external.length), depth + 1, decodeStringStringEntry));
        break;
      case 14:
        dataLocation = readSingle(r, path, 'data_location', 'int32');
        break;
      default:
        keepUnknown(r, path, unknown);
    }
  }

  if (dataLocation === 1 || external.length > 0) {
    const location = external.find((e) => e.key === 'location')?.value;
    const where = location === undefined ? 'an external file' : `the external file ${quote(location)}`;
    throw path.error(
      undefined,
      `keeps its data in ${where}; external data files are not supported. ` +
        'Save the model with every tensor inside it (onnx.save_model(model, path, save_as_external_data=False)).',
    );
  }
  if (dataLocation !== 0) throw path.error('data_location', `is ${dataLocation}, neither DEFAULT (0) nor EXTERNAL (1)`);
  for (let i = 0; i < dims.length; i++) if (dims[i] < 0) throw path.error('dims', `[${i}] = ${dims[i]} is negative`);

  const k = elementKind(dataType, path, 'data_type');
  if (stringData) throw path.error('string_data', `is only valid for STRING tensors, not ${dataTypeName(dataType)}`);
  if (lists.size + (raw === undefined ? 0 : 1) > 1) {
    const present = [...(raw === undefined ? [] : ['raw_data']), ...lists.keys()];
    throw path.error(undefined, `holds its data in more than one field (${present.join(', ')})`);
  }

  // Elements implied by dims, as a double: anything beyond 2^53 cannot match the data present anyway.
  let count = 1;
  for (const d of dims) count *= d;
  const declared = (): string => `dims ${shapeText(dims)} declare ${exactProduct(dims)} ${dataTypeName(dataType)} elements`;

  let data;
  if (raw !== undefined) {
    if (raw.length !== count * k.size) {
      throw path.error('raw_data', `holds ${raw.length} bytes, but ${declared()} (${k.size} bytes each)`);
    }
    data = rawToData(dataType, k, raw, path);
  } else if (lists.size === 1) {
    const [leaf, values] = lists.entries().next().value as [ListField, number[]];
    if (leaf !== k.list) throw path.error(leaf, `cannot hold ${dataTypeName(dataType)} elements (use ${k.list} or raw_data)`);
    if (values.length !== count) throw path.error(leaf, `holds ${values.length} values, but ${declared()}`);
    data = listToData(dataType, k, values, path);
  } else {
    if (count !== 0) throw path.error(undefined, `has no data, but ${declared()}`);
    data = k.float ? new Float32Array(0) : new Float64Array(0);
  }
  return withUnknown({ name, dataType, dims, data, docString }, unknown);
}

/** Dims for a message, cut short when a hostile file declares thousands of them. */
function shapeText(dims: readonly number[]): string {
  return dims.length <= 16 ? `[${dims.join(', ')}]` : `[${dims.slice(0, 16).join(', ')}, … (${dims.length} dims)]`;
}

function exactProduct(dims: readonly number[]): string {
  if (dims.length > 64) {
    // Keep the error path cheap on hostile input.
    let count = 1;
    for (const d of dims) count *= d;
    return count <= Number.MAX_SAFE_INTEGER ? String(count) : 'more than 2^53';
  }
  let p = 1n;
  for (const d of dims) p *= BigInt(d);
  const digits = String(p);
  return digits.length <= 24 ? digits : `more than 10^${digits.length - 1}`;
}
