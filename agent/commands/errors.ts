// How commands fail, and the exit codes they fail with:
//   0  done
//   1  something unexpected (a bug, a runtime that crashed): the message, and the stack with VIGIL_DEBUG=1
//   2  the user gave something wrong (an argument, an input file, a model that is refused): the
//      message names the file or option and what is wrong, so it can be fixed without reading code
// Commands throw UsageError (or ModelFileError / SigningKeyError from persistence) for exit code 2.

import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { ModelFileError, SigningKeyError } from '../../models/persistence/index.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError || err instanceof ModelFileError || err instanceof SigningKeyError ? EXIT_USAGE : EXIT_FAILURE;
}

/** Reads a file the user named (`what` says what it should be), or a UsageError that says why not. */
export async function readUserFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UsageError(`${path}: cannot read ${what}: ${why}`);
  }
}

/** Commander argument parser for an integer option >= min. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

/** Commander argument parser for a finite number in [min, max]; `text` describes the range for the message. */
export function numberIn(min: number, max: number, text: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`expected ${text}`);
    return n;
  };
}
