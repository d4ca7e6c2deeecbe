// The outbox's in-memory view of what is pending: records by id, by key and by kind, each map
// iterating in append (seq) order, plus the live bytes of every segment (what compaction reads).
// Pure bookkeeping: no I/O, no policy. At most one 'state' per key is expected; insert() reports
// the one a newer state supersedes so the outbox can drop it.

import type { OutboxKind, OutboxRecord } from './outbox-codec.js';

export interface Entry {
  readonly record: OutboxRecord;
  /** Append order, unique for the life of the directory. */
  readonly seq: number;
  /** Segment file holding the live copy of the frame. */
  segment: number;
  /** Framed size. */
  readonly bytes: number;
}

export class PendingIndex {
  readonly byId = new Map<string, Entry>();
  readonly byKind: Readonly<Record<OutboxKind, Map<string, Entry>>> = { alert: new Map(), state: new Map(), deadletter: new Map() };
  private readonly byKey = new Map<string, Map<string, Entry>>();
  private readonly stateOf = new Map<string, Entry>();
  private readonly live = new Map<number, number>();
  bytes = 0;

  /** Entries must arrive in seq order. Returns the older state of the same key, if this one supersedes it. */
  insert(e: Entry): Entry | undefined {
    const { id, key, kind } = e.record;
    this.byId.set(id, e);
    let k = this.byKey.get(key);
    if (!k) this.byKey.set(key, (k = new Map()));
    k.set(id, e);
    this.byKind[kind].set(id, e);
    this.bytes += e.bytes;
    this.addLive(e.segment, e.bytes);
    if (kind !== 'state') return undefined;
    const prev = this.stateOf.get(key);
    this.stateOf.set(key, e);
    return prev;
  }

  remove(e: Entry): void {
    const { id, key, kind } = e.record;
    this.byId.delete(id);
    const k = this.byKey.get(key)!;
    k.delete(id);
    if (k.size === 0) this.byKey.delete(key);
    this.byKind[kind].delete(id);
    if (this.stateOf.get(key) === e) this.stateOf.delete(key);
    this.bytes -= e.bytes;
    this.addLive(e.segment, -e.bytes);
  }

  /** The live copy of `e` now sits in `segment` (compaction copied it forward). */
  move(e: Entry, segment: number): void {
    this.addLive(e.segment, -e.bytes);
    e.segment = segment;
    this.addLive(segment, e.bytes);
  }

  liveBytes(segment: number): number {
    return this.live.get(segment) ?? 0;
  }

  forgetSegment(segment: number): void {
    this.live.delete(segment);
  }

  inSegment(segment: number): Entry[] {
    return [...this.byId.values()].filter((e) => e.segment === segment);
  }

  head(key: string): OutboxRecord | undefined {
    return this.byKey.get(key)?.values().next().value?.record;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  pending(key?: string): OutboxRecord[] {
    const m = key === undefined ? this.byId : this.byKey.get(key);
    return m ? [...m.values()].map((e) => e.record) : [];
  }

  private addLive(segment: number, n: number): void {
    this.live.set(segment, (this.live.get(segment) ?? 0) + n);
  }
}
