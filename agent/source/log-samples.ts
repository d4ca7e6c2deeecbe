// loadLogSamples: a recorded sensor log → per-machine runs of consecutive normal samples, the
// Series that Detector.fit takes (`vigil train`). Formats:
//   CSV    a header and one row per instant, ',' ';' or tab separated (the header's most used);
//          the time column is timestamp/datetime/time/ts/date (any case) or the first; an optional
//          machine column (--machine-column, or one named "machine"); every other column is a
//          channel, except label columns (anomaly, changepoint, label, is_anomaly). This is the
//          replay source's reader (replay-csv.ts), so channel names are the ones replay and live
//          data use: "Volume Flow RateRMS" → "Volume_Flow_RateRMS". NAB: `timestamp,value`;
//          SKAB: `datetime;...;anomaly;changepoint`.
//   JSONL  one sample per line: {"ts": <epoch s|ms or date-time>, "machine"?: "id",
//          "values": {"<channel>": number, ...}, "labels"?: {"anomaly": 1}}.
// Times without a zone are UTC. A file without a machine column is one machine, named after the file.
// Splitting: each machine's samples, in time order, are cut into separate series
//   at a time gap wider than maxGapMs (default gapFactor × the machine's median sampling interval),
//   and around rows labelled anomalous (any label ≠ 0 but drift, which is benign: a slow change a
//   detector should tolerate belongs in its training data): the detector learns normal behaviour only.
// Rows that cannot be used are counted by reason and skipped, never thrown: unreadable time,
// a non-numeric or NaN value, a missing channel, a wrong column count, bad JSON. Only a file that
// cannot be read at all (missing, no usable header, an unknown --channels name) throws.

import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Series } from '../../models/detector.js';
import { DEFAULT_LABEL_COLUMNS, createCsvParser, splitCsvLine } from './replay-csv.js';
import type { LineResult } from './replay-lines.js';
import { parseReplayTime } from './replay-time.js';
import { topicSafe } from './sensor-wire.js';

export interface LogSamplesOptions {
  /** Default: 'jsonl' for .jsonl/.ndjson files, else 'csv'. */
  readonly format?: 'csv' | 'jsonl';
  /** Channels to keep, in this order (header or topic-safe names). Default: all, in file order. */
  readonly channels?: readonly string[];
  /** CSV: default the header's most used of ',', ';', tab. */
  readonly separator?: string;
  readonly timestampColumn?: string;
  /** CSV: the machine id column. Default: a column named "machine", if any. */
  readonly machineColumn?: string;
  readonly labelColumns?: readonly string[];
  /** Split where samples are further apart than this. Default gapFactor × median interval. */
  readonly maxGapMs?: number;
  /** Default 5. */
  readonly gapFactor?: number;
}

/** One run of consecutive samples of one machine. */
export interface MachineSeries extends Series {
  readonly machine: string;
  /** Event times (epoch ms) of the first and last sample. */
  readonly start: number;
  readonly end: number;
}

export type SkipReason = 'bad-timestamp' | 'non-numeric' | 'missing-channel' | 'column-count' | 'malformed-json' | 'no-values' | 'missing-machine';

export interface LogSamples {
  readonly path: string;
  readonly format: 'csv' | 'jsonl';
  /** Channel order of every series' rows. */
  readonly channels: readonly string[];
  readonly series: readonly MachineSeries[];
  readonly machines: readonly string[];
  /** Data rows read (header and blank lines not counted). */
  readonly rows: number;
  /** Rows that went into series. */
  readonly used: number;
  /** Rows left out because a label marked them anomalous. */
  readonly labelled: number;
  readonly skipped: number;
  readonly skippedByReason: Readonly<Partial<Record<SkipReason, number>>>;
  /** The first few skipped rows, for the warning: line number, reason, detail. */
  readonly skippedExamples: readonly { readonly line: number; readonly reason: SkipReason; readonly detail: string }[];
  /** Splits made at time gaps. */
  readonly gaps: number;
}

type Row = { kind: 'row'; machine: string; time: number; values: Readonly<Record<string, number>>; anomalous: boolean };
type Parsed = Row | { kind: 'skip' } | { kind: 'bad'; reason: SkipReason; detail: string };

