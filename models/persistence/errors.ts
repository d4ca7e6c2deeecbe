// ModelFileError: every failure to read, verify or write a model file (or its .state / .sig
// sidecar) names the file and what is wrong with it, so a fleet operator can act on the message
// alone: `models/pump.onnx: vigil.meta.channels[2]: expected a string, got 7`.

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    /** The file at fault (the model, or its .state / .sig sidecar). */
    readonly file: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, options);
  }
}

/** The message of an unknown thrown value, for wrapping. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A file-system error in words, without repeating the path (the ModelFileError carries it). */
export function describeIoError(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'the file does not exist';
    case 'EISDIR': return 'it is a directory, not a file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    default: return messageOf(err);
  }
}
