// Reading NAB's folders for the scorer (models/eval/nab), with NAB's layout and NAB's refusals:
//   data        <data>/**/*.csv, columns timestamp,value: the corpus, relPaths `/`-separated, sorted
//   labels      combined_windows.json: { relPath: [[start, end], ...] }
//   profiles    config/profiles.json: { name: { CostMatrix: { tpWeight, fpWeight, fnWeight } } }
//   thresholds  config/thresholds.json: { detector: { profile: { threshold, score } } }
//   results     <dir>/<category>/<detector>_<file>.csv with an anomaly_score column, one row per
//               data row in the same order (NAB reads only that column; timestamps come from the
//               data). The detector is the part of the name before the first `_`; <dir> may also
//               be NAB's results root when the detector is named (<root>/<detector>/<category>/...).
// Every problem is a NabInputError naming the file (and line: 1 is the header) and what is wrong.
// CSV: comma-separated, no quoting beyond a field wholly in double quotes; blank lines are skipped
// (as pandas does).

import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { type NabFileInput, NabInputError, type NabProfiles, type NabWindow, type NabWindows, parseNabProfiles } from '../../models/eval/nab/index.js';

export interface NabDataFile {
  readonly relPath: string;
  /** [n] the timestamp column as written. */
  readonly timestamps: readonly string[];
}

/** Every CSV under `dataDir` (NAB's Corpus), sorted by relPath. */
export async function readNabData(dataDir: string): Promise<NabDataFile[]> {
  const paths = (await csvFilesUnder(dataDir)).sort();
  if (paths.length === 0) throw new NabInputError(`${dataDir}: no .csv data files under it (expected NAB's data folder)`);
  return Promise.all(paths.map(async (path) => {
    const relPath = relative(dataDir, path).split(sep).join('/');
    const { header, rows } = parseCsv(await readText(path, 'a NAB data file'), path);
    const col = header.indexOf('timestamp');
    if (col < 0) throw new NabInputError(`${path}:1: no timestamp column (header: ${header.join(',')})`);
    const timestamps = rows.map(({ fields, line }) => {
      const t = fields[col];
      if (t === undefined || t === '') throw new NabInputError(`${path}:${line}: no timestamp`);
      return t;
    });
    return { relPath, timestamps };
  }));
}

/** combined_windows.json, its shape checked. */
export async function readNabWindows(labelsPath: string): Promise<NabWindows> {
  const json = parseJson(await readText(labelsPath, 'the NAB labels (combined_windows.json)'), labelsPath);
  if (!isObject(json)) throw new NabInputError(`${labelsPath}: expected an object { "<category>/<file>.csv": [[start, end], ...] }`);
  const out: Record<string, NabWindow[]> = {};
  for (const [relPath, list] of Object.entries(json)) {
    if (!Array.isArray(list) || !list.every((w) => Array.isArray(w) && w.length === 2 && typeof w[0] === 'string' && typeof w[1] === 'string')) {
      throw new NabInputError(`${labelsPath}: "${relPath}": expected a list of [start, end] timestamp pairs`);
    }
    out[relPath] = list.map((w) => [w[0], w[1]] as const);
  }
  return out;
}

export async function readNabProfiles(path: string): Promise<NabProfiles> {
  return parseNabProfiles(parseJson(await readText(path, 'the NAB profiles (config/profiles.json)'), path), path);
}

/** One detector's threshold per profile from config/thresholds.json. */
export async function readNabThresholds(path: string, detector: string, profiles: NabProfiles): Promise<Record<string, number>> {
  const json = parseJson(await readText(path, 'the NAB thresholds (config/thresholds.json)'), path);
  if (!isObject(json)) throw new NabInputError(`${path}: expected { detector: { profile: { threshold, score } } }`);
  const entry = json[detector];
  if (!isObject(entry)) throw new NabInputError(`${path}: no thresholds for detector '${detector}' (it has: ${Object.keys(json).join(', ') || 'none'})`);
  const out: Record<string, number> = {};
  for (const name of Object.keys(profiles)) {
    const p = entry[name];
    const t = isObject(p) ? p.threshold : undefined;
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new NabInputError(`${path}: ${detector}.${name}.threshold: expected a number, got ${JSON.stringify(t)}`);
    out[name] = t;
  }
  return out;
}

export interface NabResultsFolder {
  readonly detector: string;
  /** The folder holding <category>/<detector>_<file>.csv. */
  readonly dir: string;
}

