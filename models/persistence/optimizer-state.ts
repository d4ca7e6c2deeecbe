// The optimizer-state sidecar `<model>.state`: Adam's or SGD's moment buffers, so fine-tuning on a
// device resumes where it stopped after a restart. Binary, because moments are as large as the
// weights and JSON would triple them. Layout (little-endian):
//   0     4  magic "VGOS"
//   4     2  sidecar format version (1)
//   6     2  reserved (0)
//   8     4  header length H
//   12    H  header, UTF-8 JSON: { kind, stepCount, lr, model, buffers: [{ name, dtype, length }] }
//              model: SHA-256 (hex) of the exact model file bytes this state belongs to
//              dtype: 'f32' when every value is exactly a float32 (the usual case), else 'f64'
//   ..       zero padding to a multiple of 8, then each buffer's values in header order
//   end-32  32  SHA-256 of every byte before it (truncation and flipped bits are detected)
// The model hash ties the sidecar to one version of the model file: a sidecar left over from an
// older save (or a crash between the two renames) is recognised as stale instead of being applied.

import { createHash } from 'node:crypto';
import type { OptimizerKind, OptimizerState } from '../../engine/optim/optimizer.js';
import { ModelFileError } from './errors.js';
import { FieldError, expectArray, expectEnum, expectInteger, expectNumber, expectObject, expectString } from './fields.js';

const MAGIC = [0x56, 0x47, 0x4f, 0x53]; // "VGOS"
export const STATE_FORMAT_VERSION = 1;
const PREFIX = 12;
const DIGEST = 32;
const KINDS: readonly OptimizerKind[] = ['sgd', 'adam'];

export interface DecodedOptimizerState {
  readonly state: OptimizerState;
  /** SHA-256 (hex) of the model file the state was saved with. */
  readonly modelSha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function encodeOptimizerState(state: OptimizerState, modelSha256: string): Uint8Array {
  const names = Object.keys(state.buffers);
  const buffers = names.map((name) => {
    const values = state.buffers[name];
    const f32 = values.every((v) => Object.is(Math.fround(v), v) || Number.isNaN(v));
    return { name, dtype: f32 ? 'f32' : 'f64', length: values.length, values };
  });
  const header = new TextEncoder().encode(JSON.stringify({
    kind: state.kind, stepCount: state.stepCount, lr: state.lr, model: modelSha256,
    buffers: buffers.map(({ name, dtype, length }) => ({ name, dtype, length })),
  }));
  const dataStart = align8(PREFIX + header.length);
  const dataBytes = buffers.reduce((n, b) => n + b.length * (b.dtype === 'f32' ? 4 : 8), 0);
  const out = new Uint8Array(align8(dataStart + dataBytes) + DIGEST);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, STATE_FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, PREFIX);
  let pos = dataStart;
  for (const b of buffers) {
    for (const v of b.values) {
      if (b.dtype === 'f32') {
        view.setFloat32(pos, v, true);
        pos += 4;
      } else {
        view.setFloat64(pos, v, true);
        pos += 8;
      }
    }
  }
  out.set(createHash('sha256').update(out.subarray(0, out.length - DIGEST)).digest(), out.length - DIGEST);
  return out;
}

/** Decodes a sidecar; `file` names it in errors. */
export function decodeOptimizerState(bytes: Uint8Array, file: string): DecodedOptimizerState {
  const fail = (detail: string): never => {
    throw new ModelFileError(file, `${detail}; delete it to restart fine-tuning with fresh optimizer moments`);
  };
  if (bytes.length === 0) fail('the optimizer state file is empty');
  if (bytes.length < PREFIX + DIGEST || !MAGIC.every((b, i) => bytes[i] === b)) fail('not a Vigil optimizer state file (no "VGOS" header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== STATE_FORMAT_VERSION) fail(`optimizer state format ${version} is not the one this Vigil reads (${STATE_FORMAT_VERSION})`);
  const digest = createHash('sha256').update(bytes.subarray(0, bytes.length - DIGEST)).digest();
  if (!digest.equals(bytes.subarray(bytes.length - DIGEST))) fail('the optimizer state is damaged or truncated (its checksum does not match)');
  const headerLength = view.getUint32(8, true);
  if (PREFIX + headerLength > bytes.length - DIGEST) fail(`header length ${headerLength} runs past the end of the file`);
  let header: Record<string, unknown>;
  let specs: { name: string; dtype: 'f32' | 'f64'; length: number }[];
  let kind: OptimizerKind;
  let stepCount: number;
  let lr: number;
  let model: string;
  try {
    header = expectObject(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength))), 'header');
    kind = expectEnum(header.kind, 'header.kind', KINDS);
    stepCount = expectInteger(header.stepCount, 'header.stepCount', 0);
    lr = expectNumber(header.lr, 'header.lr');
    model = expectString(header.model, 'header.model');
    specs = expectArray(header.buffers, 'header.buffers').map((b, i) => {
      const o = expectObject(b, `header.buffers[${i}]`);
      return {
        name: expectString(o.name, `header.buffers[${i}].name`, true),
        dtype: expectEnum(o.dtype, `header.buffers[${i}].dtype`, ['f32', 'f64'] as const),
        length: expectInteger(o.length, `header.buffers[${i}].length`, 0),
      };
    });
  } catch (err) {
    return fail(err instanceof FieldError ? err.message : `header is not valid JSON (${(err as Error).message})`);
  }
  let pos = align8(PREFIX + headerLength);
  const need = specs.reduce((n, s) => n + s.length * (s.dtype === 'f32' ? 4 : 8), 0);
  if (pos + need > bytes.length - DIGEST) fail(`the header promises ${need} bytes of buffers but the file holds ${bytes.length - DIGEST - pos}`);
  const buffers: Record<string, number[]> = {};
  for (const s of specs) {
    const values = new Array<number>(s.length);
    for (let i = 0; i < s.length; i++) {
      values[i] = s.dtype === 'f32' ? view.getFloat32(pos, true) : view.getFloat64(pos, true);
      pos += s.dtype === 'f32' ? 4 : 8;
    }
    buffers[s.name] = values;
  }
  return { state: { kind, stepCount, lr, buffers }, modelSha256: model };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
