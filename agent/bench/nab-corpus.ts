// The NAB corpus as the benchmark reads it: data/<category>/<file>.csv (timestamp,value), parsed by
// the replay CSV reader (agent/source/replay-csv.ts), and labels/combined_windows.json. Each file
// keeps its timestamp strings as written (the results files repeat them), its values in order, the
// rows inside anomaly windows (for the results' label column only: the scorer reads the windows
// itself) and its probationary length, min(floor(0.15·n), 750) as NAB's sweeper computes it.
// A row the CSV reader refuses is an error naming file and line: NAB files have none, and a
// detector that skipped rows would write results the scorer cannot align.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../commands/errors.js';
import { createCsvParser } from '../source/replay-csv.js';

export interface NabFile {
  /** Path under data/, e.g. 'realKnownCause/nyc_taxi.csv' (the key of combined_windows.json). */
  readonly relPath: string;
  readonly category: string;
  /** File name without '.csv', e.g. 'nyc_taxi'. */
  readonly name: string;
  readonly timestamps: readonly string[];
  readonly values: Float64Array;
  /** Anomaly windows as [first row, last row] (first occurrence of each boundary timestamp). */
  readonly windows: readonly (readonly [number, number])[];
  /** The same as combined_windows.json writes them (what NAB's scorer reads). */
  readonly windowTimes: readonly (readonly [string, string])[];
  /** Rows never scored by NAB (and free for learning): min(floor(0.15·n), 750). */
  readonly probation: number;
}

export function probationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

/** Every data file of the corpus at `dir` (the NAB checkout's root), sorted by relPath. */
export async function loadNabCorpus(dir: string, only?: (relPath: string) => boolean): Promise<NabFile[]> {
  const windowsPath = join(dir, 'labels', 'combined_windows.json');
  let labels: Record<string, [string, string][]>;
  try {
    labels = JSON.parse(await readFile(windowsPath, 'utf8')) as Record<string, [string, string][]>;
  } catch (err) {
    throw new UsageError(`${windowsPath}: cannot read NAB's windows (${(err as Error).message}); --data must be the NAB root holding data/ and labels/`);
  }
  const files: NabFile[] = [];
  for (const relPath of Object.keys(labels).sort()) {
    if (only && !only(relPath)) continue;
    files.push(await readNabFile(dir, relPath, labels[relPath]));
  }
  if (files.length === 0) throw new UsageError(`${windowsPath} names no data files${only ? ' matching the selection' : ''}`);
  return files;
}

export async function readNabFile(dir: string, relPath: string, windowTimes: readonly (readonly [string, string])[]): Promise<NabFile> {
  const path = join(dir, 'data', relPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${path}: cannot read a NAB data file listed in combined_windows.json (${(err as Error).message})`);
  }
  const parse = createCsvParser({ machineId: 'nab', timestampColumn: 'timestamp', channels: ['value'] });
  const timestamps: string[] = [];
  const values: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const r = parse(line, i + 1);
    if (r.kind === 'bad') throw new UsageError(`${path} line ${i + 1}: ${r.reason}: ${r.detail}`);
    if (r.kind !== 'row') return;
    timestamps.push(line.slice(0, line.indexOf(',')).trim());
    values.push(r.values.value);
  });
  const first = new Map<string, number>();
  timestamps.forEach((t, i) => {
    if (!first.has(t)) first.set(t, i);
  });
  const rowOf = (t: string): number => {
    const i = first.get(t.replace(/\.0*$/, ''));
    if (i === undefined) throw new UsageError(`${path}: window boundary ${t} is not a timestamp of the file`);
    return i;
  };
  const parts = relPath.split('/');
  return {
    relPath,
    category: parts.slice(0, -1).join('/'),
    name: parts[parts.length - 1].replace(/\.csv$/, ''),
    timestamps,
    values: Float64Array.from(values),
    windows: windowTimes.map(([a, b]) => [rowOf(a), rowOf(b)] as const),
    windowTimes,
    probation: probationLength(timestamps.length),
  };
}
