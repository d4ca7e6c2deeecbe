// Tensor payloads: which element types Vigil supports, their sizes and storage fields, and the
// conversions between ONNX bytes (little-endian raw_data, or the typed *_data lists) and TensorData.
// FLOAT, DOUBLE, FLOAT16 and BFLOAT16 become Float32Array; integer and bool types Float64Array of
// exact integers (int64/uint64 beyond 2^53 round). Values outside their type's range are errors.
// Callers check element counts against the bytes present before calling anything that allocates.

import type { FieldPath } from './errors.js';
import { DataType, dataTypeName, type TensorData } from './types.js';
import { int64Halves } from './wire-writer.js';

/** The typed list field of TensorProto that holds each element type when raw_data is not used. */
export type ListField = 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data';

export interface ElementKind {
  /** Bytes per element in raw_data. */
  size: number;
  /** Decodes to Float32Array (true) or Float64Array of integers (false). */
  float: boolean;
  list: ListField;
  /** Inclusive range of integer types. */
  min: number;
  max: number;
}

const T = DataType;
const kind = (size: number, float: boolean, list: ListField, min = -Infinity, max = Infinity): ElementKind => ({ size, float, list, min, max });

export const ELEMENT_KINDS: ReadonlyMap<number, ElementKind> = new Map([
  [T.FLOAT, kind(4, true, 'float_data')],
  [T.DOUBLE, kind(8, true, 'double_data')],
  [T.FLOAT16, kind(2, true, 'int32_data')],
  [T.BFLOAT16, kind(2, true, 'int32_data')],
  [T.INT8, kind(1, false, 'int32_data', -128, 127)],
  [T.UINT8, kind(1, false, 'int32_data', 0, 255)],
  [T.INT16, kind(2, false, 'int32_data', -32768, 32767)],
  [T.UINT16, kind(2, false, 'int32_data', 0, 65535)],
  [T.INT32, kind(4, false, 'int32_data', -2147483648, 2147483647)],
  [T.UINT32, kind(4, false, 'uint64_data', 0, 4294967295)],
  [T.INT64, kind(8, false, 'int64_data', -9223372036854775808, 9223372036854775808)],
  [T.UINT64, kind(8, false, 'uint64_data', 0, 18446744073709551616)],
  [T.BOOL, kind(1, false, 'int32_data', 0, 1)],
]);

/** The element kind of a supported data type, or an error naming the type. */
export function elementKind(dataType: number, path: FieldPath, leaf: string): ElementKind {
  const k = ELEMENT_KINDS.get(dataType);
  if (k === undefined) {
    const why = dataType === T.UNDEFINED ? 'is missing or UNDEFINED' : `${dataTypeName(dataType)} is not supported (Vigil reads FLOAT, DOUBLE, FLOAT16, BFLOAT16, integer and BOOL tensors)`;
    throw path.error(leaf, why);
  }
  return k;
}

/** Decodes count × size little-endian bytes (the caller has checked raw.length). */
export function rawToData(dataType: number, k: ElementKind, raw: Uint8Array, path: FieldPath): TensorData {
  const n = raw.length / k.size;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (k.float) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = readFloat(dv, i, dataType);
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = readInt(dv, i, dataType);
  if (dataType === T.BOOL) checkRange(out, k, path, 'raw_data');
  return out;
}

/** Converts a typed *_data list (already decoded from the wire) to TensorData, checking ranges. */
export function listToData(dataType: number, k: ElementKind, list: readonly number[], path: FieldPath): TensorData {
  if (!k.float) {
    const out = Float64Array.from(list);
    checkRange(out, k, path, k.list);
    return out;
  }
  if (dataType === T.FLOAT16 || dataType === T.BFLOAT16) {
    const out = new Float32Array(list.length);
    const conv = dataType === T.FLOAT16 ? halfToFloat : bfloat16ToFloat;
    for (let i = 0; i < list.length; i++) {
      const bits = list[i];
      if (bits < 0 || bits > 0xffff) throw path.error(k.list, `[${i}] = ${bits} is not a 16-bit pattern`);
      out[i] = conv(bits);
    }
    return out;
  }
  return Float32Array.from(list);
}