/** Where a detector's results are and its name (inferred when there is only one detector). */
export async function findNabResults(resultsDir: string, data: readonly NabDataFile[], detector?: string): Promise<NabResultsFolder> {
  if (!(await isDirectory(resultsDir))) throw new NabInputError(`${resultsDir}: not a directory (expected a NAB results folder: <category>/<detector>_<file>.csv)`);
  if (detector !== undefined && (detector === '' || detector.includes('_') || detector.includes('/'))) {
    throw new NabInputError(`--detector '${detector}': a NAB detector name is not empty and has no '_' (NAB takes the name before the first '_')`);
  }
  const categories = [...new Set(data.map((f) => dirname(f.relPath)))];
  let dir = resultsDir;
  if (detector !== undefined && (await isDirectory(join(resultsDir, detector))) && !(await anyDirectory(resultsDir, categories))) {
    dir = join(resultsDir, detector); // NAB's results root
  }
  if (detector !== undefined) return { detector, dir };
  const names = new Set<string>();
  for (const c of categories) {
    for (const name of await csvNames(join(dir, c))) if (name.includes('_')) names.add(name.slice(0, name.indexOf('_')));
  }
  if (names.size === 1) return { detector: [...names][0], dir };
  if (names.size === 0) {
    const detectors = await detectorFolders(resultsDir, categories);
    if (detectors.length > 0) throw new NabInputError(`${resultsDir}: NAB's results root, with detectors ${detectors.join(', ')}: pass --detector NAME (or --results ${join(resultsDir, detectors[0])})`);
    throw new NabInputError(`${resultsDir}: no results files (<category>/<detector>_<file>.csv for the data's categories: ${categories.join(', ')})`);
  }
  throw new NabInputError(`${resultsDir}: results of several detectors (${[...names].sort().join(', ')}): pass --detector`);
}

/** The detector's anomaly scores for every data file, checked row by row. */
export async function readNabResults(folder: NabResultsFolder, data: readonly NabDataFile[]): Promise<NabFileInput[]> {
  const { dir, detector } = folder;
  const pathOf = (relPath: string): string => join(dir, dirname(relPath), `${detector}_${basename(relPath)}`);
  const expected = new Set(data.map((f) => pathOf(f.relPath)));
  const missing: string[] = [];
  for (const f of data) if (!(await isFile(pathOf(f.relPath)))) missing.push(pathOf(f.relPath));
  if (missing.length > 0) {
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    throw new NabInputError(`missing results for ${missing.length} of ${data.length} data files: ${missing.slice(0, 5).join(', ')}${more}`);
  }
  for (const c of new Set(data.map((f) => dirname(f.relPath)))) {
    for (const name of await csvNames(join(dir, c))) {
      const path = join(dir, c, name);
      if (name.startsWith(`${detector}_`) && !expected.has(path)) throw new NabInputError(`${path}: results for a file that is not in the data (${c}/${name.slice(detector.length + 1)})`);
    }
  }
  return Promise.all(data.map(async (f) => {
    const path = pathOf(f.relPath);
    const { header, rows } = parseCsv(await readText(path, 'a NAB results file'), path);
    const col = header.indexOf('anomaly_score');
    if (col < 0) throw new NabInputError(`${path}:1: no anomaly_score column (header: ${header.join(',')})`);
    if (rows.length !== f.timestamps.length) {
      throw new NabInputError(`${path}: ${rows.length} rows, but its data file ${f.relPath} has ${f.timestamps.length}: there must be one result row per data row`);
    }
    const scores = new Float64Array(rows.length); // [n]
    rows.forEach(({ fields, line }, i) => {
      const text = fields[col] ?? '';
      if (!DECIMAL.test(text)) throw new NabInputError(`${path}:${line}: anomaly_score ${JSON.stringify(text)} is not a number (data row ${i}, ${f.timestamps[i]})`);
      const x = Number(text);
      if (!(x >= 0 && x <= 1)) throw new NabInputError(`${path}:${line}: anomaly_score ${text} is outside [0, 1], which NAB refuses (data row ${i}, ${f.timestamps[i]})`);
      scores[i] = x;
    });
    return { relPath: f.relPath, timestamps: f.timestamps, scores };
  }));
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

interface CsvRow {
  readonly fields: string[];
  /** 1-based line in the file (the header is line 1). */
  readonly line: number;
}

function parseCsv(text: string, path: string): { header: string[]; rows: CsvRow[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new NabInputError(`${path}: empty file (expected a header line)`);
  const header = splitLine(lines[headerAt]).map((h) => h.trim());
  const rows: CsvRow[] = [];
  for (let k = headerAt + 1; k < lines.length; k++) {
    if (lines[k].trim() === '') continue;
    rows.push({ fields: splitLine(lines[k]), line: k + 1 });
  }
  return { header, rows };
}

function splitLine(line: string): string[] {
  return line.split(',').map((f) => (f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1) : f));
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new NabInputError(`${path}: cannot read ${what}: ${why}`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NabInputError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
}

async function csvFilesUnder(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new NabInputError(`${dir}: cannot read the NAB data folder: ${(err as Error).message}`);
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await csvFilesUnder(p)));
    else if (e.isFile() && e.name.endsWith('.csv')) out.push(p);
  }
  return out;
}

async function csvNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.csv')).map((e) => e.name);
  } catch {
    return [];
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/** Subfolders of `dir` holding at least one of the categories: detectors in NAB's results root. */
async function detectorFolders(dir: string, categories: readonly string[]): Promise<string[]> {
  const subdirs = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const out: string[] = [];
  for (const d of subdirs) if (await anyDirectory(join(dir, d), categories)) out.push(d);
  return out;
}

async function anyDirectory(dir: string, names: readonly string[]): Promise<boolean> {
  for (const n of names) if (await isDirectory(join(dir, n))) return true;
  return false;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
