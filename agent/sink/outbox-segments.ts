// The outbox's directory of segment files: load (scan, truncate torn tails), append with group
// commit, rotate, delete. Knows frames only as bytes; what they mean is outbox.ts's business.
//
// Files are `segment-<12 digits>.log`, appended in id order; only the newest (current) one is
// written. write(frame, durable) queues the frame; everything queued within one tick (and while
// the previous batch is on its way to disk) goes out as ONE write, followed by ONE fdatasync if
// any frame in the batch asked for durability. The promise resolves, with the id of the segment
// that holds the frame, only after that. A failed write or sync rejects the whole batch and cuts
// the file back to where the batch began, so later frames never follow garbage. A new segment is
// started before a batch once the current one holds segmentBytes; its directory entry is fsynced.

import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { scanFrames, type ScanResult } from './outbox-codec.js';

const NAME = /^segment-(\d{12})\.log$/;
const fileName = (id: number): string => `segment-${String(id).padStart(12, '0')}.log`;

export interface LoadedSegment {
  readonly id: number;
  /** Size after any torn tail was cut off. */
  readonly size: number;
  readonly scan: ScanResult;
}

/** Reads every segment in id order; a torn tail is truncated on disk (and reported in `scan.tornAt`). */
export async function loadSegments(dir: string): Promise<LoadedSegment[]> {
  await mkdir(dir, { recursive: true });
  const ids = (await readdir(dir))
    .map((n) => NAME.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const out: LoadedSegment[] = [];
  for (const id of ids) {
    const path = join(dir, fileName(id));
    const buf = await readFile(path);
    const scan = scanFrames(buf);
    if (scan.tornAt !== undefined) {
      const fh = await open(path, 'r+');
      try {
        await fh.truncate(scan.tornAt);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    out.push({ id, size: scan.tornAt ?? buf.length, scan });
  }
  return out;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface Pending {
  readonly frame: Buffer;
  readonly durable: boolean;
  readonly resolve: (segment: number) => void;
  readonly reject: (err: unknown) => void;
}

export class SegmentWriter {
  /** Size of every segment file on disk, by id, oldest first. */
  readonly sizes = new Map<number, number>();
  private queue: Pending[] = [];
  private scheduled = false;
  private running = false;
  private closed = false;
  /** Batches written and fsyncs issued: what group commit saves shows here. */
  readonly counters = { writes: 0, syncs: 0 };

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private fh: FileHandle,
    private currentId: number,
  ) {}

  /** Opens the newest loaded segment for appending (or creates the first one). */
  static async open(dir: string, segmentBytes: number, loaded: readonly LoadedSegment[]): Promise<SegmentWriter> {
    const last = loaded.at(-1);
    const id = last?.id ?? 1;
    const fh = await open(join(dir, fileName(id)), 'a');
    if (!last) await syncDir(dir);
    const w = new SegmentWriter(dir, segmentBytes, fh, id);
    for (const s of loaded) w.sizes.set(s.id, s.size);
    if (!last) w.sizes.set(id, 0);
    return w;
  }

  get current(): number {
    return this.currentId;
  }

  get oldest(): number {
    return this.sizes.keys().next().value ?? this.currentId;
  }

  get diskBytes(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** Queues a frame; resolves with its segment id once written (and fsynced if `durable`). */
  write(frame: Buffer, durable: boolean): Promise<number> {
    if (this.closed) return Promise.reject(new Error('outbox is closed: append before close()'));
    return new Promise((resolve, reject) => {
      this.queue.push({ frame, durable, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far is on disk and fsynced. */
  flush(): Promise<number> {
    return this.write(Buffer.alloc(0), true);
  }

  /** Deletes a segment that is not the current one (the caller knows nothing in it is needed). */
  async remove(id: number): Promise<void> {
    if (id === this.currentId) throw new Error(`segment ${id} is current and cannot be removed`);
    this.sizes.delete(id);
    await unlink(join(this.dir, fileName(id)));
    await syncDir(this.dir);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.fh.close();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = true;
      void this.drain().finally(() => {
        this.running = false;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const data = batch.length === 1 ? batch[0].frame : Buffer.concat(batch.map((b) => b.frame));
      let start = this.sizes.get(this.currentId) ?? 0;
      try {
        if ((this.sizes.get(this.currentId) ?? 0) >= this.segmentBytes && data.length > 0) await this.rotate();
        start = this.sizes.get(this.currentId) ?? 0;
        for (let off = 0; off < data.length; ) {
          const { bytesWritten } = await this.fh.write(data, off, data.length - off);
          off += bytesWritten;
          this.sizes.set(this.currentId, start + off);
        }
        this.counters.writes++;
        if (batch.some((b) => b.durable)) {
          await this.fh.datasync();
          this.counters.syncs++;
        }
      } catch (err) {
        // Cut back to where this batch began: a partly written frame must not precede later ones.
        await this.fh.truncate(start).catch(() => undefined);
        this.sizes.set(this.currentId, start);
        for (const b of batch) b.reject(err);
        continue;
      }
      for (const b of batch) b.resolve(this.currentId);
    }
  }

  /** Opens the next segment before letting go of the current one, so a failure leaves a usable writer. */
  private async rotate(): Promise<void> {
    await this.fh.datasync();
    const id = this.currentId + 1;
    const next = await open(join(this.dir, fileName(id)), 'a');
    try {
      await syncDir(this.dir);
    } catch (err) {
      await next.close();
      throw err;
    }
    const prev = this.fh;
    this.fh = next;
    this.currentId = id;
    this.sizes.set(id, 0);
    await prev.close();
  }
}
