import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AtomicIo, ModelFileError, loadModel, nodeIo, saveModel, statePath, writeFileAtomic } from '../../../models/persistence/index.js';
import { forecasterParts } from './parts.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Real file-system calls, except that the write call number `failAt` writes half its bytes and then fails. */
function failingIo(failAt: number, calls = { writes: 0 }): AtomicIo {
  return {
    ...nodeIo,
    async open(path, flags, mode) {
      const h = await nodeIo.open(path, flags, mode);
      return {
        async write(buffer, offset, length, position) {
          if (++calls.writes === failAt) {
            await h.write(buffer, offset, length >> 1, position);
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          return h.write(buffer, offset, length, position);
        },
        sync: () => h.sync(),
        close: () => h.close(),
      };
    },
  };
}

describe('writeFileAtomic', () => {
  it('a write failing midway leaves the old file intact and no temp file behind', async () => {
    const path = join(dir, 'model.onnx');
    writeFileSync(path, 'old contents');
    const big = new Uint8Array(3 << 20).fill(7); // three chunks: fail in the second
    const err = await writeFileAtomic(path, big, { io: failingIo(2) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toMatch(/model\.onnx: could not write the file \(nothing was changed\): ENOSPC/);
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('a failed rename leaves no temp file and no new file', async () => {
    const path = join(dir, 'fresh.onnx');
    const io: AtomicIo = { ...nodeIo, rename: () => Promise.reject(new Error('EXDEV: cross-device link')) };
    await expect(writeFileAtomic(path, new Uint8Array(10), { io })).rejects.toThrow(/fresh\.onnx: could not write the file/);
    expect(readdirSync(dir).filter((f) => f !== 'model.onnx')).toEqual([]);
  });

  it('replaces the file and honours the mode of new files', async () => {
    const path = join(dir, 'key.pem');
    await writeFileAtomic(path, new TextEncoder().encode('secret'), { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('secret');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    rmSync(path);
  });
});

describe('saveModel under a failing disk', () => {
  it('leaves the previous model and sidecar loadable when the model write fails midway', async () => {
    const path = join(dir, 'pump.onnx');
    const parts = forecasterParts();
    await saveModel(path, parts);
    const before = readFileSync(path);
    const stateBefore = readFileSync(statePath(path));
    // Sidecar write (call 1) succeeds, the model write (call 2) fails halfway.
    const err = await saveModel(path, { ...parts, meta: { ...parts.meta, version: '1.5' } }, { io: failingIo(2) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The new sidecar belongs to the model that was never written: recognised, not applied.
    expect(readFileSync(statePath(path)).equals(stateBefore)).toBe(false);
    const loaded = await loadModel(path);
    expect(loaded.kind === 'vigil' && loaded.parts.meta.version).toBe('1.4');
    expect(loaded.warnings.join()).toMatch(/saved with another version/);
  });
});