const MAX_EXAMPLES = 5;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export async function loadLogSamples(path: string, options: LogSamplesOptions = {}): Promise<LogSamples> {
  const format = options.format ?? (['.jsonl', '.ndjson'].includes(extname(path).toLowerCase()) ? 'jsonl' : 'csv');
  const fileMachine = topicSafe(basename(path, extname(path)));
  const labelNames = new Set((options.labelColumns ?? DEFAULT_LABEL_COLUMNS).map((l) => l.toLowerCase()));
  const parse = format === 'csv' ? csvRows(options, fileMachine) : (text: string) => jsonlRow(text, fileMachine, labelNames);
  const rowsByMachine = new Map<string, (Row & { line: number })[]>();
  const seenChannels: string[] = [];
  const seen = new Set<string>();
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  const skippedExamples: { line: number; reason: SkipReason; detail: string }[] = [];
  let rows = 0;
  let skipped = 0;
  let lineNo = 0;
  const skip = (reason: SkipReason, detail: string): void => {
    skipped++;
    skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
    if (skippedExamples.length < MAX_EXAMPLES) skippedExamples.push({ line: lineNo, reason, detail });
  };

  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (err) => reject(new Error(`${path}: cannot read the log: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : err.message}`)));
  });
  await opened;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    let r: Parsed;
    try {
      r = parse(text);
    } catch (err) {
      input.destroy();
      throw new Error(`${path}: ${(err as Error).message}`);
    }
    if (r.kind === 'skip') continue;
    rows++;
    if (r.kind === 'bad') {
      skip(r.reason, r.detail);
      continue;
    }
    for (const c of Object.keys(r.values)) if (!seen.has(c)) (seen.add(c), seenChannels.push(c));
    let list = rowsByMachine.get(r.machine);
    if (!list) rowsByMachine.set(r.machine, (list = []));
    list.push({ ...r, line: lineNo });
  }

  const channels = pickChannels(seenChannels, options.channels, path);
  const series: MachineSeries[] = [];
  let used = 0;
  let labelled = 0;
  let gaps = 0;
  for (const [machine, list] of rowsByMachine) {
    list.sort((a, b) => a.time - b.time);
    const maxGap = options.maxGapMs ?? (options.gapFactor ?? 5) * medianInterval(list);
    let run: number[] = [];
    let times: number[] = [];
    const flush = (): void => {
      if (times.length > 0) series.push({ machine, data: Float32Array.from(run), length: times.length, start: times[0], end: times[times.length - 1] });
      run = [];
      times = [];
    };
    for (const row of list) {
      if (row.anomalous) {
        labelled++;
        flush();
        continue;
      }
      const values = channels.map((c) => row.values[c]);
      const missing = channels.findIndex((_, i) => values[i] === undefined);
      if (missing >= 0) {
        lineNo = row.line;
        skip('missing-channel', `no value for channel '${channels[missing]}'`);
        continue;
      }
      if (times.length > 0 && row.time - times[times.length - 1] > maxGap) {
        gaps++;
        flush();
      }
      run.push(...values);
      times.push(row.time);
      used++;
    }
    flush();
  }
  series.sort((a, b) => (a.machine < b.machine ? -1 : a.machine > b.machine ? 1 : a.start - b.start));
  skippedExamples.sort((a, b) => a.line - b.line);
  return {
    path, format, channels, series, machines: [...rowsByMachine.keys()].sort(), rows, used, labelled,
    skipped, skippedByReason, skippedExamples: skippedExamples.slice(0, MAX_EXAMPLES), gaps,
  };
}

function pickChannels(available: readonly string[], wanted: readonly string[] | undefined, path: string): string[] {
  if (available.length === 0) throw new Error(`${path}: no usable rows, so no channels (see the skipped rows)`);
  if (wanted === undefined) return [...available];
  const lower = (s: string): string => s.toLowerCase();
  return wanted.map((w) => {
    const hit = available.find((a) => lower(a) === lower(w)) ?? available.find((a) => lower(a) === lower(topicSafe(w)));
    if (hit === undefined) throw new Error(`${path}: no channel '${w}'; channels are ${available.join(', ')}`);
    return hit;
  });
}

