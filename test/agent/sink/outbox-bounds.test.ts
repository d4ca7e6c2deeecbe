import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecord } from '../../../agent/sink/outbox-codec.js';
import { openOutbox, type OutboxKind } from '../../../agent/sink/outbox.js';
import { ids, record, removeTempDirs, tempDir } from './outbox-helpers.js';

afterEach(removeTempDirs);

/** A logger that keeps what it is told, by level. */
function recorder() {
  const lines: { level: string; obj: Record<string, unknown> }[] = [];
  const at = (level: string) => (obj: object) => void lines.push({ level, obj: obj as Record<string, unknown> });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

// Every record below has the same framed size: same-length ids, keys and kinds padded alike.
const rec = (id: string, kind: OutboxKind, createdAt = 1_000) => ({ ...record(id, 'm1', kind, createdAt, 'x'.repeat(50)), topic: 't' });
const size = encodeRecord(rec('a00', 'alert'), 1).length;

describe('outbox bounds', () => {
  it('over maxBytes drops dead letters first, then states, alerts only as the last resort, oldest first', async () => {
    const dir = await tempDir();
    const { lines, logger } = recorder();
    const box = await openOutbox({ dir, maxBytes: 6 * size, maxAgeMs: 1e12, now: () => 1_000, logger });
    // key m1 state, then another key's state (states coalesce per key, so use distinct keys)
    await box.append(rec('d01', 'deadletter'));
    await box.append({ ...rec('s01', 'state'), key: 'm2' });
    await box.append(rec('a01', 'alert'));
    await box.append(rec('d02', 'deadletter'));
    await box.append({ ...rec('s02', 'state'), key: 'm3' });
    await box.append(rec('a02', 'alert'));
    expect(box.depth).toBe(6);
    await box.append(rec('a03', 'alert'));
    expect(ids(box.pending())).toEqual(['s01', 'a01', 'd02', 's02', 'a02', 'a03']);
    await box.append(rec('a04', 'alert'));
    expect(ids(box.pending())).toEqual(['s01', 'a01', 's02', 'a02', 'a03', 'a04']);
    await box.append(rec('a05', 'alert'));
    await box.append(rec('a06', 'alert'));
    expect(ids(box.pending())).toEqual(['a01', 'a02', 'a03', 'a04', 'a05', 'a06']);
    await box.append(rec('d03', 'deadletter')); // the newest record, but the least important
    expect(ids(box.pending())).toEqual(['a01', 'a02', 'a03', 'a04', 'a05', 'a06']);
    await box.append(rec('a07', 'alert'));
    expect(ids(box.pending())).toEqual(['a02', 'a03', 'a04', 'a05', 'a06', 'a07']);
    expect(box.bytes).toBeLessThanOrEqual(6 * size);
    expect(box.stats.dropped).toEqual({
      deadletter: { superseded: 0, age: 0, bytes: 3 },
      state: { superseded: 0, age: 0, bytes: 2 },
      alert: { superseded: 0, age: 0, bytes: 1 },
    });
    const drops = lines.filter((l) => l.obj.reason === 'bytes');
    expect(drops.map((l) => [l.obj.id, l.level])).toEqual([
      ['d01', 'warn'], ['d02', 'warn'], ['s01', 'warn'], ['s02', 'warn'], ['d03', 'warn'], ['a01', 'error'],
    ]);
    await box.close();
    // Drops are persisted: nothing dropped comes back.
    const again = await openOutbox({ dir, maxBytes: 6 * size, maxAgeMs: 1e12, now: () => 1_000 });
    expect(ids(again.pending())).toEqual(['a02', 'a03', 'a04', 'a05', 'a06', 'a07']);
    await again.close();
  });

  it('drops records older than maxAgeMs, on append, on trim() and on open, counted by kind', async () => {
    const dir = await tempDir();
    let now = 10_000;
    const box = await openOutbox({ dir, maxBytes: 1 << 20, maxAgeMs: 1_000, now: () => now });
    await box.append(rec('d01', 'deadletter', 9_000));
    await box.append(rec('a01', 'alert', 9_600));
    await box.append(rec('s01', 'state', 9_650));
    await box.append(rec('a02', 'alert', 9_900));
    now = 10_550;
    await box.append(rec('a03', 'alert', 10_500)); // d01 (older than 9_550) goes
    expect(ids(box.pending())).toEqual(['a01', 's01', 'a02', 'a03']);
    now = 10_700;
    expect(box.trim()).toBe(2); // a01 (9_600) and s01 (9_650)
    expect(ids(box.pending())).toEqual(['a02', 'a03']);
    expect(box.stats.dropped).toMatchObject({ deadletter: { age: 1 }, state: { age: 1 }, alert: { age: 1 } });
    await box.close();
    now = 11_000;
    const again = await openOutbox({ dir, maxBytes: 1 << 20, maxAgeMs: 1_000, now: () => now });
    expect(ids(again.pending())).toEqual(['a03']);
    expect(again.stats.dropped.alert.age).toBe(1);
    await again.close();
  });

  it('refuses a single record larger than maxBytes instead of letting it evict everything', async () => {
    const box = await openOutbox({ dir: await tempDir(), maxBytes: size - 1, maxAgeMs: 1e12 });
    await expect(box.append(rec('a01', 'alert'))).rejects.toThrow(/more than maxBytes.*raise maxBytes/);
    await box.close();
  });
});
