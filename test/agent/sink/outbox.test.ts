import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecord, encodeSettle } from '../../../agent/sink/outbox-codec.js';
import { openOutbox, type OutboxOptions } from '../../../agent/sink/outbox.js';
import { ids, record, removeTempDirs, segmentFiles, tempDir } from './outbox-helpers.js';

const big = { maxBytes: 1 << 30, maxAgeMs: 1e15 };
afterEach(removeTempDirs);

function open(dir: string, extra: Partial<OutboxOptions> = {}) {
  return openOutbox({ dir, ...big, now: () => 2_000, ...extra });
}

describe('outbox', () => {
  it('keeps pending records in append order, per key and overall, until acked', async () => {
    const box = await open(await tempDir());
    for (const [id, key] of [['a', 'm1'], ['b', 'm2'], ['c', 'm1'], ['d', 'm2'], ['e', 'm1']]) await box.append(record(id, key));
    expect(ids(box.pending())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids(box.pending('m1'))).toEqual(['a', 'c', 'e']);
    expect(box.head('m2')?.id).toBe('b');
    expect(box.ack('c')).toBe(true);
    expect(box.ack('c')).toBe(false);
    expect(ids(box.pending('m1'))).toEqual(['a', 'e']);
    expect(box.depth).toBe(4);
    expect(box.stats).toMatchObject({ appended: 5, acked: 1 });
    await box.close();
  });

  it('reopens with the same pending records, byte for byte, in the same order', async () => {
    const dir = await tempDir();
    const box = await open(dir, { segmentBytes: 512 });
    const appended = [];
    for (let i = 0; i < 60; i++) {
      const r = { ...record(`r${i}`, `m${i % 3}`), ...(i % 4 === 0 ? { payload: Buffer.from([i, 0, 255]) } : {}), ...(i % 5 === 0 ? { retain: true } : {}) };
      appended.push(r);
      await box.append(r);
    }
    for (let i = 0; i < 60; i += 7) box.ack(`r${i}`);
    const before = box.pending();
    const bytes = box.bytes;
    await box.close();
    const again = await open(dir, { segmentBytes: 512 });
    expect(again.pending()).toEqual(before);
    expect(again.bytes).toBe(bytes);
    expect(again.stats.recovered).toBe(before.length);
    expect(again.pending().filter((r) => r.retain).map((r) => r.id)).toEqual(appended.filter((r) => r.retain && Number(r.id.slice(1)) % 7 !== 0).map((r) => r.id));
    await again.close();
  });

  it('shares one write and one fsync among the appends of one tick (group commit)', async () => {
    const box = await open(await tempDir());
    await Promise.all(Array.from({ length: 100 }, (_, i) => box.append(record(`r${i}`, `m${i % 4}`))));
    expect(box.stats).toMatchObject({ appended: 100, writes: 1, syncs: 1 });
    expect(ids(box.pending())).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    await box.close();
  });

  it('rejects a second pending record with the same id, and malformed records, saying what to do', async () => {
    const box = await open(await tempDir());
    await box.append(record('x'));
    await expect(box.append(record('x'))).rejects.toThrow(/already pending.*alert\.seq/);
    await expect(box.append({ ...record('y'), key: '' })).rejects.toThrow(/key must be a non-empty string/);
    await expect(box.append({ ...record('y'), createdAt: NaN })).rejects.toThrow(/createdAt/);
    box.ack('x');
    await box.append(record('x')); // an id may come back once its record is settled
    await box.close();
    await expect(box.append(record('z'))).rejects.toThrow(/closed/);
  });

  it('coalesces states per key: a newer state drops the older one at once, also across a restart', async () => {
    const dir = await tempDir();
    const box = await open(dir);
    await box.append(record('s1', 'm1', 'state'));
    await box.append(record('a1', 'm1', 'alert'));
    await box.append(record('t1', 'm2', 'state'));
    await box.append(record('s2', 'm1', 'state'));
    expect(ids(box.pending())).toEqual(['a1', 't1', 's2']);
    expect(box.stats.dropped.state.superseded).toBe(1);
    await box.close();
    const again = await open(dir);
    expect(ids(again.pending())).toEqual(['a1', 't1', 's2']);
    await again.close();
  });

  it('deletes fully acknowledged segments, so the directory does not grow', async () => {
    const dir = await tempDir();
    const box = await open(dir, { segmentBytes: 1024 });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 20; i++) await box.append(record(`r${round}-${i}`, `m${i % 2}`));
      for (const r of box.pending()) box.ack(r.id);
    }
    await box.flush();
    await box.append(record('last')); // rotation and compaction settle on the next write
    await box.flush();
    expect(box.stats.compactedSegments).toBeGreaterThan(10);
    expect((await segmentFiles(dir)).length).toBeLessThanOrEqual(3);
    await box.close();
    const again = await open(dir);
    expect(ids(again.pending())).toEqual(['last']);
    await again.close();
  });

  it('copies live records forward out of mostly-acknowledged segments, keeping their order', async () => {
    const dir = await tempDir();
    const box = await open(dir, { segmentBytes: 1024 });
    const keep: string[] = [];
    for (let i = 0; i < 300; i++) {
      await box.append(record(`r${i}`, `m${i % 3}`));
      if (i % 3 === 0) keep.push(`r${i}`);
      else box.ack(`r${i}`);
    }
    await box.flush();
    await box.append(record('last'));
    await box.flush();
    const disk = (await Promise.all((await segmentFiles(dir)).map((f) => stat(f)))).reduce((n, s) => n + s.size, 0);
    expect(box.stats.compactedSegments).toBeGreaterThan(5);
    expect(disk).toBeLessThanOrEqual(2 * box.bytes + 3 * 1024);
    expect(ids(box.pending())).toEqual([...keep, 'last']);
    await box.close();
    const again = await open(dir);
    expect(ids(again.pending())).toEqual([...keep, 'last']);
    await again.close();
  });
});

