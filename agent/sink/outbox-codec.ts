// The outbox's on-disk frame format: encode one record or acknowledgement, and scan a segment's
// bytes back into frames, resynchronising past corruption.
//
// Frame (little-endian), 12-byte header then body:
//   0  u16  magic 0x56 0x4F ("VO"): where a resynchronising scan looks for the next frame
//   2  u8   format version (FORMAT_VERSION)
//   3  u8   type: 1 record, 2 ack, 3 drop
//   4  u32  body length
//   8  u32  CRC-32 of header bytes 0..8 and the body (so a damaged length or type fails it too)
//  12  ...  body
// Record body: f64 seq, f64 createdAt, u8 kind, u8 flags (1 retain, 2 payload is a string),
//   u16 id bytes, u16 key bytes, u16 topic bytes, then id, key, topic (UTF-8) and the payload.
// Ack and drop bodies: f64 seq of the record they settle. `seq` is the outbox's own append order,
//   unique for the life of the directory, so an ack never hits a later record that reuses an id.
//
// scanFrames: frames in file order. A frame that fails its checks starts a damaged region that
// ends at the next position holding a valid frame (counted in `corrupt`, then scanning goes on);
// if no valid frame follows, the damage is a torn tail (`tornAt`), which the caller truncates.
// A valid frame of an unknown version or type was written by newer code: that throws, because
// skipping it would silently lose records.

import { crc32 } from './outbox-crc32.js';

export type OutboxKind = 'alert' | 'state' | 'deadletter';

/** One message waiting in the outbox. `id` names one record (not an episode); order is kept per `key`. */
export interface OutboxRecord {
  readonly id: string;
  /** Order is kept per key: the machine id. */
  readonly key: string;
  readonly kind: OutboxKind;
  readonly topic: string;
  readonly payload: Buffer | string;
  readonly retain?: boolean;
  /** Milliseconds since the epoch; the age bound is measured from it. */
  readonly createdAt: number;
}

export type Frame =
  | { readonly type: 'record'; readonly seq: number; readonly record: OutboxRecord; readonly bytes: number }
  | { readonly type: 'ack' | 'drop'; readonly seq: number; readonly bytes: number };

export interface ScanResult {
  readonly frames: Frame[];
  /** Damaged regions skipped between valid frames. */
  readonly corrupt: { readonly offset: number; readonly bytes: number }[];
  /** Offset where a damaged tail begins (nothing valid after it); undefined if the data ends cleanly. */
  readonly tornAt: number | undefined;
}

export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 12;
const MAGIC0 = 0x56;
const MAGIC1 = 0x4f;
const MAGIC = Buffer.from([MAGIC0, MAGIC1]);
const TYPE_RECORD = 1;
const TYPE_ACK = 2;
const TYPE_DROP = 3;
const RECORD_FIXED = 24;
/** No sane frame is larger; a header claiming more is damage, not a record. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const KIND_CODE: Record<OutboxKind, number> = { alert: 1, state: 2, deadletter: 3 };
const KINDS: readonly OutboxKind[] = ['alert', 'state', 'deadletter'];

function frame(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out[0] = MAGIC0;
  out[1] = MAGIC1;
  out[2] = FORMAT_VERSION;
  out[3] = type;
  out.writeUInt32LE(body.length, 4);
  body.copy(out, HEADER_BYTES);
  out.writeUInt32LE(crc32(body, 0, body.length, crc32(out, 0, 8)), 8);
  return out;
}

/** Encodes a record; throws (a caller bug) if a string field exceeds 65535 UTF-8 bytes. */
export function encodeRecord(record: OutboxRecord, seq: number): Buffer {
  const id = Buffer.from(record.id, 'utf8');
  const key = Buffer.from(record.key, 'utf8');
  const topic = Buffer.from(record.topic, 'utf8');
  const isString = typeof record.payload === 'string';
  const payload = isString ? Buffer.from(record.payload as string, 'utf8') : (record.payload as Buffer);
  for (const [name, b] of [['id', id], ['key', key], ['topic', topic]] as const)
    if (b.length > 0xffff) throw new RangeError(`outbox record ${name} is ${b.length} bytes; at most 65535 fit`);
  const body = Buffer.allocUnsafe(RECORD_FIXED + id.length + key.length + topic.length + payload.length);
  body.writeDoubleLE(seq, 0);
  body.writeDoubleLE(record.createdAt, 8);
  body[16] = KIND_CODE[record.kind];
  body[17] = (record.retain ? 1 : 0) | (isString ? 2 : 0);
  body.writeUInt16LE(id.length, 18);
  body.writeUInt16LE(key.length, 20);
  body.writeUInt16LE(topic.length, 22);
  let o = RECORD_FIXED;
  for (const b of [id, key, topic, payload]) o += b.copy(body, o);
  return frame(TYPE_RECORD, body);
}

