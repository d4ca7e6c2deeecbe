// Protobuf wire reader over a Uint8Array for files we do not trust. Every read is bounds-checked
// against the end of the enclosing message; every length is checked against the bytes that remain
// BEFORE anything is allocated (byte fields come back as views, never copies); varints longer than
// 10 bytes or wider than 64 bits are errors; 64-bit integers come back as exact numbers or an error,
// except the explicitly lossy readers used for int64 tensor data and attributes (INT64_MAX rounds to 2^63).
// Errors are OnnxFormatError naming the field: callers pass the message path and the field name.

import type { FieldPath } from './errors.js';

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** Group nesting allowed when skipping unknown fields (groups are obsolete; real files have none). */
const MAX_GROUP_DEPTH = 32;
const TWO_32 = 4294967296;

export class ProtoReader {
  /** Index of the next unread byte. */
  pos: number;
  /** End of the current message (exclusive). */
  end: number;
  /** The last tag's field number and wire type (valid after tag()). */
  field = 0;
  wire = 0;
  /** Start of the last tag, to slice an unknown field whole. */
  tagStart = 0;
  private lo = 0;
  private hi = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, start = 0, end = bytes.length) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  remaining(): number {
    return this.end - this.pos;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** Reads the next tag into `field` and `wire`. */
  tag(path: FieldPath): void {
    this.tagStart = this.pos;
    this.readVarint(path, 'tag');
    if (this.hi !== 0 || this.lo >>> 3 === 0) throw path.error(undefined, `invalid field number in tag at byte ${this.tagStart}`);
    this.field = this.lo >>> 3;
    this.wire = this.lo & 7;
    if (this.wire > 5) throw path.error(undefined, `field ${this.field} has invalid wire type ${this.wire} at byte ${this.tagStart}`);
  }

  /** Throws unless the last tag has the wire type the field needs. */
  expect(path: FieldPath, leaf: string, wire: number): void {
    if (this.wire !== wire) throw path.error(leaf, `has wire type ${this.wire}, expected ${wire} (field ${this.field})`);
  }

  /** Unsigned 64-bit varint as an exact number, or an error when it exceeds 2^53 - 1. */
  uint64(path: FieldPath, leaf?: string): number {
    this.readVarint(path, leaf);
    if (this.hi >>> 0 > 0x1fffff) throw path.error(leaf, `value ${this.bigValue(false)} does not fit in 53 bits`);
    return (this.hi >>> 0) * TWO_32 + (this.lo >>> 0);
  }

  /** Signed 64-bit varint (two's complement) as an exact number, or an error when |x| > 2^53 - 1. */
  int64(path: FieldPath, leaf?: string): number {
    this.readVarint(path, leaf);
    const v = this.signedValue();
    if (!Number.isSafeInteger(v)) throw path.error(leaf, `value ${this.bigValue(true)} does not fit in 53 bits`);
    return v;
  }

  /** Signed 64-bit varint, rounded to the nearest double beyond 2^53 (INT64_MAX becomes 2^63). */
  int64Lossy(path: FieldPath, leaf?: string): number {
    this.readVarint(path, leaf);
    return this.signedValue();
  }

  /** Unsigned 64-bit varint, rounded to the nearest double beyond 2^53. */
  uint64Lossy(path: FieldPath, leaf?: string): number {
    this.readVarint(path, leaf);
    return (this.hi >>> 0) * TWO_32 + (this.lo >>> 0);
  }

  /** int32 / enum varint: protobuf keeps the low 32 bits, signed. */
  int32(path: FieldPath, leaf?: string): number {
    this.readVarint(path, leaf);
    return this.lo | 0;
  }

  float32(path: FieldPath, leaf?: string): number {
    this.need(4, path, leaf);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(path: FieldPath, leaf?: string): number {
    this.need(8, path, leaf);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's length, checked against the bytes that remain. */
  length(path: FieldPath, leaf?: string): number {
    const at = this.pos;
    this.readVarint(path, leaf);
    const remain = this.end - this.pos;
    if (this.hi !== 0 || this.lo >>> 0 > remain) {
      const declared = this.hi !== 0 ? this.bigValue(false) : String(this.lo >>> 0);
      throw path.error(leaf, `declares ${declared} bytes but ${remain} remain (length at byte ${at})`);
    }
    return this.lo >>> 0;
  }

  /** A length-delimited field as a view into the file (no copy). */
  bytesView(path: FieldPath, leaf?: string): Uint8Array {
    const n = this.length(path, leaf);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A length-delimited UTF-8 string; invalid UTF-8 is an error (names must be exact). */
  string(path: FieldPath, leaf?: string): string {
    const view = this.bytesView(path, leaf);
    try {
      return utf8.decode(view);
    } catch {
      throw path.error(leaf, 'is not valid UTF-8');
    }
  }

  /** Enters a nested message: returns the outer end, to hand back to leave(). */
  enter(path: FieldPath, leaf?: string): number {
    const n = this.length(path, leaf);
    const outer = this.end;
    this.end = this.pos + n;
    return outer;
  }

  leave(outerEnd: number): void {
    this.end = outerEnd;
  }

  /** Skips the value of the last tag (any wire type, groups included) and returns the whole field's bytes. */
  skip(path: FieldPath): Uint8Array {
    const leaf = `field ${this.field}`;
    const start = this.tagStart;
    if (this.wire === WireType.EGROUP) throw path.error(leaf, 'end-group without a start-group');
    if (this.wire === WireType.SGROUP) {
      const open = [this.field];
      while (open.length > 0) {
        if (this.pos >= this.end) throw path.error(leaf, `group is not closed before the end of its message`);
        this.tag(path);
        const wire = this.wire as number; // tag() changed it; undo the narrowing from the test above
        if (wire === WireType.EGROUP) {
          if (this.field !== open.pop()) throw path.error(leaf, `end-group for field ${this.field} does not match its start-group`);
        } else if (wire === WireType.SGROUP) {
          if (open.length >= MAX_GROUP_DEPTH) throw path.error(leaf, `groups nested deeper than ${MAX_GROUP_DEPTH}`);
          open.push(this.field);
        } else {
          this.skipScalar(path, leaf);
        }
      }
    } else {
      this.skipScalar(path, leaf);
    }
    return this.bytes.subarray(start, this.pos);
  }

  private skipScalar(path: FieldPath, leaf?: string): void {
    switch (this.wire) {
      case WireType.VARINT:
        this.readVarint(path, leaf);
        return;
      case WireType.I64:
        this.need(8, path, leaf);
        this.pos += 8;
        return;
      case WireType.I32:
        this.need(4, path, leaf);
        this.pos += 4;
        return;
      case WireType.LEN: {
        const n = this.length(path, leaf); // read first: `pos += length()` would use the pos before the length
        this.pos += n;
        return;
      }
    }
  }

  private need(n: number, path: FieldPath, leaf?: string): void {
    if (this.end - this.pos < n) throw path.error(leaf, `needs ${n} bytes but ${this.end - this.pos} remain`);
  }

  /** Reads up to 10 bytes into lo/hi (low and high 32 bits). */
  private readVarint(path: FieldPath, leaf?: string): void {
    const b = this.bytes;
    const end = this.end;
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; ; i++) {
      if (this.pos >= end) throw path.error(leaf, `varint at byte ${start} is truncated`);
      const byte = b[this.pos++];
      if (i < 4) lo |= (byte & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (byte & 0x0f) << 28;
        hi = (byte & 0x7f) >>> 4;
      } else if (i < 9) hi |= (byte & 0x7f) << (7 * i - 32);
      else if (byte > 1) throw path.error(leaf, `varint at byte ${start} overflows 64 bits or is longer than 10 bytes`);
      else hi |= byte << 31;
      if (byte < 0x80) break; // the 10th byte is at most 1, so the loop ends by i = 9
    }
    this.lo = lo;
    this.hi = hi;
  }

  private signedValue(): number {
    // Values that fit in 32 bits come back as int32, so V8 keeps dims and attributes as small
    // integers: sizes computed as doubles deoptimise the kernels they reach (measured: 1.7x).
    if ((this.hi === 0 && this.lo >= 0) || (this.hi === -1 && this.lo < 0)) return this.lo | 0;
    if (this.hi >= 0) return this.hi * TWO_32 + (this.lo >>> 0);
    // Negative: magnitude is the two's complement of (hi, lo).
    const mlo = (~this.lo + 1) >>> 0;
    const mhi = (~this.hi + (mlo === 0 ? 1 : 0)) >>> 0;
    return -(mhi * TWO_32 + mlo);
  }

  private bigValue(signed: boolean): string {
    const u = (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
    return String(signed ? BigInt.asIntN(64, u) : u);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