/** Encodes TensorData as the little-endian raw_data of the given type; integers must be in range. */
export function dataToRaw(dataType: number, data: TensorData, path: FieldPath): Uint8Array {
  const k = elementKind(dataType, path, 'data_type');
  if (!k.float) checkRange(data, k, path, 'data');
  const out = new Uint8Array(data.length * k.size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) writeElement(dv, i, dataType, data[i]);
  return out;
}

function checkRange(data: TensorData, k: ElementKind, path: FieldPath, leaf: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < k.min || v > k.max) throw path.error(leaf, `[${i}] = ${v} is not an integer in [${k.min}, ${k.max}]`);
  }
}

function readFloat(dv: DataView, i: number, dataType: number): number {
  switch (dataType) {
    case T.FLOAT: return dv.getFloat32(4 * i, true);
    case T.DOUBLE: return dv.getFloat64(8 * i, true);
    case T.FLOAT16: return halfToFloat(dv.getUint16(2 * i, true));
    default: return bfloat16ToFloat(dv.getUint16(2 * i, true));
  }
}

function readInt(dv: DataView, i: number, dataType: number): number {
  switch (dataType) {
    case T.INT8: return dv.getInt8(i);
    case T.UINT8: case T.BOOL: return dv.getUint8(i);
    case T.INT16: return dv.getInt16(2 * i, true);
    case T.UINT16: return dv.getUint16(2 * i, true);
    case T.INT32: return dv.getInt32(4 * i, true);
    case T.UINT32: return dv.getUint32(4 * i, true);
    case T.INT64: {
      const hi = dv.getInt32(8 * i + 4, true);
      const lo = dv.getInt32(8 * i, true);
      // int32-sized values stay int32 (see wire-reader.ts signedValue); others are exact up to 2^53.
      if ((hi === 0 && lo >= 0) || (hi === -1 && lo < 0)) return lo;
      return hi * 4294967296 + (lo >>> 0);
    }
    default: return dv.getUint32(8 * i + 4, true) * 4294967296 + dv.getUint32(8 * i, true); // UINT64
  }
}

function writeElement(dv: DataView, i: number, dataType: number, v: number): void {
  switch (dataType) {
    case T.FLOAT: return dv.setFloat32(4 * i, v, true);
    case T.DOUBLE: return dv.setFloat64(8 * i, v, true);
    case T.FLOAT16: return dv.setUint16(2 * i, floatToHalf(v), true);
    case T.BFLOAT16: return dv.setUint16(2 * i, floatToBfloat16(v), true);
    case T.INT8: return dv.setInt8(i, v);
    case T.UINT8: case T.BOOL: return dv.setUint8(i, v);
    case T.INT16: return dv.setInt16(2 * i, v, true);
    case T.UINT16: return dv.setUint16(2 * i, v, true);
    case T.INT32: return dv.setInt32(4 * i, v, true);
    case T.UINT32: return dv.setUint32(4 * i, v, true);
    default: {
      // INT64 and UINT64: the same two halves (UINT64 values are non-negative, clamped at 2^64 - 1).
      const [lo, hi] = dataType === T.UINT64 && v >= 18446744073709551615 ? [0xffffffff, 0xffffffff] : int64HalvesUnsigned(v, dataType);
      dv.setUint32(8 * i, lo, true);
      dv.setUint32(8 * i + 4, hi, true);
    }
  }
}

function int64HalvesUnsigned(v: number, dataType: number): [number, number] {
  if (dataType === T.INT64) return int64Halves(v);
  const hi = Math.floor(v / 4294967296);
  return [(v - hi * 4294967296) >>> 0, hi >>> 0];
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits → number (exact). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** number → binary16 bits, rounding the float32 value to nearest even; overflow gives ±Infinity. */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) !== 0)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) !== 0)) half++; // a carry into the exponent is correct rounding
  return sign | half;
}

export function bfloat16ToFloat(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}

/** number → bfloat16 bits (the top half of float32), rounding to nearest even; NaN stays NaN. */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}
