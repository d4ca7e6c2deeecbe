// scanLog: a first, light pass over a replay log, before anything is replayed, for what the
// pipeline must know up front: the channels the log carries (to check them against the model's),
// its machines, and its median timestamp step (the sampling period when the config sets none).
// It reads lines with the replay source's own parsers (replay-csv.ts, replay-jsonl.ts), so it sees
// the file exactly as openReplay will: the same header rules, names made topic-safe, bad lines
// counted the same way.
//   CSV    channels are the header's channel columns (not time, machine or label columns), named
//          as replayed; `columns` maps each back to its header name, which openReplay's `channels`
//          option takes. A column named "machine" (any case) is the machine column, as `vigil train`
//          reads it; without one the log is one machine, `machineId`.
//   JSONL  channels are the topics' +channel levels and the keys of per-machine `values` objects
//          (at valuesPath), machines the topics' +machine levels, by `topics`.
// A file that cannot be read, or a header that cannot be replayed, is a UsageError naming the file.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError } from '../commands/errors.js';
import { createCsvParser, splitCsvLine } from '../source/replay-csv.js';
import { parseJsonlLine } from '../source/replay-jsonl.js';
import type { LineParser } from '../source/replay-lines.js';
import { topicSafe } from '../source/sensor-wire.js';
import type { TopicMap } from '../source/topic-map.js';

export interface LogScanOptions {
  readonly format: 'csv' | 'jsonl';
  /** CSV without a machine column: the machine's id. */
  readonly machineId: string;
  /** JSONL: how topics name machines and channels. */
  readonly topics: TopicMap;
  /** JSONL: where per-machine payloads keep their channel → value object. Default 'values'. */
  readonly valuesPath?: string;
}

export interface LogScan {
  readonly path: string;
  readonly format: 'csv' | 'jsonl';
  /** Channels in first-seen (CSV: header) order, named as replayed. */
  readonly channels: readonly string[];
  /** CSV: replayed channel name → header name. */
  readonly columns: ReadonlyMap<string, string>;
  /** CSV: the machine column's header name, if the log has one. */
  readonly machineColumn: string | undefined;
  readonly machines: readonly string[];
  /** Lines that parse as data (rows or messages). */
  readonly rows: number;
  readonly badLines: number;
  /** Median of the positive steps between consecutive times of each machine; undefined without any. */
  readonly medianStepMs: number | undefined;
  /** Earliest and latest event time in the log (any machine); undefined without any. */
  readonly firstTime: number | undefined;
  readonly lastTime: number | undefined;
}

export async function scanLog(path: string, options: LogScanOptions): Promise<LogScan> {
  const columns = new Map<string, string>();
  let machineColumn: string | undefined;
  const channels = new Set<string>();
  const lastTime = new Map<string, number>();
  const steps: number[] = [];
  let rows = 0;
  let badLines = 0;
  let firstTime: number | undefined;
  let lastLogTime: number | undefined;
  const valuesPath = (options.valuesPath ?? 'values').split('.');

  let parse: LineParser;
  if (options.format === 'csv') {
    let csv: LineParser | undefined;
    parse = (text, line) => {
      if (csv === undefined) {
        const header = text.replace(/^\uFEFF/, '');
        if (header.trim() === '') return { kind: 'skip' };
        const names = splitCsvLine(header, mostUsedSeparator(header)).map((n) => n.trim());
        machineColumn = names.find((n) => n.toLowerCase() === 'machine');
        for (const n of names) if (!columns.has(topicSafe(n))) columns.set(topicSafe(n), n);
        csv = createCsvParser({ machineId: options.machineId, machineIdColumn: machineColumn });
      }
      return csv(text, line);
    };
  } else parse = (text) => parseJsonlLine(text);

  const input = createReadStream(path, { encoding: 'utf8' });
  await new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`${path}: cannot read the log: ${err.code === 'ENOENT' ? 'it does not exist' : err.code === 'EISDIR' ? 'it is a directory' : err.message}`)));
  });
  let lineNo = 0;
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      const r = parse(text, ++lineNo);
      if (r.kind === 'skip') continue;
      if (r.kind === 'bad') {
        badLines++;
        continue;
      }
      rows++;
      let machine: string | undefined;
      if (r.kind === 'row') {
        machine = r.machineId;
        for (const c in r.values) channels.add(c);
      } else {
        const match = options.topics.match(r.topic);
        if (!match) continue; // unknown topic: the reading stage will dead-letter it
        machine = match.machineId;
        if (match.channel !== undefined) channels.add(match.channel);
        else for (const c of payloadChannels(r.payload, valuesPath)) channels.add(c);
      }
      if (r.time === undefined) continue;
      if (firstTime === undefined || r.time < firstTime) firstTime = r.time;
      if (lastLogTime === undefined || r.time > lastLogTime) lastLogTime = r.time;
      const last = lastTime.get(machine);
      if (last !== undefined && r.time > last) steps.push(r.time - last);
      if (last === undefined || r.time > last) lastTime.set(machine, r.time);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${path}: ${(err as Error).message}`);
  } finally {
    input.destroy();
  }
  // CSV channels in header order (the order rows list them in may skip empty cells).
  const ordered = options.format === 'csv' ? [...columns.keys()].filter((c) => channels.has(c)) : [...channels];
  return {
    path, format: options.format, channels: ordered, columns, machineColumn, machines: [...lastTime.keys()].sort(), rows, badLines,
    medianStepMs: median(steps), firstTime, lastTime: lastLogTime,
  };
}

function mostUsedSeparator(header: string): string {
  const counts: [string, number][] = [',', ';', '\t'].map((s) => [s, header.split(s).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

function payloadChannels(payload: Buffer, valuesPath: readonly string[]): string[] {
  const text = payload.toString('utf8');
  if (!text.trimStart().startsWith('{')) return [];
  try {
    let v: unknown = JSON.parse(text);
    for (const k of valuesPath) v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : [];
  } catch {
    return [];
  }
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}
