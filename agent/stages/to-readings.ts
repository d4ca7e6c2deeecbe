// toReadings: SensorMessage → Reading, or a DeadLetter saying what was wrong and where. Never throws.
// Checks, in order (the first failure names the reason):
//   1. size       payload.length > maxPayloadBytes → 'oversized' (before any decoding)
//   2. topic      no pattern of the TopicMap matches → 'unknown-topic'
//   3. shape      a bare number ("42.1") is the topic channel's value at event time = receivedAt
//                 (when allowBareNumbers; otherwise 'missing-timestamp'); "NaN", "inf", "1e999" → 'non-finite';
//                 anything else must be a JSON object → 'malformed-json'
//   4. timestamp  at timestampPath (dots: 'meta.time'): absent → 'missing-timestamp'; unparsable → 'bad-timestamp';
//                 > receivedAt + maxFutureSkewMs or < minTime → 'absurd-timestamp'. Accepted forms:
//                 ISO-8601 with a zone ("2024-05-01T12:00:00.250Z", "...+02:00"; no zone is rejected, local time
//                 is ambiguous on a device); numbers or digit strings read by magnitude: |v| < 1e11 → epoch seconds
//                 (fractions kept), < 1e14 → milliseconds, < 1e17 → microseconds, else nanoseconds.
//   5. values     channelPaths (channel → field path) when configured: every present field, at least one;
//                 else a topic with +channel: the number at valuePath; else the object at valuesPath
//                 (channel → number). Absent or empty → 'no-values'; a non-number → 'non-numeric';
//                 NaN/Infinity or strings naming them → 'non-finite'; a channel outside `channels` → 'unknown-channel'.
//   6. order      per (machine, channel) the time must increase: equal → 'duplicate', older → 'out-of-order'.
//                 At most maxTrackedMachines machines are tracked; readings of further machines → 'shed'.
// One bad field rejects the whole message. Order state lives per subscription; counters are shared and plain.

import { type Observable, type OperatorFunction, defer, filter, map } from 'rxjs';
import { DEAD_LETTER_REASONS, type DeadLetter, type DeadLetterReason, type Reading, type SensorMessage } from '../types.js';
import type { TopicMap } from '../source/topic-map.js';

export interface ToReadingsOptions {
  readonly topics: TopicMap;
  /** Larger payloads are rejected unread. Default 65536. */
  readonly maxPayloadBytes?: number;
  /** Accept "42.1" as the topic channel's value, timed at receipt. Default true. */
  readonly allowBareNumbers?: boolean;
  /** Field path of the event time. Default 'ts'. */
  readonly timestampPath?: string;
  /** Field path of the single value when the topic names the channel. Default 'value'. */
  readonly valuePath?: string;
  /** Field path of an object channel → number when the topic names no channel. Default 'values'. */
  readonly valuesPath?: string;
  /** Explicit channel → field path (e.g. { temp: 'sensors.t' }); overrides valuePath and valuesPath. */
  readonly channelPaths?: Readonly<Record<string, string>>;
  /** Known channels; others become 'unknown-channel'. Default: any channel. */
  readonly channels?: readonly string[];
  /** How far event time may run ahead of receipt. Default 300000 (5 min). */
  readonly maxFutureSkewMs?: number;
  /** Earliest believable event time. Default 2000-01-01T00:00:00Z. */
  readonly minTime?: number;
  /** Machines whose order is tracked; readings of more machines are shed. Default 10000. */
  readonly maxTrackedMachines?: number;
  /** Payload bytes kept in DeadLetter.preview. Default 128. */
  readonly previewBytes?: number;
  /** Counts by outcome, updated in place (see createReadingCounters). */
  readonly counters?: ReadingCounters;
}

export interface ReadingCounters {
  accepted: number;
  rejected: number;
  readonly byReason: Record<DeadLetterReason, number>;
}

export { DEAD_LETTER_REASONS };

