// The wire layer on its own: varints (64-bit exact-or-error, lossy for int64 data, overlong and
// truncated forms), fixed-width floats, length checks before allocation, packed and unpacked
// repeated fields, and skipping unknown fields of every wire type.

import { describe, expect, it } from 'vitest';
import { readRepeated } from '../../../../models/onnx/proto/decode-common.js';
import { OnnxFormatError, rootPath } from '../../../../models/onnx/proto/errors.js';
import { ProtoReader, WireType } from '../../../../models/onnx/proto/wire-reader.js';
import { ProtoWriter } from '../../../../models/onnx/proto/wire-writer.js';
import { bytesOf, concat, tag, varint } from './build.js';

const path = rootPath().child('graph').child('initializer', 3);
path.label = 'lstm.weight';

function reader(bytes: ArrayLike<number>): ProtoReader {
  return new ProtoReader(Uint8Array.from(bytes));
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

describe('varints', () => {
  const exact = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -2, -(2 ** 31), -(2 ** 53 - 1)];
  it('int64 round-trips every exact value through writer and reader, matching the reference encoding', () => {
    for (const v of exact) {
      const w = new ProtoWriter();
      w.int64(v);
      const bytes = w.finish();
      expect([...bytes]).toEqual(varint(BigInt(v)));
      expect(reader(bytes).int64(path, 'i')).toBe(v);
    }
  });

  it('an int64 beyond 2^53 is an error from the exact reader and rounds in the lossy one', () => {
    const big = varint(2n ** 53n + 1n);
    expect(thrown(() => reader(big).int64(path, 'dims')).message).toBe(
      "graph.initializer[3] 'lstm.weight' dims: value 9007199254740993 does not fit in 53 bits",
    );
    expect(reader(big).int64Lossy(path, 'ints')).toBe(2 ** 53);
    expect(thrown(() => reader(varint(2n ** 60n)).uint64(path, 'len')).message).toMatch(/1152921504606846976 does not fit in 53 bits/);
  });

  it('INT64_MAX and INT64_MIN read as ±2^63 and are written back as INT64_MAX and INT64_MIN', () => {
    const max = varint(2n ** 63n - 1n);
    const min = varint(-(2n ** 63n));
    expect(reader(max).int64Lossy(path, 'ints')).toBe(2 ** 63);
    expect(reader(min).int64Lossy(path, 'ints')).toBe(-(2 ** 63));
    for (const [v, bytes] of [[2 ** 63, max], [-(2 ** 63), min], [2 ** 70, max], [-(2 ** 70), min]] as const) {
      const w = new ProtoWriter();
      w.int64(v);
      expect([...w.finish()]).toEqual(bytes);
    }
  });

  it('int32 keeps the low 32 bits, as protobuf does, so negative enums written as 10 bytes read back', () => {
    expect(reader(varint(-5n)).int32(path, 'data_type')).toBe(-5);
    expect(reader(varint(2n ** 32n + 7n)).int32(path, 'data_type')).toBe(7);
  });

  it('rejects overlong, over-64-bit and truncated varints with the field named', () => {
    const eleven = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
    expect(thrown(() => reader(eleven).int64(path, 'dims')).message).toMatch(/^graph\.initializer\[3\] 'lstm\.weight' dims: varint at byte 0 overflows 64 bits/);
    const tenthTooBig = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
    expect(thrown(() => reader(tenthTooBig).int64Lossy(path, 'ints')).message).toMatch(/overflows 64 bits/);
    expect(thrown(() => reader([0x80, 0x80]).int64(path, 'dims')).message).toMatch(/dims: varint at byte 0 is truncated/);
    expect(thrown(() => reader([]).int64(path, 'dims')).message).toMatch(/truncated/);
  });

  it('accepts non-canonical (padded) varints, as protobuf parsers do', () => {
    expect(reader([0x81, 0x80, 0x80, 0x00]).int64(path, 'i')).toBe(1);
  });
});

