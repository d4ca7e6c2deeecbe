// Protobuf wire writer. Small writes go to a scratch buffer; large byte fields and nested messages
// are appended as chunks (no copy) and concatenated once by finish(). Integers are written as
// callers pass them: int64 from any integer-valued number, clamping beyond ±2^63 so that INT64_MAX,
// which a double rounds up to 2^63, is written back as INT64_MAX rather than wrapping to INT64_MIN.

import { WireType } from './wire-reader.js';

const TWO_32 = 4294967296;
const TWO_63 = 9223372036854775808;
/** Byte fields at least this long are appended as their own chunk instead of copied into scratch. */
const CHUNK_MIN = 256;
const SCRATCH = 4096;

const utf8 = new TextEncoder();

/** Splits an integer-valued number into the two's complement low/high 32-bit halves of an int64. */
export function int64Halves(x: number): [lo: number, hi: number] {
  if (x >= TWO_63) return [0xffffffff, 0x7fffffff];
  if (x <= -TWO_63) return [0, 0x80000000];
  const m = Math.abs(x);
  const mhi = Math.floor(m / TWO_32);
  const mlo = m - mhi * TWO_32;
  if (x >= 0) return [mlo >>> 0, mhi >>> 0];
  const lo = (~mlo + 1) >>> 0;
  return [lo, (~mhi + (lo === 0 ? 1 : 0)) >>> 0];
}

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  // Starts small (most messages are a few bytes) and doubles up to SCRATCH as it fills.
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  /** Scratch bytes [start, pos) are written but not yet a chunk. */
  private start = 0;
  private pos = 0;
  private flushed = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.flushed + this.pos - this.start;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire, 0);
  }

  /** A non-negative integer below 2^32 (lengths, tags). */
  uint32(v: number): void {
    this.varint(v >>> 0, 0);
  }

  /** An integer-valued number as a (sign-extended) int64 varint; also right for int32 and enums. */
  int64(x: number): void {
    const [lo, hi] = int64Halves(x);
    this.varint(lo, hi);
  }

  /** Unsigned 64-bit varint from a non-negative integer-valued number (clamped at 2^64 - 1). */
  uint64(x: number): void {
    if (x >= 2 * TWO_63) this.varint(0xffffffff, 0xffffffff);
    else {
      const hi = Math.floor(x / TWO_32);
      this.varint((x - hi * TWO_32) >>> 0, hi >>> 0);
    }
  }

  float32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  float64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  int64Field(field: number, x: number): void {
    this.tag(field, WireType.VARINT);
    this.int64(x);
  }

  float32Field(field: number, v: number): void {
    this.tag(field, WireType.I32);
    this.float32(v);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, WireType.LEN);
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  stringField(field: number, text: string): void {
    this.bytesField(field, utf8.encode(text));
  }

  /** A nested message already written to its own writer. */
  messageField(field: number, sub: ProtoWriter): void {
    this.tag(field, WireType.LEN);
    this.uint32(sub.length);
    this.flush();
    sub.flush();
    for (const c of sub.chunks) this.push(c);
  }

  /** Bytes appended verbatim (pre-encoded fields such as preserved unknown fields). */
  raw(bytes: Uint8Array): void {
    if (bytes.length >= CHUNK_MIN) {
      this.flush();
      this.push(bytes);
      return;
    }
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0];
    const out = new Uint8Array(this.flushed);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private varint(lo: number, hi: number): void {
    this.ensure(10);
    const b = this.buf;
    while (hi !== 0) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    b[this.pos++] = lo;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    this.buf = new Uint8Array(Math.max(n, Math.min(SCRATCH, this.buf.length * 2)));
    this.view = new DataView(this.buf.buffer);
    this.start = 0;
    this.pos = 0;
  }

  /** The pending scratch bytes become a chunk; later writes continue in the same scratch buffer. */
  private flush(): void {
    if (this.pos === this.start) return;
    this.push(this.buf.subarray(this.start, this.pos));
    this.start = this.pos;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.flushed += chunk.length;
  }
}
