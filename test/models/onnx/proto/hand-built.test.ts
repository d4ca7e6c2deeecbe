// Hand-built models: every attribute type, every supported tensor type (with its extreme values),
// the typed *_data storage fields in packed and unpacked form, unknown fields, value-info shapes,
// and the encoder's own checks. The last test runs a hand-built model in onnxruntime, so the bytes
// we write for int64 (INT64_MAX included), float16, double and int8 tensors are the standard ones.

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  AttributeType, DataType, decodeModel, encodeModel, halfToFloat, OnnxFormatError,
  type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor,
} from '../../../../models/onnx/proto/index.js';
import { WireType } from '../../../../models/onnx/proto/wire-reader.js';
import { ProtoWriter } from '../../../../models/onnx/proto/wire-writer.js';
import { concat, message, modelBytes, tag, tensorMessage, varint } from './build.js';

const T = DataType;
const A = AttributeType;

function tensor(name: string, dataType: number, dims: number[], values: number[]): OnnxTensor {
  const float = ([T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16] as number[]).includes(dataType);
  return { name, dataType, dims, data: float ? Float32Array.from(values) : Float64Array.from(values), docString: '' };
}

function attr(name: string, fields: Partial<OnnxAttribute>): OnnxAttribute {
  return { name, docString: '', floats: [], ints: [], strings: [], tensors: [], graphs: [], ...fields };
}

function node(opType: string, input: string[], output: string[], attribute: OnnxAttribute[] = [], name = ''): OnnxNode {
  return { input, output, name, opType, domain: '', attribute, docString: '' };
}

