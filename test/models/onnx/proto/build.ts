// Hand-built protobuf bytes for codec tests: messages written field by field with the codec's own
// ProtoWriter, so tests can produce exactly the (valid or hostile) wire form they need.

import { ProtoWriter } from '../../../../models/onnx/proto/wire-writer.js';

export function message(fill: (w: ProtoWriter) => void): ProtoWriter {
  const w = new ProtoWriter();
  fill(w);
  return w;
}

export function bytesOf(fill: (w: ProtoWriter) => void): Uint8Array {
  return message(fill).finish();
}

/** A TensorProto with raw_data (or none), plus any extra fields. */
export function tensorMessage(t: { name: string; dataType: number; dims: number[]; raw?: Uint8Array; extra?: (w: ProtoWriter) => void }): ProtoWriter {
  return message((w) => {
    for (const d of t.dims) w.int64Field(1, d);
    w.int64Field(2, t.dataType);
    w.stringField(8, t.name);
    if (t.raw !== undefined) w.bytesField(9, t.raw);
    t.extra?.(w);
  });
}

/** ModelProto { ir_version 8, graph { name 'g', initializer..., node... }, opset_import { version 14 } }. */
export function modelBytes(parts: { initializers?: ProtoWriter[]; nodes?: ProtoWriter[]; graphExtra?: (w: ProtoWriter) => void }): Uint8Array {
  return bytesOf((w) => {
    w.int64Field(1, 8);
    w.messageField(7, message((g) => {
      for (const n of parts.nodes ?? []) g.messageField(1, n);
      g.stringField(2, 'g');
      for (const t of parts.initializers ?? []) g.messageField(5, t);
      parts.graphExtra?.(g);
    }));
    w.messageField(8, message((o) => o.int64Field(2, 14)));
  });
}

export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Unsigned varint bytes of a bigint (any width, so tests can write overlong values). */
export function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = v < 0n ? BigInt.asUintN(64, v) : v; // negatives as int64 two's complement
  while (x > 0x7fn) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

export function tag(field: number, wire: number): number[] {
  return varint(BigInt((field << 3) | wire));
}

export function float32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return out;
}
