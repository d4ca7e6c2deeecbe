// Keeps every machine's decider state on disk (one small JSON file per machine under
// <stateDir>/deciders), so a restart resumes open episodes under their ids and seq keeps rising.
// File names are the URL-encoded machine id, or its sha256 when that would be too long for a file
// system; the machine id itself is read from the state, never from the name.
// States are updated in memory on every snapshot and written (atomically) when flushed: right
// after an alert is durably in the outbox, every few seconds, and at shutdown. A damaged file is
// skipped with a warning (that machine starts fresh); it never stops the daemon.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeciderState } from '../../models/scoring/decider-state.js';
import { writeFileAtomic } from '../../models/persistence/index.js';

export interface DeciderStore {
  get(machineId: string): DeciderState | undefined;
  update(state: DeciderState): void;
  /** Writes the states that changed since the last flush (all of them, or just these machines). */
  flush(machineIds?: readonly string[]): Promise<void>;
  readonly size: number;
}

/** Most file systems allow 255 bytes per name. */
const MAX_NAME = 200;

function fileOf(dir: string, machineId: string): string {
  const readable = encodeURIComponent(machineId);
  const name = readable.length <= MAX_NAME ? readable : `sha256-${createHash('sha256').update(machineId).digest('hex')}`;
  return join(dir, `${name}.json`);
}

export function openDeciderStore(dir: string, warn: (msg: string) => void = () => {}): DeciderStore {
  mkdirSync(dir, { recursive: true });
  const states = new Map<string, DeciderState>();
  const dirty = new Set<string>();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const state = JSON.parse(readFileSync(join(dir, name), 'utf8')) as DeciderState;
      if (typeof state?.machineId !== 'string') throw new Error('it names no machine');
      states.set(state.machineId, state);
    } catch (err) {
      warn(`decider state ${name} is unreadable (${(err as Error).message}); that machine starts fresh`);
    }
  }
  let writing: Promise<void> = Promise.resolve();
  return {
    get: (id) => states.get(id),
    update(state) {
      states.set(state.machineId, state);
      dirty.add(state.machineId);
    },
    flush(machineIds) {
      const ids = (machineIds ?? [...dirty]).filter((id) => dirty.has(id));
      for (const id of ids) dirty.delete(id);
      // Writes are serialised so an older snapshot never lands after a newer one. A failed write
      // (this flush rejects with the first error) skips neither the other machines nor later flushes.
      writing = writing.catch(() => undefined).then(async () => {
        let failure: unknown;
        for (const id of ids) {
          const s = states.get(id);
          if (s) await writeFileAtomic(fileOf(dir, id), Buffer.from(JSON.stringify(s))).catch((err: unknown) => void (failure ??= err));
        }
        if (failure !== undefined) throw failure;
      });
      return writing;
    },
    get size() {
      return states.size;
    },
  };
}