export function createReadingCounters(): ReadingCounters {
  const byReason = {} as Record<DeadLetterReason, number>;
  for (const r of DEAD_LETTER_REASONS) byReason[r] = 0;
  return { accepted: 0, rejected: 0, byReason };
}

export function isDeadLetter(x: Reading | DeadLetter): x is DeadLetter {
  return (x as DeadLetter).reason !== undefined;
}

/** Sends dead letters to `sink` (a DLQ publisher, a counter) and passes readings on. */
export function divertDeadLetters(sink: (deadLetter: DeadLetter) => void): OperatorFunction<Reading | DeadLetter, Reading> {
  return filter((x): x is Reading => {
    if (!isDeadLetter(x)) return true;
    sink(x);
    return false;
  });
}

export function toReadings(options: ToReadingsOptions): OperatorFunction<SensorMessage, Reading | DeadLetter> {
  const parse = createReadingParser(options); // validates options once, at construction
  return (source: Observable<SensorMessage>) =>
    defer(() => {
      const read = parse.fresh(); // order state per subscription
      return source.pipe(map(read));
    });
}

const NON_FINITE_WORDS = new Set(['nan', '+nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity']);
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const DIGITS = /^\d+(?:\.\d+)?$/;

class Reject {
  constructor(readonly reason: DeadLetterReason, readonly detail: string) {}
}

type Path = readonly string[];

function compilePath(name: string, path: string): Path {
  if (typeof path !== 'string' || path === '' || path.split('.').some((k) => k === '')) {
    throw new Error(`toReadings: ${name} '${String(path)}' must be a field path like 'ts' or 'meta.time'`);
  }
  return path.split('.');
}

/** Own-property lookup along a path; undefined when any step is missing or not an object. */
function at(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function numberAt(v: unknown, where: string): number | Reject {
  if (typeof v === 'number') return Number.isFinite(v) ? v : new Reject('non-finite', `${where} is ${v}`);
  if (typeof v === 'string' && NON_FINITE_WORDS.has(v.trim().toLowerCase())) return new Reject('non-finite', `${where} is ${show(v)}`);
  return new Reject('non-numeric', `${where} is ${show(v)}, expected a number`);
}

/** An ISO string for valid times, the raw number otherwise (toISOString throws beyond ±8.64e15). */
function iso(t: number): string {
  return Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t);
}

/** Epoch milliseconds from a number by magnitude (seconds, ms, µs, ns). */
function fromEpoch(v: number): number {
  const a = Math.abs(v);
  return a < 1e11 ? v * 1000 : a < 1e14 ? v : a < 1e17 ? v / 1e3 : v / 1e6;
}

function parseTime(v: unknown, where: string): number | Reject {
  if (typeof v === 'number') return Number.isFinite(v) ? fromEpoch(v) : new Reject('bad-timestamp', `${where} is ${v}`);
  if (typeof v !== 'string') return new Reject('bad-timestamp', `${where} is ${show(v)}, expected ISO-8601 or epoch seconds/ms`);
  if (DIGITS.test(v)) return fromEpoch(Number(v));
  const m = ISO_8601.exec(v);
  if (!m) return new Reject('bad-timestamp', `${where} is ${show(v)}, expected ISO-8601 like 2024-05-01T12:00:00Z`);
  if (!m[8] && !m[9]) return new Reject('bad-timestamp', `${where} is ${show(v)} without a zone: add 'Z' or an offset like +02:00`);
  const [y, mo, d, h, mi] = [+m[1], +m[2], +m[3], +m[4], +m[5]];
  const s = m[6] ? +m[6] : 0;
  const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const offset = m[9] ? (m[9] === '-' ? -1 : 1) * (+m[10] * 60 + +m[11]) : 0;
  const check = new Date(0);
  check.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which maps years 0-99 to 1900-1999
  check.setUTCHours(h, mi, s, 0);
  const t = check.getTime() + ms - offset * 60_000;
  if (mo < 1 || mo > 12 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59 || +(m[10] ?? 0) > 23 || +(m[11] ?? 0) > 59) {
    return new Reject('bad-timestamp', `${where} is ${show(v)}: no such date or time`);
  }
  return t;
}

