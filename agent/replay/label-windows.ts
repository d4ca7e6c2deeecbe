// Anomaly windows from a --labels file, instead of label columns in the log:
//   NAB     labels/combined_windows.json: { "<dir>/<file>.csv": [["<start>", "<end>"], ...], ... }.
//           The entry whose key the log path ends with (at a '/' boundary) holds the windows of the
//           log's machine (a NAB file is one machine): nyc_taxi.csv replays with
//           "realKnownCause/nyc_taxi.csv"'s windows, wherever the file lies.
//   Vigil   { "<machine>": [[start, end], ...], ... }: windows per machine id;
//           or a bare [[start, end], ...]: the same windows for every machine of the log.
// Times as replay files write them (replay-time.ts: date-times, naive = UTC, or epoch numbers);
// windows are inclusive at both ends, as NAB's are. A row of a machine is labelled anomalous when
// its event time falls in one of that machine's windows, and normal otherwise: with windows, every
// row of the log is labelled (a machine the file gives no windows is normal throughout).
// A file that cannot be read, is not one of these shapes, or has no entry for the log is a
// UsageError naming the file and the fix.

import { UsageError, readUserFile } from '../commands/errors.js';
import { parseReplayTime } from '../source/replay-time.js';

/** An inclusive event-time window [start, end], epoch ms. */
export type TimeWindow = readonly [number, number];

export interface LabelWindows {
  /** The --labels file. */
  readonly source: string;
  /** 'nab': a combined_windows.json entry; 'machines': per machine id; 'all': one list for every machine. */
  readonly kind: 'nab' | 'machines' | 'all';
  /** The NAB key that matched (kind 'nab'). */
  readonly key?: string;
  /** The windows of one machine, sorted by start. */
  windowsOf(machineId: string): readonly TimeWindow[];
}

export async function readLabelWindows(path: string, logPath: string): Promise<LabelWindows> {
  const text = await readUserFile(path, 'the label windows (--labels)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--labels ${path}: not JSON (${(err as Error).message}); give NAB's combined_windows.json or {"<machine>": [[start, end], ...]}`);
  }
  const fail = (why: string): never => {
    throw new UsageError(`--labels ${path}: ${why}; give NAB's combined_windows.json or {"<machine>": [[start, end], ...]}`);
  };
  if (Array.isArray(json)) {
    const all = windowList(json, 'the top level', fail);
    return { source: path, kind: 'all', windowsOf: () => all };
  }
  if (json === null || typeof json !== 'object') return fail('expected a JSON object or array');
  const entries = json as Record<string, unknown>;
  const log = logPath.replace(/\\/g, '/');
  const key = Object.keys(entries)
    .filter((k) => /\.csv$/i.test(k) && (log === k || log.endsWith(`/${k}`)))
    .sort((a, b) => b.length - a.length)[0];
  if (key !== undefined) {
    const windows = windowList(entries[key], `"${key}"`, fail);
    return { source: path, kind: 'nab', key, windowsOf: () => windows };
  }
  if (Object.keys(entries).some((k) => /\.csv$/i.test(k))) {
    return fail(`no entry for ${logPath}: its keys are NAB file paths like "${Object.keys(entries)[0]}", and one must match the end of the log's path`);
  }
  const byMachine = new Map<string, readonly TimeWindow[]>();
  for (const [machine, list] of Object.entries(entries)) byMachine.set(machine, windowList(list, `"${machine}"`, fail));
  return { source: path, kind: 'machines', windowsOf: (m) => byMachine.get(m) ?? [] };
}

function windowList(v: unknown, where: string, fail: (why: string) => never): TimeWindow[] {
  if (!Array.isArray(v)) return fail(`${where} must be a list of [start, end] windows`);
  const out = v.map((w, i): TimeWindow => {
    if (!Array.isArray(w) || w.length !== 2) return fail(`${where}[${i}] must be a [start, end] pair`);
    const [start, end] = w.map((t: unknown) => parseReplayTime(t));
    if (start === undefined || end === undefined) return fail(`${where}[${i}] has a time that is neither a date-time nor epoch seconds/ms: ${JSON.stringify(w)}`);
    if (end < start) return fail(`${where}[${i}] ends before it starts: ${JSON.stringify(w)}`);
    return [start, end];
  });
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** Whether `time` falls in one of `windows` (sorted by start). */
export function inWindows(windows: readonly TimeWindow[], time: number): boolean {
  for (const [start, end] of windows) {
    if (start > time) return false;
    if (time <= end) return true;
  }
  return false;
}