function graph(name: string, nodes: OnnxNode[], initializer: OnnxTensor[] = []): OnnxGraph {
  const value = (n: string, dims: (number | string)[]) => ({
    name: n, docString: '',
    type: { tensorType: { elemType: T.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  return { node: nodes, name, initializer, docString: '', input: [value('X', ['batch', 4])], output: [value('Y', ['batch', 4])], valueInfo: [] };
}

function model(g: OnnxGraph, opset = 14): OnnxModel {
  return {
    irVersion: 8, opsetImport: [{ domain: '', version: opset }], producerName: 'vigil-test', producerVersion: '1', domain: '',
    docString: '', graph: g, metadataProps: [],
  };
}

function roundTrip(m: OnnxModel): OnnxModel {
  return decodeModel(encodeModel(m));
}

function thrown(run: () => unknown): OnnxFormatError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(OnnxFormatError);
    return e as OnnxFormatError;
  }
  throw new Error('expected an OnnxFormatError');
}

describe('attributes', () => {
  it('every attribute type survives encode → decode', () => {
    const sub = graph('then_branch', [node('Identity', ['X'], ['Y'], [attr('note', { type: A.STRING, s: 'inner' })], 'inner_id')], [
      tensor('inner_w', T.FLOAT, [2], [0.5, -0.25]),
    ]);
    const sub2 = graph('else_branch', [node('Neg', ['X'], ['Y'])]);
    const attributes = [
      attr('alpha', { type: A.FLOAT, f: 0.125 }),
      attr('zero_f', { type: A.FLOAT, f: 0 }),
      attr('axis', { type: A.INT, i: -1 }),
      attr('zero_i', { type: A.INT, i: 0 }),
      attr('big', { type: A.INT, i: 2 ** 63 }), // INT64_MAX as it reads
      attr('mode', { type: A.STRING, s: 'constant ünïcode ✓' }),
      attr('empty_s', { type: A.STRING, s: '' }),
      attr('value', { type: A.TENSOR, t: tensor('v', T.INT64, [2, 2], [1, -2, 2 ** 53 - 1, -(2 ** 63)]) }),
      attr('body', { type: A.GRAPH, g: sub }),
      attr('scales', { type: A.FLOATS, floats: [1, 0.5, -3.25, Infinity] }),
      attr('ends', { type: A.INTS, ints: [0, -1, 2 ** 63, -(2 ** 63), 2 ** 53 - 1] }),
      attr('names', { type: A.STRINGS, strings: ['a', '', 'ü'] }),
      attr('tensors', { type: A.TENSORS, tensors: [tensor('a', T.FLOAT, [], [1.5]), tensor('b', T.UINT8, [3], [0, 128, 255])] }),
      attr('branches', { type: A.GRAPHS, graphs: [sub, sub2] }),
      attr('ref', { type: A.FLOAT, refAttrName: 'parent_alpha', docString: 'refers to the parent function' }),
      attr('empty_ints', { type: A.INTS }),
      attr('untyped', { i: 3 }), // IR v1 style: no type field
    ];
    const m = model(graph('main', [node('Custom', ['X', ''], ['Y'], attributes, 'custom_0')]));
    m.graph.node[0].domain = 'com.example';
    m.opsetImport.push({ domain: 'com.example', version: 1 });
    m.modelVersion = 3;
    m.metadataProps = [{ key: 'k', value: 'v' }];
    m.docString = 'doc';
    expect(roundTrip(m)).toEqual(m);
  });

  it('writes INT64_MAX for an ints value that reads as 2^63', () => {
    const m = model(graph('main', [node('Slice', ['X'], ['Y'], [attr('ends', { type: A.INTS, ints: [2 ** 63] })])]));
    const bytes = encodeModel(m);
    const int64Max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toContain(Buffer.from([...tag(8, WireType.VARINT), ...int64Max]).toString('hex'));
  });
});

describe('tensors', () => {
  const cases: [string, number, number[]][] = [
    ['FLOAT', T.FLOAT, [0, -0, 1.5, -3.4028234663852886e38, 1.401298464324817e-45, Infinity, -Infinity]],
    ['DOUBLE', T.DOUBLE, [0.1, -2, 1e30].map(Math.fround)],
    ['FLOAT16', T.FLOAT16, [0, 1, -2, 65504, 6.103515625e-5, 5.960464477539063e-8, -Infinity, halfToFloat(0x3555)]],
    ['BFLOAT16', T.BFLOAT16, [0, 1, -2, 3.3895313892515355e38, 1.5, -0.00390625]],
    ['INT8', T.INT8, [-128, 0, 127]],
    ['UINT8', T.UINT8, [0, 1, 255]],
    ['INT16', T.INT16, [-32768, 0, 32767]],
    ['UINT16', T.UINT16, [0, 65535, 7]],
    ['INT32', T.INT32, [-2147483648, 0, 2147483647]],
    ['UINT32', T.UINT32, [0, 4294967295, 1]],
    ['INT64', T.INT64, [2 ** 63, -(2 ** 63), 2 ** 53 - 1, -(2 ** 53 - 1), 0]],
    ['UINT64', T.UINT64, [0, 2 ** 53, 2 ** 64, 1]],
    ['BOOL', T.BOOL, [0, 1, 1]],
  ];
  for (const [name, dataType, values] of cases) {
    it(`${name} survives encode → decode exactly, including its extreme values`, () => {
      const t = tensor(name.toLowerCase(), dataType, [values.length], values);
      const back = roundTrip(model(graph('main', [], [t]))).graph.initializer[0];
      expect(back).toEqual(t);
      expect(back.data).toBeInstanceOf(t.data.constructor);
    });
  }

  it('NaN survives in every floating type', () => {
    for (const dataType of [T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16]) {
      const back = roundTrip(model(graph('main', [], [tensor('n', dataType, [2], [NaN, 1])]))).graph.initializer[0];
      expect(Number.isNaN(back.data[0])).toBe(true);
      expect(back.data[1]).toBe(1);
    }
  });

  it('converts DOUBLE to float32 on decode and rounds float16 to nearest even on encode', () => {
    const d = roundTrip(model(graph('main', [], [tensor('d', T.DOUBLE, [1], [0])])));
    expect(d.graph.initializer[0].data).toBeInstanceOf(Float32Array);
    const h = roundTrip(model(graph('main', [], [{ ...tensor('h', T.FLOAT16, [3], []), data: Float32Array.from([1 + 2 ** -11, 1 + 3 * 2 ** -11, 1e6]) }])));
    expect([...h.graph.initializer[0].data]).toEqual([1, 1 + 2 ** -9, Infinity]);
  });

  it('a scalar has dims [] and one element; an empty tensor has a zero dim and no data', () => {
    const m = model(graph('main', [], [tensor('s', T.FLOAT, [], [2.5]), tensor('e', T.INT64, [0, 3], [])]));
    expect(roundTrip(m)).toEqual(m);
  });

  it('reads the typed *_data fields, packed and unpacked', () => {
    const packed = (fill: (w: ProtoWriter) => void): ProtoWriter => message(fill);
    const initializers = [
      tensorMessage({ name: 'f', dataType: T.FLOAT, dims: [3], extra: (w) => { w.messageField(4, packed((p) => { p.float32(1); p.float32(2); })); w.float32Field(4, 3); } }),
      tensorMessage({ name: 'h', dataType: T.FLOAT16, dims: [2], extra: (w) => { w.int64Field(5, 0x3c00); w.int64Field(5, 0xc000); } }),
      tensorMessage({ name: 'bf', dataType: T.BFLOAT16, dims: [1], extra: (w) => w.messageField(5, packed((p) => p.int64(0x3fc0))) }),
      tensorMessage({ name: 'i8', dataType: T.INT8, dims: [2], extra: (w) => w.messageField(5, packed((p) => { p.int64(-128); p.int64(127); })) }),
      tensorMessage({ name: 'b', dataType: T.BOOL, dims: [2], extra: (w) => { w.int64Field(5, 1); w.int64Field(5, 0); } }),
      tensorMessage({ name: 'i64', dataType: T.INT64, dims: [3], extra: (w) => w.messageField(7, packed((p) => { p.int64(-1); p.int64(2 ** 63); p.int64(5); })) }),
      tensorMessage({ name: 'd', dataType: T.DOUBLE, dims: [2], extra: (w) => w.messageField(10, packed((p) => { p.float64(0.5); p.float64(-4); })) }),
      tensorMessage({ name: 'u32', dataType: T.UINT32, dims: [2], extra: (w) => { w.int64Field(11, 4294967295); w.int64Field(11, 0); } }),
      tensorMessage({ name: 'u64', dataType: T.UINT64, dims: [1], extra: (w) => w.messageField(11, packed((p) => p.uint64(2 ** 64))) }),
    ];
    const got = decodeModel(modelBytes({ initializers })).graph.initializer.map((t) => [t.name, [...t.data]]);
    expect(got).toEqual([
      ['f', [1, 2, 3]], ['h', [1, -2]], ['bf', [1.5]], ['i8', [-128, 127]], ['b', [1, 0]],
      ['i64', [-1, 2 ** 63, 5]], ['d', [0.5, -4]], ['u32', [4294967295, 0]], ['u64', [2 ** 64]],
    ]);
  });

  it('names the tensor when its typed data is out of range or in the wrong field', () => {
    const bad = (t: ProtoWriter): string => thrown(() => decodeModel(modelBytes({ initializers: [t] }))).message;
    expect(bad(tensorMessage({ name: 'i8', dataType: T.INT8, dims: [1], extra: (w) => w.int64Field(5, 300) }))).toBe(
      "graph.initializer[0] 'i8' int32_data: [0] = 300 is not an integer in [-128, 127]",
    );
    expect(bad(tensorMessage({ name: 'b', dataType: T.BOOL, dims: [1], raw: Uint8Array.of(2) }))).toBe(
      "graph.initializer[0] 'b' raw_data: [0] = 2 is not an integer in [0, 1]",
    );
    expect(bad(tensorMessage({ name: 'x', dataType: T.INT64, dims: [1], extra: (w) => w.float32Field(4, 1) }))).toBe(
      "graph.initializer[0] 'x' float_data: cannot hold INT64 elements (use int64_data or raw_data)",
    );
    expect(bad(tensorMessage({ name: 'x', dataType: T.FLOAT, dims: [1], raw: new Uint8Array(4), extra: (w) => w.float32Field(4, 1) }))).toBe(
      "graph.initializer[0] 'x': holds its data in more than one field (raw_data, float_data)",
    );
    expect(bad(tensorMessage({ name: 's', dataType: T.STRING, dims: [1], extra: (w) => w.stringField(6, 'hi') }))).toMatch(
      /^graph\.initializer\[0\] 's' data_type: STRING is not supported/,
    );
    expect(bad(tensorMessage({ name: 'u', dataType: 0, dims: [1] }))).toBe("graph.initializer[0] 'u' data_type: is missing or UNDEFINED");
    expect(bad(tensorMessage({ name: 'f', dataType: T.FLOAT, dims: [2], extra: (w) => w.float32Field(4, 1) }))).toBe(
      "graph.initializer[0] 'f' float_data: holds 1 values, but dims [2] declare 2 FLOAT elements",
    );
  });
});

describe('value info and unknown fields', () => {
  it('keeps symbolic, unknown and absent shapes and non-tensor types', () => {
    const m = model(graph('main', [node('Identity', ['X'], ['Y'])]));
    m.graph.valueInfo = [
      { name: 'unknown_rank', docString: '', type: { tensorType: { elemType: T.FLOAT } } },
      { name: 'scalar', docString: '', type: { tensorType: { elemType: T.INT64, shape: { dim: [] } } } },
      { name: 'mixed', docString: 'd', type: { tensorType: { elemType: T.FLOAT16, shape: { dim: [{ dimParam: 'N' }, {}, { dimValue: 0, denotation: 'DATA_CHANNEL' }] } }, denotation: 'TENSOR' } },
      { name: 'untyped', docString: '' },
      // A sequence type (TypeProto field 4), kept verbatim.
      { name: 'seq', docString: '', type: { unknownFields: [Uint8Array.from([...tag(4, WireType.LEN), 4, ...tag(1, WireType.LEN), 2, 0x0a, 0x00])] } },
    ];
    expect(roundTrip(m)).toEqual(m);
  });

  it('writes unknown fields of every wire type back verbatim, at every level', () => {
    const unknown = [
      Uint8Array.from([...tag(30, WireType.VARINT), ...varint(-1n)]),
      Uint8Array.from([...tag(31, WireType.I64), 1, 2, 3, 4, 5, 6, 7, 8]),
      Uint8Array.from([...tag(32, WireType.LEN), 2, 9, 9]),
      Uint8Array.from([...tag(33, WireType.I32), 1, 2, 3, 4]),
      Uint8Array.from([...tag(34, WireType.SGROUP), ...tag(1, WireType.VARINT), 5, ...tag(34, WireType.EGROUP)]),
    ];
    const m = model(graph('main', [node('Relu', ['X'], ['Y'], [attr('a', { type: A.INT, i: 1, unknownFields: unknown })])], [
      { ...tensor('w', T.FLOAT, [1], [1]), unknownFields: unknown },
    ]));
    m.unknownFields = unknown;
    m.graph.unknownFields = unknown;
    m.graph.node[0].unknownFields = unknown;
    m.opsetImport[0].unknownFields = unknown;
    const back = roundTrip(m);
    expect(back).toEqual(m);
    const hex = Buffer.from(encodeModel(back)).toString('hex');
    expect(hex.split(Buffer.from(concat(...unknown)).toString('hex')).length - 1).toBe(6);
  });
});

describe('encoder checks', () => {
  it('refuses values the wire cannot carry, naming the field', () => {
    const withTensor = (t: OnnxTensor): string => thrown(() => encodeModel(model(graph('main', [], [t])))).message;
    expect(withTensor(tensor('w', T.FLOAT, [2, 2], [1, 2, 3]))).toBe("graph.initializer[0] 'w' data: holds 3 elements, but dims [2, 2] need 4");
    expect(withTensor(tensor('w', T.FLOAT, [1.5], [1]))).toBe("graph.initializer[0] 'w' dims: 1.5 is not a non-negative integer");
    expect(withTensor(tensor('w', T.FLOAT, [-1], []))).toMatch(/dims: -1 is not a non-negative integer/);
    expect(withTensor(tensor('i', T.INT8, [1], [128]))).toBe("graph.initializer[0] 'i' data: [0] = 128 is not an integer in [-128, 127]");
    expect(withTensor(tensor('i', T.INT64, [1], [0.5]))).toMatch(/data: \[0\] = 0.5 is not an integer/);
    expect(withTensor(tensor('s', T.STRING, [0], []))).toMatch(/data_type: STRING is not supported/);
    const m = model(graph('main', [node('Relu', ['X'], ['Y'], [attr('k', { type: A.INT, i: 0.5 })], 'r')]));
    expect(thrown(() => encodeModel(m)).message).toBe("graph.node[0] 'r' attribute[0] 'k' i: 0.5 is not an integer");
    expect(thrown(() => encodeModel({ ...model(graph('main', [])), irVersion: NaN })).message).toBe('ir_version: NaN is not an integer');
  });
});

describe('onnxruntime runs a hand-built model', () => {
  it('Slice with INT64_MAX ends, float16 / double / int8 initializers cast to float', async () => {
    const f16 = [0.5, -1, 2, 0.25];
    const f64 = [1, 2, 3, 4];
    const i8 = [-3, 0, 7, -128];
    const g = graph('hand_built', [
      node('Slice', ['X', 'starts', 'ends', 'axes'], ['S']),
      node('Cast', ['h'], ['hf'], [attr('to', { type: A.INT, i: T.FLOAT })]),
      node('Cast', ['d'], ['df'], [attr('to', { type: A.INT, i: T.FLOAT })]),
      node('Cast', ['q'], ['qf'], [attr('to', { type: A.INT, i: T.FLOAT })]),
      node('Add', ['S', 'hf'], ['A']),
      node('Mul', ['A', 'df'], ['M']),
      node('Add', ['M', 'qf'], ['Y']),
    ], [
      tensor('starts', T.INT64, [1], [1]),
      tensor('ends', T.INT64, [1], [2 ** 63]), // INT64_MAX: "to the end"
      tensor('axes', T.INT64, [1], [0]),
      tensor('h', T.FLOAT16, [4], f16),
      tensor('d', T.DOUBLE, [4], f64),
      tensor('q', T.INT8, [4], i8),
    ]);
    const bytes = encodeModel(model(g));
    const session = await ort.InferenceSession.create(bytes);
    try {
      const x = Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1);
      const out = (await session.run({ X: new ort.Tensor('float32', x, [3, 4]) })).Y;
      expect(out.dims).toEqual([2, 4]);
      const want = Array.from({ length: 8 }, (_, k) => (x[4 + k] + f16[k % 4]) * f64[k % 4] + i8[k % 4]);
      expect([...(out.data as Float32Array)]).toEqual(want.map(Math.fround));
    } finally {
      await session.release();
    }
  });
});
