// Hostile files: each either decodes or throws OnnxFormatError whose message names the field, never
// another exception, never an allocation the file's size does not justify (see hostile-check.ts).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType, decodeModel } from '../../../../models/onnx/proto/index.js';
import { WireType } from '../../../../models/onnx/proto/wire-reader.js';
import type { ProtoWriter } from '../../../../models/onnx/proto/wire-writer.js';
import { loadTorchCases } from '../../../helpers/torch-cases.js';
import { largestAllocation } from './alloc-spy.js';
import { decodeHostile } from './hostile-check.js';
import { bytesOf, concat, float32Bytes, message, modelBytes, tag, tensorMessage, varint } from './build.js';

function rejected(bytes: Uint8Array): string {
  const e = decodeHostile(bytes);
  expect(e).not.toBeNull();
  return e!.message;
}

const cases = loadTorchCases();

describe('the allocation spy', () => {
  it('sees the typed arrays the codec allocates, so the bounds below measure something', () => {
    expect(largestAllocation(() => new Float64Array(1000))).toBe(8000);
    const bytes = new Uint8Array(readFileSync(cases[0].onnxPath));
    const model = decodeModel(bytes);
    const largest = Math.max(...model.graph.initializer.map((t) => t.data.byteLength));
    expect(largestAllocation(() => decodeModel(bytes))).toBe(largest);
  });
});

describe('wrong magic', () => {
  const files: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /^not an ONNX model: the file is empty$/],
    ['PNG', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /^not an ONNX model: it starts like a PNG image/],
    ['zip', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]), /^not an ONNX model: it starts like a zip archive/],
    ['gzip', Uint8Array.from([0x1f, 0x8b, 8, 0]), /^not an ONNX model: it starts like a gzip file/],
    ['JSON object', new TextEncoder().encode('{"ir_version": 8, "graph": {}}'), /^not an ONNX model: it starts like JSON text/],
    ['JSON array', new TextEncoder().encode('  [1, 2, 3]'), /^not an ONNX model: it starts like JSON text/],
    ['plain text', new TextEncoder().encode('hello, world'), /^not an ONNX model: the first bytes \(68 65 6c 6c 6f 2c 20 77\) are not a ModelProto field/],
    ['HTML', new TextEncoder().encode('<!doctype html>'), /^not an ONNX model: it starts like XML or HTML/],
    ['a model without a graph', Uint8Array.from([0x08, 0x08]), /^not an ONNX model: it has no graph/],
  ];
  for (const [what, bytes, pattern] of files) {
    it(`${what} → not an ONNX model`, () => {
      expect(rejected(bytes)).toMatch(pattern);
    });
  }
});

describe('truncated fixture models', () => {
  for (const c of cases) {
    it(`${c.name}: every prefix decodes or names the field it ends in`, () => {
      const bytes = new Uint8Array(readFileSync(c.onnxPath));
      const messages = new Set<string>();
      let decoded = 0;
      for (let n = 0; n < bytes.length; n++) {
        const e = decodeHostile(bytes.slice(0, n));
        if (e === null) decoded++;
        else messages.add(e.message.replace(/\d+/g, '#'));
      }
      // A prefix ending between top-level fields is a valid (smaller) model only once the graph is complete.
      expect(decoded).toBeLessThan(bytes.length / 10);
      expect([...messages].some((m) => m.startsWith('graph: declares # bytes but # remain'))).toBe(true);
    });
  }
});

