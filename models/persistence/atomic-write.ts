// writeFileAtomic: a reader of `path` sees the old bytes or the new bytes, never a mix, and after
// the promise resolves the new bytes survive a power cut. The recipe: write a temp file in the same
// directory (same file system, so rename is atomic), fsync it, rename it over `path`, fsync the
// directory so the rename itself is durable. On any failure the temp file is removed and `path`
// is untouched. The file-system calls go through `AtomicIo` so tests can fail a write midway.

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ModelFileError, messageOf } from './errors.js';

export interface AtomicFileHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file-system calls writeFileAtomic makes (node:fs/promises by default). */
export interface AtomicIo {
  open(path: string, flags: string, mode?: number): Promise<AtomicFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export const nodeIo: AtomicIo = { open, rename, unlink };

export interface AtomicWriteOptions {
  /** Permission bits of a newly created file (default 0o644; private keys use 0o600). */
  readonly mode?: number;
  readonly io?: AtomicIo;
}

/** Writes in chunks so a huge model does not need one giant write call. */
const CHUNK = 1 << 20;

export async function writeFileAtomic(path: string, data: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const io = options.io ?? nodeIo;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: AtomicFileHandle | undefined;
  try {
    handle = await io.open(temp, 'wx', options.mode ?? 0o644);
    for (let pos = 0; pos < data.length; ) {
      const { bytesWritten } = await handle.write(data, pos, Math.min(CHUNK, data.length - pos), pos);
      if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${pos}`);
      pos += bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await io.rename(temp, path);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await io.unlink(temp).catch(() => undefined);
    throw new ModelFileError(path, `could not write the file (nothing was changed): ${messageOf(err)}`, { cause: err });
  }
  await syncDirectory(io, dir);
}

/** fsync a directory so a rename in it is durable. Some platforms (Windows) cannot open directories: then the rename is as durable as the OS makes it. */
async function syncDirectory(io: AtomicIo, dir: string): Promise<void> {
  let handle: AtomicFileHandle | undefined;
  try {
    handle = await io.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') {
      throw new ModelFileError(dir, `the file was written but the directory could not be synced: ${messageOf(err)}`, { cause: err });
    }
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