describe('fixed-width and length-delimited fields', () => {
  it('reads little-endian float32 and float64 and checks they fit', () => {
    const w = new ProtoWriter();
    w.float32(1.5);
    w.float64(-2.25);
    const r = reader(w.finish());
    expect(r.float32(path, 'f')).toBe(1.5);
    expect(r.float64(path, 'd')).toBe(-2.25);
    expect(thrown(() => reader([0, 0, 0]).float32(path, 'f')).message).toBe("graph.initializer[3] 'lstm.weight' f: needs 4 bytes but 3 remain");
  });

  it('checks a declared length against the bytes that remain before taking anything', () => {
    const bytes = concat(varint(4096n), new Uint8Array(120));
    expect(thrown(() => reader(bytes).bytesView(path, 'raw_data')).message).toBe(
      "graph.initializer[3] 'lstm.weight' raw_data: declares 4096 bytes but 120 remain (length at byte 0)",
    );
    // A negative length (int64 -1 as a 10-byte varint) is a 64-bit unsigned length of 2^64 - 1.
    expect(thrown(() => reader(varint(-1n)).bytesView(path, 'raw_data')).message).toMatch(/declares 18446744073709551615 bytes but 0 remain/);
  });

  it('bounds lengths by the enclosing message, not the file', () => {
    // An outer message of 3 bytes whose inner field claims 5: the 10 bytes after it do not count.
    const bytes = concat(varint(3n), [0x0a, 0x05, 0x00], new Uint8Array(10));
    const r = reader(bytes);
    const outer = r.enter(path, 'g');
    r.tag(path);
    expect(thrown(() => r.bytesView(path, 'name')).message).toMatch(/name: declares 5 bytes but 1 remain/);
    r.leave(outer);
  });

  it('returns byte fields as views, never copies', () => {
    const bytes = concat([3, 1, 2, 3]);
    const view = new ProtoReader(bytes).bytesView(path, 'raw_data');
    expect(view.buffer).toBe(bytes.buffer);
    expect([...view]).toEqual([1, 2, 3]);
  });

  it('rejects invalid UTF-8 in strings, naming the field', () => {
    expect(thrown(() => reader([2, 0xc3, 0x28]).string(path, 'name')).message).toBe("graph.initializer[3] 'lstm.weight' name: is not valid UTF-8");
    expect(reader([2, 0xc3, 0xa9]).string(path, 'name')).toBe('é');
  });
});

describe('repeated scalars', () => {
  function readAll(bytes: Uint8Array, kind: Parameters<typeof readRepeated>[3]): number[] {
    const r = new ProtoReader(bytes);
    const out: number[] = [];
    while (r.more()) {
      r.tag(path);
      readRepeated(r, path, 'values', kind, out);
    }
    return out;
  }

  it('reads packed and unpacked forms, mixed in one message', () => {
    const floats = bytesOf((w) => {
      w.float32Field(4, 1); // unpacked
      const packed = new ProtoWriter();
      packed.float32(2);
      packed.float32(3);
      w.messageField(4, packed); // packed run
      w.float32Field(4, 4);
    });
    expect(readAll(floats, 'float32')).toEqual([1, 2, 3, 4]);
    const ints = bytesOf((w) => {
      const packed = new ProtoWriter();
      for (const v of [1, -1, 2 ** 40]) packed.int64(v);
      w.messageField(7, packed);
      w.int64Field(7, 5);
    });
    expect(readAll(ints, 'int64')).toEqual([1, -1, 2 ** 40, 5]);
  });

  it('rejects a packed fixed-width run that is not a whole number of elements', () => {
    const bad = concat(tag(4, WireType.LEN), [5, 0, 0, 128, 63, 0]);
    expect(thrown(() => readAll(bad, 'float32')).message).toMatch(/values: packed run of 5 bytes is not a multiple of 4/);
  });

  it('rejects a packed varint that runs past the end of its run', () => {
    const bad = concat(tag(7, WireType.LEN), [2, 0x01, 0x80], [0x01]);
    expect(thrown(() => readAll(bad, 'int64')).message).toMatch(/values: varint at byte 3 is truncated/);
  });

  it('rejects an unpacked element with the wrong wire type', () => {
    const bad = concat(tag(4, WireType.VARINT), [1]);
    expect(thrown(() => readAll(bad, 'float32')).message).toMatch(/values: has wire type 0, expected 5/);
  });
});

