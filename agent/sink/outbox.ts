// Store-and-forward outbox: alerts, machine states and dead letters wait here, on disk, until the
// broker (or a consumer) acknowledges them. An alert counts as produced only once append() resolves.
//
// Contract:
// - append(record): written to the current segment and fsynced before the promise resolves
//   (appends of one tick share one write + fsync). The id names this one record: appending an id
//   that is still pending rejects (for alerts use `${alert.id}:${alert.seq}`: Alert.id is shared by
//   every event of an episode).
// - ack(id): delivered. Persisted without its own fsync: an ack lost in a power cut only means a
//   duplicate with the same id after restart. Segments holding nothing pending are deleted, oldest
//   first; an old segment that is at most half live (or, when the files hold more than twice the
//   live bytes, any old segment) has its live records copied forward first. Order survives because
//   every record carries its append sequence number.
// - pending(key?): unacknowledged records in append order. After a restart: the same records in the
//   same order, whatever the process died in the middle of.
// - Bounds. `bytes` is the framed size of the pending records. A newer 'state' for a key drops the
//   older one at once ('superseded'). Records older than maxAgeMs (by createdAt, checked in append
//   order) are dropped ('age'); while bytes > maxBytes the oldest are dropped ('bytes'): dead letters
//   first, then states, alerts only when nothing else is left. Every drop is counted, logged (alerts
//   at error level) and persisted. Bounds are enforced on open, after every append, and by trim().
// - Damage found on open: a torn tail is truncated (stats.tornTails); a damaged region followed by
//   valid frames is skipped and logged at error (stats.corruptRegions): the records after it survive.
// Memory: pending records (payloads included) are kept in memory, so memory ≈ `bytes` ≤ maxBytes.
// One process per directory: nothing locks it.

import { encodeRecord, encodeSettle, type OutboxKind, type OutboxRecord } from './outbox-codec.js';
import { PendingIndex, type Entry } from './outbox-index.js';
import { loadSegments, SegmentWriter } from './outbox-segments.js';

export type { OutboxKind, OutboxRecord } from './outbox-codec.js';

export type DropReason = 'superseded' | 'age' | 'bytes';

/** Structurally a subset of pino's Logger. */
export interface OutboxLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OutboxOptions {
  readonly dir: string;
  /** Bound on `bytes` (framed size of pending records). */
  readonly maxBytes: number;
  /** Records whose createdAt is older than this are dropped. */
  readonly maxAgeMs: number;
  /** A new segment file starts once the current one reaches this size. Default: maxBytes/4 within [64 KiB, 4 MiB]. */
  readonly segmentBytes?: number;
  readonly logger?: OutboxLogger;
  readonly now?: () => number;
}

export interface OutboxStats {
  /** Since open. */
  readonly appended: number;
  readonly acked: number;
  readonly dropped: Readonly<Record<OutboxKind, Readonly<Record<DropReason, number>>>>;
  /** Found on open. */
  readonly recovered: number;
  readonly tornTails: number;
  readonly corruptRegions: number;
  readonly segments: number;
  readonly diskBytes: number;
  readonly compactedSegments: number;
  /** Batched writes and fsyncs issued (group commit makes these smaller than `appended`). */
  readonly writes: number;
  readonly syncs: number;
}

export interface OutboxEvent {
  readonly type: 'append' | 'ack' | 'drop';
  readonly record: OutboxRecord;
  readonly reason?: DropReason;
}

export interface Outbox {
  append(record: OutboxRecord): Promise<void>;
  /** True if the record was pending. */
  ack(id: string): boolean;
  pending(key?: string): OutboxRecord[];
  /** The oldest pending record of a key. */
  head(key: string): OutboxRecord | undefined;
  /** Keys that have pending records. */
  keys(): string[];
  has(id: string): boolean;
  readonly depth: number;
  readonly bytes: number;
  readonly stats: OutboxStats;
  /** Listens to appends (once durable), acks and drops; returns an unsubscribe function. */
  watch(listener: (event: OutboxEvent) => void): () => void;
  /** Enforces the bounds now (call it on a timer so records age out while nothing is appended). */
  trim(): number;
  /** Resolves when every ack and drop so far is fsynced too. */
  flush(): Promise<void>;
  /** Flushes and closes the files; append then rejects and ack returns false. */
  close(): Promise<void>;
}

const KINDS: readonly OutboxKind[] = ['alert', 'state', 'deadletter'];
/** Who goes first when space runs out. */
const DROP_ORDER: readonly OutboxKind[] = ['deadletter', 'state', 'alert'];
const silent: OutboxLogger = { debug() {}, info() {}, warn() {}, error() {} };

