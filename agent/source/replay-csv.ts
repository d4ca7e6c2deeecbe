// CSV replay lines: a header naming the columns, then one row per instant.
//   separator   ',' ';' or tab; by default whichever of them the header uses most
//   time        the timestampColumn, else the first of timestamp/datetime/time/ts/date, else column 1
//   machine     the machineIdColumn's cell, else the fixed machineId
//   labels      label columns (default anomaly, changepoint, label, is_anomaly, fault, drift) are not channels;
//               their numbers travel with the row for evaluation
//   channels    every other column (or only `channels`), named topicSafe(header)
// Double-quoted fields ("a;b", "say ""hi""") are understood; a quoted field cannot span lines.
// A row is bad, as a whole, when its column count differs from the header's, its time is
// unreadable, a non-empty channel cell is not a finite number, it has no channel values at all,
// or its machine cell is empty. Empty channel cells are missing values: that channel is skipped.
// A header without the timestamp column, or whose channel names collide, throws: nothing can replay.

import { parseReplayTime } from './replay-time.js';
import { SKIP, bad, type LineParser, type LineResult } from './replay-lines.js';
import { topicSafe } from './sensor-wire.js';

export interface CsvReplayOptions {
  readonly separator?: string;
  readonly timestampColumn?: string;
  readonly machineIdColumn?: string;
  /** Used when there is no machineIdColumn. */
  readonly machineId: string;
  readonly labelColumns?: readonly string[];
  readonly channels?: readonly string[];
}

export const DEFAULT_LABEL_COLUMNS: readonly string[] = ['anomaly', 'changepoint', 'label', 'is_anomaly', 'fault', 'drift'];
const TIME_COLUMNS = ['timestamp', 'datetime', 'time', 'ts', 'date'];
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function splitCsvLine(line: string, separator: string): string[] {
  if (!line.includes('"')) return line.split(separator);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') (field += '"'), i++;
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (line.startsWith(separator, i)) {
      out.push(field);
      field = '';
      i += separator.length - 1;
    } else field += c;
  }
  out.push(field);
  return out;
}

function detectSeparator(header: string): string {
  const count = (s: string) => header.split(s).length - 1;
  const candidates: [string, number][] = [[',', count(',')], [';', count(';')], ['\t', count('\t')]];
  candidates.sort((a, b) => b[1] - a[1]);
  return candidates[0][1] > 0 ? candidates[0][0] : ',';
}

interface Layout {
  readonly separator: string;
  readonly width: number;
  readonly timeAt: number;
  readonly machineAt: number;
  readonly channels: readonly { readonly at: number; readonly name: string }[];
  readonly labels: readonly { readonly at: number; readonly name: string }[];
}

function readHeader(header: string, options: CsvReplayOptions): Layout {
  const fail = (why: string): never => {
    throw new Error(`replay CSV header "${header.slice(0, 120)}": ${why}`);
  };
  const separator = options.separator ?? detectSeparator(header);
  const names = splitCsvLine(header, separator).map((n) => n.trim());
  const find = (name: string) => names.findIndex((n) => n.toLowerCase() === name.toLowerCase());
  let timeAt: number;
  if (options.timestampColumn !== undefined) {
    timeAt = find(options.timestampColumn);
    if (timeAt < 0) fail(`no column '${options.timestampColumn}' (timestampColumn); columns are ${names.join(', ')}`);
  } else {
    timeAt = TIME_COLUMNS.map(find).find((i) => i >= 0) ?? 0;
  }
  let machineAt = -1;
  if (options.machineIdColumn !== undefined) {
    machineAt = find(options.machineIdColumn);
    if (machineAt < 0) fail(`no column '${options.machineIdColumn}' (machineIdColumn); columns are ${names.join(', ')}`);
  }
  const labelSet = new Set((options.labelColumns ?? DEFAULT_LABEL_COLUMNS).map((l) => l.toLowerCase()));
  const wanted = options.channels ? new Set(options.channels.map((c) => c.toLowerCase())) : undefined;
  if (wanted) for (const c of options.channels ?? []) if (find(c) < 0) fail(`no channel column '${c}'; columns are ${names.join(', ')}`);
  const channels: { at: number; name: string }[] = [];
  const labels: { at: number; name: string }[] = [];
  const seen = new Map<string, string>();
  names.forEach((name, at) => {
    if (at === timeAt || at === machineAt) return;
    if (labelSet.has(name.toLowerCase())) return void labels.push({ at, name });
    if (wanted && !wanted.has(name.toLowerCase())) return;
    const safe = topicSafe(name);
    const clash = seen.get(safe);
    if (clash !== undefined) fail(`columns '${clash}' and '${name}' both become channel '${safe}'; pass \`channels\` to pick one`);
    seen.set(safe, name);
    channels.push({ at, name: safe });
  });
  if (channels.length === 0) fail(`no channel columns besides time, machine and labels (${names.join(', ')})`);
  return { separator, width: names.length, timeAt, machineAt, channels, labels };
}

/** A stateful parser: the first non-blank line is the header. */
export function createCsvParser(options: CsvReplayOptions): LineParser {
  let layout: Layout | undefined;
  return (text: string): LineResult => {
    if (layout === undefined) {
      const header = text.replace(/^\uFEFF/, '');
      if (header.trim() === '') return SKIP;
      layout = readHeader(header, options);
      return SKIP;
    }
    if (text.trim() === '') return SKIP;
    const cells = splitCsvLine(text, layout.separator);
    if (cells.length !== layout.width) return bad('column-count', `${cells.length} fields, the header has ${layout.width}`);
    const timeCell = cells[layout.timeAt].trim();
    const time = parseReplayTime(timeCell);
    if (time === undefined) return bad('bad-timestamp', `time ${JSON.stringify(timeCell.slice(0, 40))} is neither a date-time nor epoch seconds/ms`);
    let machineId = options.machineId;
    if (layout.machineAt >= 0) {
      if (cells[layout.machineAt].trim() === '') return bad('missing-machine', 'the machine id cell is empty');
      machineId = topicSafe(cells[layout.machineAt]);
    }
    const values: Record<string, number> = {};
    let count = 0;
    for (const { at, name } of layout.channels) {
      const cell = cells[at].trim();
      if (cell === '') continue;
      const v = NUMBER.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(v)) return bad('non-numeric', `channel '${name}' is ${JSON.stringify(cell.slice(0, 40))}, expected a finite number`);
      values[name] = v;
      count++;
    }
    if (count === 0) return bad('no-values', 'every channel cell is empty');
    let labels: Record<string, number> | undefined;
    for (const { at, name } of layout.labels) {
      const cell = cells[at].trim();
      if (cell !== '' && NUMBER.test(cell)) (labels ??= {})[name] = Number(cell);
    }
    return { kind: 'row', machineId, time, values, labels };
  };
}
