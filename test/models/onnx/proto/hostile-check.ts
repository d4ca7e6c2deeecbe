// Shared by the hostile-file and fuzz tests: decode under the allocation spy and require either a
// model or an OnnxFormatError whose message names the field (never another exception), with no
// buffer beyond 8 bytes per file byte (the widest conversion: a one-byte integer to a float64).

import { expect } from 'vitest';
import { decodeModel, OnnxFormatError } from '../../../../models/onnx/proto/index.js';
import { largestAllocation } from './alloc-spy.js';

export function decodeHostile(bytes: Uint8Array): OnnxFormatError | null {
  let error: OnnxFormatError | null = null;
  const max = largestAllocation(() => {
    try {
      decodeModel(bytes);
    } catch (e) {
      if (!(e instanceof OnnxFormatError)) throw e;
      error = e;
    }
  });
  if (max > 8 * bytes.length + 64) expect.fail(`decoding ${bytes.length} bytes allocated a buffer of ${max} bytes`);
  if (error !== null && !namesAField(error)) expect.fail(`error does not name a field: ${(error as OnnxFormatError).message}`);
  return error;
}

/** An error names where it is: a field path, or says the file is not an ONNX model at all. */
export function namesAField(e: OnnxFormatError): boolean {
  return e.message.startsWith('not an ONNX model: ') || (e.path !== '' && e.message.startsWith(`${e.path}: `));
}

/**
 * Strict structural equality for decoded models (plain objects, arrays, typed arrays of the same
 * class, numbers by Object.is so NaN equals NaN and -0 differs from 0). Much faster than toEqual on
 * typed arrays, which the fuzz loop compares thousands of times. Returns the first differing path.
 */
export function firstDifference(a: unknown, b: unknown, path = 'model'): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path} (class)`;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return `${path}.length`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${path}[${i}]`;
    return null;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k) => !Object.hasOwn(b, k))) return `${path} (keys ${ka.join(',')} vs ${kb.join(',')})`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  return null;
}