describe('tensors that declare more than the file holds', () => {
  const good = (i: number): ProtoWriter => tensorMessage({ name: `w${i}`, dataType: DataType.FLOAT, dims: [1], raw: float32Bytes([i]) });

  it('a raw_data length beyond the message is refused before anything is read', () => {
    // initializer[3] says its raw_data has 4096 bytes; only 120 follow.
    const liar = concat(
      message((w) => { w.int64Field(1, 1024); w.int64Field(2, DataType.FLOAT); w.stringField(8, 'lstm.weight'); }).finish(),
      tag(9, WireType.LEN), varint(4096n), new Uint8Array(120),
    );
    const bytes = modelBytes({ initializers: [good(0), good(1), good(2), message((w) => w.raw(liar))] });
    expect(rejected(bytes)).toMatch(/^graph\.initializer\[3\] 'lstm\.weight' raw_data: declares 4096 bytes but 120 remain \(length at byte \d+\)$/);
  });

  it('dims of 2^40 elements with 16 bytes of data allocate nothing of that size', () => {
    const huge = tensorMessage({ name: 'huge', dataType: DataType.FLOAT, dims: [2 ** 20, 2 ** 20], raw: new Uint8Array(16) });
    expect(rejected(modelBytes({ initializers: [huge] }))).toBe(
      "graph.initializer[0] 'huge' raw_data: holds 16 bytes, but dims [1048576, 1048576] declare 1099511627776 FLOAT elements (4 bytes each)",
    );
  });

  it('dims whose product overflows 64 bits, with data in a typed list', () => {
    const dims = [2 ** 50, 2 ** 50, 2 ** 50];
    const t = tensorMessage({ name: 'over', dataType: DataType.INT64, dims, extra: (w) => w.int64Field(7, 1) });
    expect(rejected(modelBytes({ initializers: [t] }))).toBe(
      "graph.initializer[0] 'over' int64_data: holds 1 values, but dims [1125899906842624, 1125899906842624, 1125899906842624] declare more than 10^45 INT64 elements",
    );
  });

  it('a zero dim does not excuse data, and dims without any data are refused', () => {
    const zero = tensorMessage({ name: 'z', dataType: DataType.FLOAT, dims: [0, 2 ** 50], raw: new Uint8Array(4) });
    expect(rejected(modelBytes({ initializers: [zero] }))).toMatch(/'z' raw_data: holds 4 bytes, but dims \[0, 1125899906842624\] declare 0 FLOAT/);
    const none = tensorMessage({ name: 'n', dataType: DataType.FLOAT, dims: [2 ** 40] });
    expect(rejected(modelBytes({ initializers: [none] }))).toBe("graph.initializer[0] 'n': has no data, but dims [1099511627776] declare 1099511627776 FLOAT elements");
  });

  it('a huge tensor inside a Constant node names the node, the attribute and the tensor', () => {
    const t = tensorMessage({ name: 'big', dataType: DataType.FLOAT16, dims: [2 ** 30], raw: new Uint8Array(2) });
    const node = message((w) => {
      w.stringField(2, 'c_out');
      w.stringField(3, 'const_0');
      w.stringField(4, 'Constant');
      w.messageField(5, message((a) => { a.stringField(1, 'value'); a.messageField(5, t); a.int64Field(20, 4); }));
    });
    expect(rejected(modelBytes({ nodes: [node] }))).toBe(
      "graph.node[0] 'const_0' attribute[0] 'value' t 'big' raw_data: holds 2 bytes, but dims [1073741824] declare 1073741824 FLOAT16 elements (2 bytes each)",
    );
  });
});

describe('nesting', () => {
  /** A model whose graph holds a Loop whose body holds a Loop ... `levels` deep. */
  function nested(levels: number): Uint8Array {
    let graph = message((g) => g.stringField(2, 'innermost'));
    for (let i = 0; i < levels; i++) {
      const inner = graph;
      const attribute = message((a) => { a.stringField(1, 'body'); a.messageField(6, inner); a.int64Field(20, 5); });
      const node = message((n) => { n.stringField(4, 'Loop'); n.messageField(5, attribute); });
      graph = message((g) => g.messageField(1, node));
    }
    return bytesOf((w) => { w.int64Field(1, 8); w.messageField(7, graph); });
  }

  it('subgraphs 30 deep decode', () => {
    let g = decodeModel(nested(30)).graph;
    for (let i = 0; i < 30; i++) g = g.node[0].attribute[0].g!;
    expect(g.name).toBe('innermost');
  });

  it('subgraphs 2,000 deep are refused at the depth limit, without exhausting the stack', () => {
    const message = rejected(nested(2000));
    expect(message).toMatch(/^graph\.node\[0\]\.attribute\[0\] 'body' g … \(\d+ more\) … .*g\.node\[0\]: messages nested deeper than 100 levels$/);
    expect(message.length).toBeLessThan(200);
  });
});

