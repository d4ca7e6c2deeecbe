// Keeps every machine's decider state on disk (one small JSON file per machine under
// <stateDir>/deciders), so a restart resumes open episodes under their ids and seq keeps rising.
// States are updated in memory on every snapshot and written (atomically) when flushed: right
// after an alert is durably in the outbox, every few seconds, and at shutdown. A damaged file is
// skipped with a warning (that machine starts fresh); it never stops the daemon.

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

const fileOf = (dir: string, machineId: string): string => join(dir, `${encodeURIComponent(machineId)}.json`);

export function openDeciderStore(dir: string, warn: (msg: string) => void = () => {}): DeciderStore {
  mkdirSync(dir, { recursive: true });
  const states = new Map<string, DeciderState>();
  const dirty = new Set<string>();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const machineId = decodeURIComponent(name.slice(0, -5));
    try {
      const state = JSON.parse(readFileSync(join(dir, name), 'utf8')) as DeciderState;
      states.set(machineId, state);
    } catch (err) {
      warn(`decider state ${name} is unreadable (${(err as Error).message}); machine '${machineId}' starts fresh`);
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