/** An acknowledgement ('ack': delivered) or a drop (bounds, coalescing) of the record with this seq. */
export function encodeSettle(type: 'ack' | 'drop', seq: number): Buffer {
  const body = Buffer.allocUnsafe(8);
  body.writeDoubleLE(seq, 0);
  return frame(type === 'ack' ? TYPE_ACK : TYPE_DROP, body);
}

/** The frame at `offset`, or undefined if the bytes there are not an intact frame. */
export function decodeFrame(buf: Buffer, offset: number): Frame | undefined {
  if (offset + HEADER_BYTES > buf.length || buf[offset] !== MAGIC0 || buf[offset + 1] !== MAGIC1) return undefined;
  const length = buf.readUInt32LE(offset + 4);
  const end = offset + HEADER_BYTES + length;
  if (length > MAX_BODY_BYTES || end > buf.length) return undefined;
  const crc = crc32(buf, offset + HEADER_BYTES, end, crc32(buf, offset, offset + 8));
  if (crc !== buf.readUInt32LE(offset + 8)) return undefined;
  const version = buf[offset + 2];
  const type = buf[offset + 3];
  if (version !== FORMAT_VERSION)
    throw new Error(`outbox frame at byte ${offset} has format version ${version}; this build reads ${FORMAT_VERSION}: run the newer build or move the outbox directory aside`);
  const body = buf.subarray(offset + HEADER_BYTES, end);
  const bytes = end - offset;
  if ((type === TYPE_ACK || type === TYPE_DROP) && length === 8)
    return { type: type === TYPE_ACK ? 'ack' : 'drop', seq: body.readDoubleLE(0), bytes };
  if (type === TYPE_RECORD && length >= RECORD_FIXED) {
    const kind = KINDS[body[16] - 1];
    const [idLen, keyLen, topicLen] = [body.readUInt16LE(18), body.readUInt16LE(20), body.readUInt16LE(22)];
    const p0 = RECORD_FIXED, p1 = p0 + idLen, p2 = p1 + keyLen, p3 = p2 + topicLen;
    if (kind !== undefined && p3 <= length) {
      const flags = body[17];
      const payload = Buffer.from(body.subarray(p3)); // a copy: the scanned file buffer is released
      const record: OutboxRecord = {
        id: body.toString('utf8', p0, p1),
        key: body.toString('utf8', p1, p2),
        kind,
        topic: body.toString('utf8', p2, p3),
        payload: flags & 2 ? payload.toString('utf8') : payload,
        ...(flags & 1 ? { retain: true } : {}),
        createdAt: body.readDoubleLE(8),
      };
      return { type: 'record', seq: body.readDoubleLE(0), record, bytes };
    }
  }
  throw new Error(`outbox frame at byte ${offset} passes its checksum but has unknown type ${type} or layout: written by a newer build? Move the outbox directory aside`);
}

/** Every intact frame in `buf`, in order, skipping damaged regions (see the file comment). */
export function scanFrames(buf: Buffer): ScanResult {
  const frames: Frame[] = [];
  const corrupt: { offset: number; bytes: number }[] = [];
  let p = 0;
  while (p < buf.length) {
    const f = decodeFrame(buf, p);
    if (f) {
      frames.push(f);
      p += f.bytes;
      continue;
    }
    let next = buf.indexOf(MAGIC, p + 1);
    while (next !== -1 && decodeFrame(buf, next) === undefined) next = buf.indexOf(MAGIC, next + 1);
    if (next === -1) return { frames, corrupt, tornAt: p };
    corrupt.push({ offset: p, bytes: next - p });
    p = next;
  }
  return { frames, corrupt, tornAt: undefined };
}