describe('malformed integers and framing', () => {
  it('an overlong or over-wide ir_version', () => {
    expect(rejected(Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]))).toBe(
      'ir_version: varint at byte 1 overflows 64 bits or is longer than 10 bytes',
    );
    expect(rejected(Uint8Array.from([0x08, ...varint(2n ** 60n)]))).toBe('ir_version: value 1152921504606846976 does not fit in 53 bits');
  });

  it('a negative length (int64 -1) for the graph', () => {
    expect(rejected(Uint8Array.from([0x08, 0x08, ...tag(7, WireType.LEN), ...varint(-1n), 0, 0]))).toBe(
      'graph: declares 18446744073709551615 bytes but 2 remain (length at byte 3)',
    );
  });

  it('negative dims', () => {
    const t = tensorMessage({ name: 'neg', dataType: DataType.FLOAT, dims: [2, -3], raw: new Uint8Array(0) });
    expect(rejected(modelBytes({ initializers: [t] }))).toBe("graph.initializer[0] 'neg' dims: [1] = -3 is negative");
  });

  it('a known field with the wrong wire type', () => {
    expect(rejected(Uint8Array.from([0x08, 0x08, ...tag(7, WireType.VARINT), 1]))).toBe('graph: has wire type 0, expected 2 (a message)');
    const node = message((w) => w.int64Field(3, 5));
    expect(rejected(modelBytes({ nodes: [node] }))).toBe('graph.node[0].name: has wire type 0, expected 2 (field 3)');
  });

  it('invalid UTF-8 in a node name', () => {
    const node = message((w) => w.bytesField(3, Uint8Array.of(0x66, 0xff, 0x66)));
    expect(rejected(modelBytes({ nodes: [node] }))).toBe('graph.node[0].name: is not valid UTF-8');
  });

  it('control characters in names are escaped in messages', () => {
    const t = tensorMessage({ name: 'evil\u001b[2J', dataType: DataType.FLOAT, dims: [2], raw: new Uint8Array(4) });
    expect(rejected(modelBytes({ initializers: [t] }))).toMatch(/^graph\.initializer\[0\] 'evil\\u001b\[2J' raw_data/);
  });
});

describe('external data', () => {
  const entry = (key: string, value: string): ProtoWriter => message((e) => { e.stringField(1, key); e.stringField(2, value); });

  it('is refused, naming the tensor and the file, without opening it', () => {
    const t = tensorMessage({
      name: 'lstm.weight', dataType: DataType.FLOAT, dims: [1024],
      extra: (w) => { w.messageField(13, entry('location', 'weights.bin')); w.messageField(13, entry('offset', '0')); w.int64Field(14, 1); },
    });
    expect(rejected(modelBytes({ initializers: [t] }))).toBe(
      "graph.initializer[0] 'lstm.weight': keeps its data in the external file 'weights.bin'; external data files are not supported. " +
        'Save the model with every tensor inside it (onnx.save_model(model, path, save_as_external_data=False)).',
    );
  });

  it('is refused with data_location EXTERNAL alone, or external_data alone', () => {
    const a = tensorMessage({ name: 'a', dataType: DataType.FLOAT, dims: [1], extra: (w) => w.int64Field(14, 1) });
    expect(rejected(modelBytes({ initializers: [a] }))).toMatch(/^graph\.initializer\[0\] 'a': keeps its data in an external file; external data files are not supported/);
    const b = tensorMessage({ name: 'b', dataType: DataType.FLOAT, dims: [1], extra: (w) => w.messageField(13, entry('location', '/etc/passwd')) });
    expect(rejected(modelBytes({ initializers: [b] }))).toMatch(/'b': keeps its data in the external file '\/etc\/passwd'/);
  });

  it('the codec imports nothing but its own files, so it cannot open a path', () => {
    const dir = new URL('../../../../models/onnx/proto/', import.meta.url).pathname;
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const m of text.matchAll(/from\s+'([^']+)'/g)) expect(m[1], `${file} imports ${m[1]}`).toMatch(/^\.\/[a-z-]+\.js$/);
    }
  });
});
