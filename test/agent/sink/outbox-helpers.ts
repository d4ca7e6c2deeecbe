// Shared by the outbox tests: temporary directories, record makers, segment file access.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxKind, OutboxRecord } from '../../../agent/sink/outbox.js';

const dirs: string[] = [];

export async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'vigil-outbox-'));
  dirs.push(d);
  return d;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

export function record(id: string, key = 'm1', kind: OutboxKind = 'alert', createdAt = 1_000, payload?: string): OutboxRecord {
  return { id, key, kind, topic: `vigil/${kind}/${key}`, payload: payload ?? JSON.stringify({ id, key, kind }), createdAt };
}

export async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('segment-')).sort().map((n) => join(dir, n));
}

export const ids = (records: readonly OutboxRecord[]): string[] => records.map((r) => r.id);