export interface ReadingParser {
  /** A parse function with its own order state (one per subscription). */
  fresh(): (message: SensorMessage) => Reading | DeadLetter;
}

/** The synchronous core of toReadings, for callers outside RxJS. Throws only on bad options. */
export function createReadingParser(options: ToReadingsOptions): ReadingParser {
  const {
    topics, maxPayloadBytes = 65536, allowBareNumbers = true, maxFutureSkewMs = 300_000,
    minTime = Date.UTC(2000, 0, 1), maxTrackedMachines = 10_000, previewBytes = 128,
    counters = createReadingCounters(),
  } = options;
  if (!topics || typeof topics.match !== 'function') throw new Error('toReadings: topics must be a TopicMap (createTopicMap([...]))');
  for (const [name, v] of Object.entries({ maxPayloadBytes, maxFutureSkewMs, maxTrackedMachines, previewBytes })) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`toReadings: ${name} must be a non-negative number, got ${v}`);
  }
  const timePath = compilePath('timestampPath', options.timestampPath ?? 'ts');
  const timeName = timePath.join('.');
  const valuePath = compilePath('valuePath', options.valuePath ?? 'value');
  const valuesPath = compilePath('valuesPath', options.valuesPath ?? 'values');
  const channelPaths = options.channelPaths
    ? Object.entries(options.channelPaths).map(([channel, p]) => [channel, compilePath(`channelPaths.${channel}`, p), p] as const)
    : null;
  if (channelPaths && channelPaths.length === 0) throw new Error('toReadings: channelPaths is empty; omit it or map at least one channel');
  const known = options.channels ? new Set(options.channels) : null;

  function checkChannel(ch: string, where: string): Reject | null {
    if (known && !known.has(ch)) return new Reject('unknown-channel', `channel '${ch}' (${where}) is not one of the configured channels`);
    if (ch === '' || ch === '__proto__') return new Reject('unknown-channel', `channel name ${show(ch)} (${where}) is not usable`);
    return null;
  }

  function extractValues(json: Record<string, unknown>, channel: string | undefined): Record<string, number> | Reject {
    const values: Record<string, number> = {};
    let count = 0;
    const put = (ch: string, raw: unknown, where: string): Reject | null => {
      const v = numberAt(raw, where);
      if (v instanceof Reject) return v;
      const bad = checkChannel(ch, where);
      if (bad) return bad;
      values[ch] = v;
      count++;
      return null;
    };
    if (channelPaths) {
      for (const [ch, path, name] of channelPaths) {
        const raw = at(json, path);
        if (raw === undefined) continue;
        const bad = put(ch, raw, `field '${name}'`);
        if (bad) return bad;
      }
      if (count === 0) return new Reject('no-values', `none of the channel fields ${channelPaths.map((c) => `'${c[2]}'`).join(', ')} is present`);
    } else if (channel !== undefined) {
      const raw = at(json, valuePath);
      if (raw === undefined) return new Reject('no-values', `field '${valuePath.join('.')}' is missing (the topic names channel '${channel}')`);
      const bad = put(channel, raw, `field '${valuePath.join('.')}'`);
      if (bad) return bad;
    } else {
      const obj = at(json, valuesPath);
      const where = valuesPath.join('.');
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        return new Reject('no-values', obj === undefined ? `field '${where}' is missing and the topic names no channel` : `field '${where}' is ${show(obj)}, expected an object of channel → number`);
      }
      for (const ch of Object.keys(obj)) {
        const bad = put(ch, (obj as Record<string, unknown>)[ch], `field '${where}.${ch}'`);
        if (bad) return bad;
      }
      if (count === 0) return new Reject('no-values', `field '${where}' is an empty object`);
    }
    return values;
  }

  function parse(m: SensorMessage, last: Map<string, Map<string, number>>): Reading | Reject {
    const { topic, payload, receivedAt } = m;
    if (!(payload instanceof Uint8Array)) return new Reject('malformed-json', `payload is ${show(payload)}, not bytes`);
    if (payload.length > maxPayloadBytes) return new Reject('oversized', `payload is ${payload.length} bytes, the limit is maxPayloadBytes=${maxPayloadBytes}`);
    const where = typeof topic === 'string' ? topics.match(topic) : null;
    if (!where) return new Reject('unknown-topic', `topic ${show(topic)} matches none of the subscribed patterns`);
    const text = Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8').trim();

    let time: number;
    let values: Record<string, number> | Reject;
    const c0 = text.charCodeAt(0);
    if (c0 === 0x7b /* { */) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        return new Reject('malformed-json', `payload is not valid JSON (${(e as Error).message})`);
      }
      const rawTime = at(json, timePath);
      if (rawTime === undefined || rawTime === null) return new Reject('missing-timestamp', `field '${timeName}' is missing`);
      const t = parseTime(rawTime, `field '${timeName}'`);
      if (t instanceof Reject) return t;
      if (t > receivedAt + maxFutureSkewMs) return new Reject('absurd-timestamp', `field '${timeName}' (${iso(t)}) is more than maxFutureSkewMs=${maxFutureSkewMs} after receipt at ${iso(receivedAt)}`);
      if (t < minTime) return new Reject('absurd-timestamp', `field '${timeName}' (${iso(t)}) is before minTime ${iso(minTime)}`);
      time = t;
      values = extractValues(json as Record<string, unknown>, where.channel);
    } else if (NON_FINITE_WORDS.has(text.toLowerCase())) {
      return new Reject('non-finite', `bare payload ${show(text)}`);
    } else if ((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x2d /* - */) {
      let n: unknown;
      try {
        n = JSON.parse(text);
      } catch {
        return new Reject('malformed-json', `payload ${show(text)} is neither a number nor a JSON object`);
      }
      if (!allowBareNumbers) return new Reject('missing-timestamp', 'bare number payload carries no timestamp (allowBareNumbers is false); send {"ts": ..., "value": ...}');
      if (where.channel === undefined) return new Reject('no-values', `bare number on topic '${topic}' whose pattern names no +channel`);
      const v = numberAt(n, 'bare payload');
      if (v instanceof Reject) return v;
      const bad = checkChannel(where.channel, 'from the topic');
      if (bad) return bad;
      time = receivedAt;
      values = { [where.channel]: v };
    } else {
      return new Reject('malformed-json', `payload ${show(text)} is neither a number nor a JSON object`);
    }
    if (values instanceof Reject) return values;

    let machine = last.get(where.machineId);
    if (!machine) {
      if (last.size >= maxTrackedMachines) return new Reject('shed', `machine '${where.machineId}' is beyond maxTrackedMachines=${maxTrackedMachines}`);
    } else {
      for (const ch in values) {
        const prev = machine.get(ch);
        if (prev === time) return new Reject('duplicate', `channel '${ch}' of machine '${where.machineId}' already has a reading at ${iso(time)}`);
        if (prev !== undefined && prev > time) return new Reject('out-of-order', `channel '${ch}' of machine '${where.machineId}' is at ${iso(prev)}, this reading at ${iso(time)} is older`);
      }
    }
    if (!machine) last.set(where.machineId, (machine = new Map()));
    for (const ch in values) machine.set(ch, time);
    return { machineId: where.machineId, time, values, receivedAt };
  }

  return {
    fresh() {
      const last = new Map<string, Map<string, number>>();
      return (m: SensorMessage): Reading | DeadLetter => {
        const out = parse(m, last);
        if (!(out instanceof Reject)) {
          counters.accepted++;
          return out;
        }
        counters.rejected++;
        counters.byReason[out.reason]++;
        const payload = m?.payload instanceof Uint8Array ? m.payload : null;
        return {
          reason: out.reason,
          detail: out.detail,
          topic: typeof m?.topic === 'string' ? m.topic : String(m?.topic),
          receivedAt: m?.receivedAt,
          preview: payload ? Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.length, previewBytes)).toString('utf8') : '',
        };
      };
    },
  };
}
