// Building blocks of the message decoders: nested messages with a depth limit, repeated scalar
// fields in both packed and unpacked form, unknown fields kept verbatim, and StringStringEntryProto.
// A repeated field grows by at most one value per byte it consumes, so memory stays proportional
// to the file.

import type { FieldPath } from './errors.js';
import type { StringStringEntry } from './types.js';
import { type ProtoReader, WireType } from './wire-reader.js';

/** Nested messages allowed (protobuf's own default recursion limit); a subgraph costs three levels. */
export const MAX_DEPTH = 100;

export type ScalarKind = 'int64' | 'int64Lossy' | 'uint64Lossy' | 'int32' | 'float32' | 'float64';

const wireOf: Record<ScalarKind, number> = {
  int64: WireType.VARINT, int64Lossy: WireType.VARINT, uint64Lossy: WireType.VARINT, int32: WireType.VARINT,
  float32: WireType.I32, float64: WireType.I64,
};

function readScalar(r: ProtoReader, path: FieldPath, leaf: string, kind: ScalarKind): number {
  switch (kind) {
    case 'int64': return r.int64(path, leaf);
    case 'int64Lossy': return r.int64Lossy(path, leaf);
    case 'uint64Lossy': return r.uint64Lossy(path, leaf);
    case 'int32': return r.int32(path, leaf);
    case 'float32': return r.float32(path, leaf);
    case 'float64': return r.float64(path, leaf);
  }
}

/** Appends one value (unpacked) or a packed run of values of a repeated scalar field to `out`. */
export function readRepeated(r: ProtoReader, path: FieldPath, leaf: string, kind: ScalarKind, out: number[]): void {
  if (r.wire !== WireType.LEN) {
    r.expect(path, leaf, wireOf[kind]);
    out.push(readScalar(r, path, leaf, kind));
    return;
  }
  const outer = r.enter(path, leaf);
  const width = kind === 'float32' ? 4 : kind === 'float64' ? 8 : 0;
  if (width !== 0 && r.remaining() % width !== 0) {
    throw path.error(leaf, `packed run of ${r.remaining()} bytes is not a multiple of ${width}`);
  }
  while (r.more()) out.push(readScalar(r, path, leaf, kind));
  r.leave(outer);
}

/** Reads a singular scalar field, checking its wire type. */
export function readSingle(r: ProtoReader, path: FieldPath, leaf: string, kind: ScalarKind): number {
  r.expect(path, leaf, wireOf[kind]);
  return readScalar(r, path, leaf, kind);
}

export function readString(r: ProtoReader, path: FieldPath, leaf: string): string {
  r.expect(path, leaf, WireType.LEN);
  return r.string(path, leaf);
}

/** Decodes a nested message at `path` (already the child path), enforcing the depth limit. */
export function readMessage<T>(
  r: ProtoReader,
  path: FieldPath,
  depth: number,
  decode: (r: ProtoReader, path: FieldPath, depth: number) => T,
): T {
  if (r.wire !== WireType.LEN) throw path.error(undefined, `has wire type ${r.wire}, expected 2 (a message)`);
  if (depth > MAX_DEPTH) throw path.error(undefined, `messages nested deeper than ${MAX_DEPTH} levels`);
  const outer = r.enter(path);
  const value = decode(r, path, depth);
  r.leave(outer);
  return value;
}

/** Keeps an unknown field's bytes (copied, so the file buffer can be released). */
export function keepUnknown(r: ProtoReader, path: FieldPath, unknown: Uint8Array[]): void {
  unknown.push(r.skip(path).slice());
}

/** Sets `unknownFields` on a decoded message only when there were any. */
export function withUnknown<T extends object>(message: T, unknown: Uint8Array[]): T {
  if (unknown.length > 0) (message as { unknownFields?: Uint8Array[] }).unknownFields = unknown;
  return message;
}

export function decodeStringStringEntry(r: ProtoReader, path: FieldPath): StringStringEntry {
  let key = '';
  let value = '';
  const unknown: Uint8Array[] = [];
  while (r.more()) {
    r.tag(path);
    if (r.field === 1) {
      key = readString(r, path, 'key');
      path.label = key;
    } else if (r.field === 2) value = readString(r, path, 'value');
    else keepUnknown(r, path, unknown);
  }
  return withUnknown({ key, value }, unknown);
}
