// The SKAB corpus as the benchmark uses it: the 34 anomalous files under data/ (anomaly-free.csv
// is never used by the leaderboard), each split as `train_test_split(train_size=400,
// shuffle=False)` does: train = the first 400 rows, test = the rest. Files are read with the
// replay CSV parser (';'-separated, `datetime` as UTC event time, `anomaly` and `changepoint` as
// label columns, the 8 features as channels in header order). Files come in a fixed order
// (valve1, valve2, other; numerically inside each), so every run sees them the same way; the
// metrics are sums over files, so the order changes nothing else.
// Labels are kept apart from the features: `train` and `test.features` hold no label at all,
// and the runner hands only those to a detector. A wrong directory or file name is a UsageError
// (exit code 2, naming what to pass).

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../commands/errors.js';
import { createCsvParser } from '../source/replay-csv.js';

export const SKAB_TRAIN_ROWS = 400;
export const SKAB_GROUPS = ['valve1', 'valve2', 'other'] as const;

export interface SkabFile {
  /** 'valve1/0' ... 'other/14'. */
  readonly name: string;
  readonly channels: readonly string[];
  /** Training part: the first 400 rows, [rows, C] row-major. No labels. */
  readonly train: { readonly rows: number; readonly features: Float32Array; readonly time: Float64Array };
  /** Test part: the remaining rows, features [rows, C], event times (epoch ms) and the labels. */
  readonly test: {
    readonly rows: number;
    readonly features: Float32Array;
    readonly time: Float64Array;
    readonly anomaly: Uint8Array;
    readonly changepoint: Uint8Array;
  };
}

/** Where the data lives: the dataset root (holding data/) or data/ itself. */
export async function skabDataDir(path: string): Promise<string> {
  const entries = await readdir(path).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${path}: cannot read the SKAB directory (${err.code ?? err.message}); pass the dataset root, e.g. ../shared/datasets/skab`);
  });
  if (SKAB_GROUPS.every((g) => entries.includes(g))) return path;
  if (entries.includes('data')) return skabDataDir(join(path, 'data'));
  throw new UsageError(`${path}: no SKAB data here (expected ${SKAB_GROUPS.join(', ')} or a data/ directory holding them)`);
}

/** The anomalous files' names in benchmark order, optionally only those in `only`: file names
 *  ('valve1/0', ...) or whole groups ('valve1', 'valve2', 'other'). */
export async function listSkabFiles(dataDir: string, only?: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const group of SKAB_GROUPS) {
    const files = (await readdir(join(dataDir, group))).filter((f) => /^\d+\.csv$/.test(f));
    files.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    for (const f of files) names.push(`${group}/${f.replace(/\.csv$/, '')}`);
  }
  if (!only) return names;
  const isGroup = (s: string): boolean => (SKAB_GROUPS as readonly string[]).includes(s);
  const unknown = only.filter((n) => !isGroup(n) && !names.includes(n));
  if (unknown.length) throw new UsageError(`no SKAB file ${unknown.join(', ')} in ${dataDir} (files are named like valve1/0, valve2/3, other/14; groups are ${SKAB_GROUPS.join(', ')})`);
  return names.filter((n) => only.includes(n) || only.includes(n.slice(0, n.indexOf('/'))));
}

/** Reads one file and splits it at row 400. Throws, naming the file and line, on anything SKAB does not contain. */
export async function loadSkabFile(dataDir: string, name: string, trainRows = SKAB_TRAIN_ROWS): Promise<SkabFile> {
  const path = join(dataDir, `${name}.csv`);
  const text = await readFile(path, 'utf8');
  const parse = createCsvParser({ machineId: 'skab', labelColumns: ['anomaly', 'changepoint'] });
  const lines = text.split(/\r?\n/);
  let channels: string[] | null = null;
  const values: number[][] = [];
  const times: number[] = [];
  const anomaly: number[] = [];
  const changepoint: number[] = [];
  lines.forEach((line, i) => {
    const r = parse(line, i + 1);
    if (r.kind === 'skip') return;
    if (r.kind !== 'row') throw new Error(`${path} line ${i + 1}: ${r.kind === 'bad' ? `${r.reason}: ${r.detail}` : 'not a CSV row'}`);
    channels ??= Object.keys(r.values);
    if (Object.keys(r.values).length !== channels.length) throw new Error(`${path} line ${i + 1}: a channel cell is empty; SKAB rows are complete`);
    values.push(channels.map((c) => r.values[c]));
    times.push(r.time);
    const a = r.labels?.anomaly;
    const cp = r.labels?.changepoint;
    if ((a !== 0 && a !== 1) || (cp !== 0 && cp !== 1)) throw new Error(`${path} line ${i + 1}: anomaly and changepoint must be 0 or 1`);
    anomaly.push(a);
    changepoint.push(cp);
  });
  if (!channels || values.length <= trainRows) throw new Error(`${path}: ${values.length} rows; the protocol needs more than ${trainRows}`);
  const C = (channels as string[]).length;
  const n = values.length;
  const features = new Float32Array(n * C);
  values.forEach((row, r) => features.set(row, r * C));
  const time = Float64Array.from(times);
  return {
    name,
    channels: channels as string[],
    train: { rows: trainRows, features: features.slice(0, trainRows * C), time: time.slice(0, trainRows) },
    test: {
      rows: n - trainRows,
      features: features.slice(trainRows * C),
      time: time.slice(trainRows),
      anomaly: Uint8Array.from(anomaly.slice(trainRows)),
      changepoint: Uint8Array.from(changepoint.slice(trainRows)),
    },
  };
}

export async function loadSkab(path: string, only?: readonly string[]): Promise<SkabFile[]> {
  const dir = await skabDataDir(path);
  const names = await listSkabFiles(dir, only);
  return Promise.all(names.map((n) => loadSkabFile(dir, n)));
}
