// The ONNX messages Vigil reads and writes, mirroring onnx.proto field for field (protobuf's
// lowerCamelCase JSON names: ir_version → irVersion). Singular strings default to '' and lists to [];
// optional scalars whose presence matters (an attribute's f or i, a dimension's value) are optional.
// Tensor payloads are decoded to typed arrays: floating types to Float32Array, integer and bool types
// to Float64Array of exact integers (int64 beyond 2^53 rounds; INT64_MAX reads as 2^63 and is written
// back as INT64_MAX). Fields Vigil does not model are kept verbatim in `unknownFields` and written back.

/** TensorProto.DataType codes, by the spec's names. */
export const DataType = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
  FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18, FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20, UINT4: 21, INT4: 22, FLOAT4E2M1: 23,
} as const;

/** AttributeProto.AttributeType codes, by the spec's names. */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

/** The spec's name for a DataType code ('FLOAT'), or `DataType(<code>)` for codes it does not know. */
export function dataTypeName(code: number): string {
  for (const [name, value] of Object.entries(DataType)) if (value === code) return name;
  return `DataType(${code})`;
}

export function attributeTypeName(code: number): string {
  for (const [name, value] of Object.entries(AttributeType)) if (value === code) return name;
  return `AttributeType(${code})`;
}

/** Raw wire bytes of fields this codec does not model (whole fields: tag and value), written back as they came. */
export interface ProtoMessage {
  unknownFields?: Uint8Array[];
}

export interface OnnxModel extends ProtoMessage {
  irVersion: number;
  opsetImport: OperatorSetId[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion?: number;
  docString: string;
  graph: OnnxGraph;
  metadataProps: StringStringEntry[];
}

export interface OperatorSetId extends ProtoMessage {
  /** '' (or 'ai.onnx') is the default ONNX operator set. */
  domain: string;
  version: number;
}

export interface StringStringEntry extends ProtoMessage {
  key: string;
  value: string;
}

export interface OnnxGraph extends ProtoMessage {
  node: OnnxNode[];
  name: string;
  initializer: OnnxTensor[];
  docString: string;
  input: ValueInfo[];
  output: ValueInfo[];
  valueInfo: ValueInfo[];
}

export interface OnnxNode extends ProtoMessage {
  /** '' marks an omitted optional input. */
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: OnnxAttribute[];
  docString: string;
}

export interface OnnxAttribute extends ProtoMessage {
  name: string;
  /** AttributeType code: which of the value fields is in use. */
  type?: number;
  refAttrName?: string;
  docString: string;
  f?: number;
  /** int64; beyond 2^53 rounds (INT64_MAX → 2^63, written back as INT64_MAX). */
  i?: number;
  s?: string;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats: number[];
  ints: number[];
  strings: string[];
  tensors: OnnxTensor[];
  graphs: OnnxGraph[];
}

/** Element storage of a decoded tensor: see the file comment for which type gives which array. */
export type TensorData = Float32Array | Float64Array;

export interface OnnxTensor extends ProtoMessage {
  name: string;
  /** DataType code; decoding supports the numeric types (not STRING, complex or sub-byte/8-bit floats). */
  dataType: number;
  dims: number[];
  /** Row-major elements, dims' product of them. */
  data: TensorData;
  docString: string;
}

export interface ValueInfo extends ProtoMessage {
  name: string;
  type?: OnnxType;
  docString: string;
}

/** TypeProto. Only tensor types are modelled; sequence, map and optional types stay in unknownFields. */
export interface OnnxType extends ProtoMessage {
  tensorType?: TensorType;
  denotation?: string;
}

export interface TensorType extends ProtoMessage {
  elemType: number;
  /** Absent: rank unknown. Present with no dims: a scalar. */
  shape?: TensorShape;
}

export interface TensorShape extends ProtoMessage {
  dim: Dimension[];
}

/** A dimension is a number (dimValue), a symbol such as 'batch' (dimParam), or neither (unknown). */
export interface Dimension extends ProtoMessage {
  dimValue?: number;
  dimParam?: string;
  denotation?: string;
}