function validate(r: OutboxRecord): void {
  const bad = (field: string, want: string): never => {
    throw new TypeError(`outbox record ${field} must be ${want}; got ${JSON.stringify((r as unknown as Record<string, unknown>)?.[field])}`);
  };
  if (typeof r !== 'object' || r === null) throw new TypeError('outbox record must be an object');
  if (typeof r.id !== 'string' || r.id === '') bad('id', 'a non-empty string');
  if (typeof r.key !== 'string' || r.key === '') bad('key', 'a non-empty string (the machine id)');
  if (!KINDS.includes(r.kind)) bad('kind', `one of ${KINDS.join(', ')}`);
  if (typeof r.topic !== 'string' || r.topic === '') bad('topic', 'a non-empty string');
  if (typeof r.payload !== 'string' && !Buffer.isBuffer(r.payload)) bad('payload', 'a Buffer or a string');
  if (!Number.isFinite(r.createdAt)) bad('createdAt', 'a finite number of milliseconds since the epoch');
}

export async function openOutbox(options: OutboxOptions): Promise<Outbox> {
  const { dir, maxBytes, maxAgeMs } = options;
  if (!(maxBytes > 0)) throw new RangeError(`outbox maxBytes must be > 0; got ${maxBytes}`);
  if (!(maxAgeMs > 0)) throw new RangeError(`outbox maxAgeMs must be > 0; got ${maxAgeMs}`);
  const segmentBytes = options.segmentBytes ?? Math.max(64 * 1024, Math.min(4 * 1024 * 1024, Math.floor(maxBytes / 4)));
  if (!(segmentBytes > 0)) throw new RangeError(`outbox segmentBytes must be > 0; got ${segmentBytes}`);
  const log = options.logger ?? silent;
  const now = options.now ?? Date.now;

  // ---- recovery
  const loaded = await loadSegments(dir);
  const found = new Map<number, Entry>();
  const settled = new Set<number>();
  let maxSeq = 0;
  let tornTails = 0;
  let corruptRegions = 0;
  for (const seg of loaded) {
    if (seg.scan.tornAt !== undefined) {
      tornTails++;
      log.warn({ segment: seg.id, offset: seg.scan.tornAt }, 'outbox: torn tail truncated (a write cut short by a crash)');
    }
    for (const c of seg.scan.corrupt) {
      corruptRegions++;
      log.error({ segment: seg.id, ...c }, 'outbox: damaged bytes skipped; records in them are lost');
    }
    for (const f of seg.scan.frames) {
      maxSeq = Math.max(maxSeq, f.seq);
      if (f.type !== 'record') {
        settled.add(f.seq);
        found.delete(f.seq);
      } else if (!settled.has(f.seq) && !found.has(f.seq)) {
        // The first copy wins: a later one is a compaction copy whose original was not yet deleted.
        found.set(f.seq, { record: f.record, seq: f.seq, segment: seg.id, bytes: f.bytes });
      }
    }
  }
  const writer = await SegmentWriter.open(dir, segmentBytes, loaded);

  const index = new PendingIndex();
  const reserved = new Set<string>();
  const listeners = new Set<(event: OutboxEvent) => void>();
  let nextSeq = maxSeq + 1;
  let closed = false;
  let compacting: Promise<void> | undefined;
  const counts = {
    appended: 0,
    acked: 0,
    compactedSegments: 0,
    dropped: Object.fromEntries(KINDS.map((k) => [k, { superseded: 0, age: 0, bytes: 0 }])) as Record<OutboxKind, Record<DropReason, number>>,
  };

  const emit = (event: OutboxEvent): void => {
    for (const l of listeners) l(event);
  };
  function insert(e: Entry): void {
    const superseded = index.insert(e);
    if (superseded) drop(superseded, 'superseded');
  }

  function settle(e: Entry, type: 'ack' | 'drop'): void {
    writer.write(encodeSettle(type, e.seq), false).catch((err: unknown) => {
      log.warn({ err, id: e.record.id }, `outbox: ${type} not persisted; the record may be sent again after a restart`);
    });
    if (needsCompaction()) startCompaction();
  }

  function drop(e: Entry, reason: DropReason): void {
    index.remove(e);
    counts.dropped[e.record.kind][reason]++;
    const ctx = { id: e.record.id, key: e.record.key, kind: e.record.kind, reason, createdAt: e.record.createdAt };
    if (e.record.kind === 'alert') log.error(ctx, 'outbox: alert dropped to stay within bounds');
    else if (reason === 'superseded') log.debug(ctx, 'outbox: state superseded by a newer one');
    else log.warn(ctx, 'outbox: record dropped to stay within bounds');
    settle(e, 'drop');
    emit({ type: 'drop', record: e.record, reason });
  }

  function trim(): number {
    let n = 0;
    const cutoff = now() - maxAgeMs;
    for (const kind of DROP_ORDER)
      for (const e of index.byKind[kind].values()) {
        if (e.record.createdAt >= cutoff) break;
        drop(e, 'age');
        n++;
      }
    for (const kind of DROP_ORDER)
      for (const e of index.byKind[kind].values()) {
        if (index.bytes <= maxBytes) return n;
        drop(e, 'bytes');
        n++;
      }
    return n;
  }

  // ---- compaction: delete old segments, oldest first (an ack lives in the same or a later segment
  // than its record, so deleting in order never orphans a record from its ack).
  /** Delete (copying live records forward) when it is at most half live, or the files hold more than twice the live bytes. */
  function worthCompacting(segment: number): boolean {
    const live = index.liveBytes(segment);
    return live * 2 <= (writer.sizes.get(segment) ?? 0) || writer.diskBytes > 2 * index.bytes + 2 * segmentBytes;
  }

  function needsCompaction(): boolean {
    return !closed && !compacting && writer.oldest !== writer.current && worthCompacting(writer.oldest);
  }

  function startCompaction(): void {
    compacting = compact().then(
      () => {
        compacting = undefined;
        if (needsCompaction()) startCompaction(); // acks that came in meanwhile
      },
      (err: unknown) => {
        compacting = undefined;
        log.warn({ err }, 'outbox: compaction failed; will retry after the next ack');
      },
    );
  }

  async function compact(): Promise<void> {
    const stopAt = writer.current; // segments created meanwhile wait for the next round
    for (let oldest = writer.oldest; !closed && oldest < stopAt; oldest = writer.oldest) {
      if (!worthCompacting(oldest)) return;
      if (index.liveBytes(oldest) > 0) {
        const moving = index.inSegment(oldest);
        const landed = await Promise.all(moving.map((e) => writer.write(encodeRecord(e.record, e.seq), true)));
        moving.forEach((e, i) => {
          if (index.byId.get(e.record.id) === e) index.move(e, landed[i]);
          else {
            // Settled while being copied: settle again so the settle frame follows the copy.
            writer.write(encodeSettle('ack', e.seq), false).catch(() => undefined);
          }
        });
      }
      index.forgetSegment(oldest);
      await writer.remove(oldest);
      counts.compactedSegments++;
    }
  }

  // ---- load the recovered records
  for (const e of [...found.values()].sort((a, b) => a.seq - b.seq)) {
    if (index.byId.has(e.record.id)) {
      log.error({ id: e.record.id, seq: e.seq }, 'outbox: two pending records share an id; keeping the older');
      continue;
    }
    insert(e);
  }
  const recovered = index.byId.size;
  trim();
  log.info({ dir, pending: index.byId.size, bytes: index.bytes, segments: writer.sizes.size, tornTails, corruptRegions }, 'outbox: opened');
  if (needsCompaction()) startCompaction();

  return {
    async append(record) {
      if (closed) throw new Error('outbox is closed: append before close()');
      validate(record);
      if (index.byId.has(record.id) || reserved.has(record.id))
        throw new Error(`outbox: record id "${record.id}" is already pending; ids must name one record (for alerts use \`\${alert.id}:\${alert.seq}\`)`);
      const r: OutboxRecord = {
        id: record.id,
        key: record.key,
        kind: record.kind,
        topic: record.topic,
        payload: record.payload,
        ...(record.retain ? { retain: true } : {}),
        createdAt: record.createdAt,
      };
      const seq = nextSeq++;
      const frame = encodeRecord(r, seq);
      if (frame.length > maxBytes) throw new RangeError(`outbox record "${r.id}" takes ${frame.length} bytes, more than maxBytes (${maxBytes}): raise maxBytes or shrink the payload`);
      reserved.add(r.id);
      let segment: number;
      try {
        segment = await writer.write(frame, true);
      } finally {
        reserved.delete(r.id);
      }
      const e: Entry = { record: r, seq, segment, bytes: frame.length };
      insert(e);
      counts.appended++;
      trim();
      if (index.byId.get(r.id) === e) emit({ type: 'append', record: r });
    },
    ack(id) {
      const e = index.byId.get(id);
      if (!e || closed) return false;
      index.remove(e);
      counts.acked++;
      settle(e, 'ack');
      emit({ type: 'ack', record: e.record });
      return true;
    },
    pending: (key) => index.pending(key),
    head: (key) => index.head(key),
    keys: () => index.keys(),
    has: (id) => index.byId.has(id),
    get depth() {
      return index.byId.size;
    },
    get bytes() {
      return index.bytes;
    },
    get stats(): OutboxStats {
      return {
        appended: counts.appended,
        acked: counts.acked,
        dropped: Object.fromEntries(KINDS.map((k) => [k, { ...counts.dropped[k] }])) as OutboxStats['dropped'],
        recovered,
        tornTails,
        corruptRegions,
        segments: writer.sizes.size,
        diskBytes: writer.diskBytes,
        compactedSegments: counts.compactedSegments,
        writes: writer.counters.writes,
        syncs: writer.counters.syncs,
      };
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    trim,
    async flush() {
      await writer.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      await compacting;
      await writer.close();
      log.info({ dir, pending: index.byId.size }, 'outbox: closed');
    },
  };
}