describe('unknown fields', () => {
  it('skips every wire type, groups included, returning each whole field', () => {
    const fields = [
      concat(tag(100, WireType.VARINT), varint(-1n)),
      concat(tag(101, WireType.I64), new Uint8Array(8)),
      concat(tag(102, WireType.LEN), [3, 1, 2, 3]),
      concat(tag(103, WireType.I32), [1, 2, 3, 4]),
      concat(tag(104, WireType.SGROUP), tag(1, WireType.VARINT), [7], tag(2, WireType.SGROUP), tag(3, WireType.LEN), [0], tag(2, WireType.EGROUP), tag(104, WireType.EGROUP)),
    ];
    const r = new ProtoReader(concat(...fields, tag(1, WireType.VARINT), [42]));
    for (const f of fields) {
      r.tag(path);
      expect([...r.skip(path)]).toEqual([...f]);
    }
    r.tag(path);
    expect(r.field).toBe(1);
    expect(r.int64(path, 'ir_version')).toBe(42);
  });

  it('rejects unmatched and unclosed groups and the invalid wire types 6 and 7', () => {
    const cases: [number[], RegExp][] = [
      [[...tag(9, WireType.EGROUP)], /field 9: end-group without a start-group/],
      [[...tag(9, WireType.SGROUP), ...tag(8, WireType.EGROUP)], /end-group for field 8 does not match/],
      [[...tag(9, WireType.SGROUP), ...tag(1, WireType.VARINT), 1], /group is not closed/],
      [[(9 << 3) | 6], /field 9 has invalid wire type 6/],
      [[(9 << 3) | 7], /field 9 has invalid wire type 7/],
      [[0x00], /invalid field number/],
    ];
    for (const [bytes, message] of cases) {
      expect(thrown(() => {
        const r = reader(bytes);
        r.tag(path);
        r.skip(path);
      }).message).toMatch(message);
    }
  });

  it('limits group nesting', () => {
    const open = Array.from({ length: 40 }, () => tag(5, WireType.SGROUP)).flat();
    expect(thrown(() => {
      const r = reader(open);
      r.tag(path);
      r.skip(path);
    }).message).toMatch(/groups nested deeper than 32/);
  });
});

describe('ProtoWriter', () => {
  it('concatenates scratch writes, large chunks and nested messages in order', () => {
    const big = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const inner = new ProtoWriter();
    inner.stringField(1, 'x'.repeat(300));
    inner.int64Field(2, 7);
    const w = new ProtoWriter();
    w.int64Field(1, 1);
    w.bytesField(9, big);
    w.messageField(7, inner);
    for (let i = 0; i < 5000; i++) w.int64Field(3, i); // overflows the scratch buffer several times
    const bytes = w.finish();
    expect(bytes.length).toBe(w.length);
    const r = new ProtoReader(bytes);
    r.tag(path);
    expect(r.int64(path)).toBe(1);
    r.tag(path);
    expect([...r.bytesView(path)]).toEqual([...big]);
    r.tag(path);
    const outer = r.enter(path);
    r.tag(path);
    expect(r.string(path)).toBe('x'.repeat(300));
    r.tag(path);
    expect(r.int64(path)).toBe(7);
    r.leave(outer);
    for (let i = 0; i < 5000; i++) {
      r.tag(path);
      expect(r.int64(path)).toBe(i);
    }
    expect(r.more()).toBe(false);
  });
});