/** Median of the positive intervals between consecutive samples (Infinity when there are none: no splitting). */
function medianInterval(rows: readonly Row[]): number {
  const d: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const dt = rows[i].time - rows[i - 1].time;
    if (dt > 0) d.push(dt);
  }
  if (d.length === 0) return Infinity;
  d.sort((a, b) => a - b);
  return d[d.length >> 1];
}

function csvRows(options: LogSamplesOptions, fileMachine: string): (text: string) => Parsed {
  let machineColumn = options.machineColumn;
  let parser: ((text: string, line: number) => LineResult) | undefined;
  return (text) => {
    if (parser === undefined) {
      const header = text.replace(/^\uFEFF/, '');
      if (header.trim() === '') return { kind: 'skip' };
      if (machineColumn === undefined) {
        const names = splitCsvLine(header, options.separator ?? mostUsed(header)).map((n) => n.trim());
        machineColumn = names.find((n) => n.toLowerCase() === 'machine');
      }
      parser = createCsvParser({
        separator: options.separator, timestampColumn: options.timestampColumn, machineIdColumn: machineColumn,
        machineId: fileMachine, labelColumns: options.labelColumns,
      });
      parser(text, 1);
      return { kind: 'skip' };
    }
    const r = parser(text, 0);
    if (r.kind === 'skip') return r;
    if (r.kind === 'bad') return { kind: 'bad', reason: r.reason as SkipReason, detail: r.detail };
    if (r.kind !== 'row') return { kind: 'skip' };
    const anomalous = r.labels !== undefined && Object.entries(r.labels).some(([k, v]) => v !== 0 && !BENIGN_LABELS.has(k.toLowerCase()));
    return { kind: 'row', machine: r.machineId, time: r.time, values: r.values, anomalous };
  };
}

/** Labels that are not anomalies: rows carrying them stay in the training data. */
const BENIGN_LABELS: ReadonlySet<string> = new Set(['drift']);

function mostUsed(header: string): string {
  const counts: [string, number][] = [',', ';', '\t'].map((s) => [s, header.split(s).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

function jsonlRow(text: string, fileMachine: string, labelNames: ReadonlySet<string>): Parsed {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'skip' };
  let line: unknown;
  try {
    line = JSON.parse(trimmed);
  } catch (err) {
    return { kind: 'bad', reason: 'malformed-json', detail: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(line)) return { kind: 'bad', reason: 'malformed-json', detail: 'each line must be an object {"ts": ..., "values": {...}}' };
  const time = parseReplayTime(line.ts);
  if (time === undefined) return { kind: 'bad', reason: 'bad-timestamp', detail: `"ts" is ${JSON.stringify(line.ts) ?? 'missing'}` };
  let machine = fileMachine;
  if (line.machine !== undefined) {
    if (typeof line.machine !== 'string' || line.machine.trim() === '') return { kind: 'bad', reason: 'missing-machine', detail: `"machine" is ${JSON.stringify(line.machine)}` };
    machine = topicSafe(line.machine);
  }
  if (!isObject(line.values) || Object.keys(line.values).length === 0) return { kind: 'bad', reason: 'no-values', detail: '"values" must be a non-empty object of channel → number' };
  const values: Record<string, number> = {};
  let anomalous = false;
  for (const [k, v] of Object.entries(line.values)) {
    if (labelNames.has(k.toLowerCase())) {
      anomalous ||= typeof v === 'number' && v !== 0 && !BENIGN_LABELS.has(k.toLowerCase());
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) return { kind: 'bad', reason: 'non-numeric', detail: `values.${k} is ${JSON.stringify(v)}` };
    values[topicSafe(k)] = v;
  }
  if (isObject(line.labels)) anomalous ||= Object.entries(line.labels).some(([k, v]) => typeof v === 'number' && v !== 0 && !BENIGN_LABELS.has(k.toLowerCase()));
  return { kind: 'row', machine, time, values, anomalous };
}