describe('outbox recovery from damaged files', () => {
  async function threeRecords(): Promise<{ file: Buffer; ends: number[] }> {
    const dir = await tempDir();
    const box = await open(dir);
    const ends: number[] = [];
    for (const id of ['first', 'middle', 'last']) {
      await box.append(record(id));
      ends.push(box.stats.diskBytes);
    }
    await box.close();
    const [file] = await segmentFiles(dir);
    return { file: await readFile(file), ends };
  }

  it('discards and counts a torn last record cut at every byte offset, then appends after it', async () => {
    const { file, ends } = await threeRecords();
    for (let cut = ends[1] + 1; cut < ends[2]; cut++) {
      const dir = await tempDir();
      await writeFile(`${dir}/segment-000000000001.log`, file.subarray(0, cut));
      const box = await open(dir);
      expect(ids(box.pending())).toEqual(['first', 'middle']);
      expect(box.stats.tornTails).toBe(1);
      expect((await stat(`${dir}/segment-000000000001.log`)).size).toBe(ends[1]);
      await box.append(record('after'));
      await box.close();
      const again = await open(dir);
      expect(ids(again.pending())).toEqual(['first', 'middle', 'after']);
      expect(again.stats.tornTails).toBe(0);
      await again.close();
    }
  });

  it('skips a bit-flipped middle record, counts and logs it, and keeps the records after it', async () => {
    // Resynchronising on the next valid frame (rather than stopping) keeps every later alert;
    // the damaged one cannot be recovered, so it is reported loudly, never silently.
    const { file, ends } = await threeRecords();
    for (let byte = ends[0]; byte < ends[1]; byte++) {
      const dir = await tempDir();
      const damaged = Buffer.from(file);
      damaged[byte] ^= 1 << (byte % 8);
      await writeFile(`${dir}/segment-000000000001.log`, damaged);
      const errors: object[] = [];
      const logger = { debug() {}, info() {}, warn() {}, error: (o: object) => void errors.push(o) };
      const box = await open(dir, { logger });
      expect(ids(box.pending())).toEqual(['first', 'last']);
      expect(box.stats).toMatchObject({ corruptRegions: 1, tornTails: 0 });
      expect(errors).toEqual([expect.objectContaining({ offset: ends[0], bytes: ends[1] - ends[0] })]);
      await box.close();
    }
  });

  it('loads a compaction cut short between copy and delete as one copy of each record, in append order', async () => {
    // Segment 1 still holds a and b; segment 2 holds c, then the copy of b; a was acked. A second
    // case: b's ack landed before its copy (acked while being copied): b must not come back.
    const a = record('a'), b = record('b'), c = record('c');
    for (const [second, want] of [
      [[encodeRecord(c, 3), encodeSettle('ack', 1), encodeRecord(b, 2)], ['b', 'c']],
      [[encodeRecord(c, 3), encodeSettle('ack', 1), encodeSettle('ack', 2), encodeRecord(b, 2)], ['c']],
    ] as const) {
      const dir = await tempDir();
      await writeFile(`${dir}/segment-000000000001.log`, Buffer.concat([encodeRecord(a, 1), encodeRecord(b, 2)]));
      await writeFile(`${dir}/segment-000000000002.log`, Buffer.concat(second));
      const box = await open(dir);
      expect(ids(box.pending())).toEqual(want);
      await box.append(record('d'));
      expect(ids(box.pending())).toEqual([...want, 'd']);
      await box.close();
    }
  });
});
