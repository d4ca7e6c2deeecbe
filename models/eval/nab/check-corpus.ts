// What NAB refuses before it scores, checked once up front (NabInputError naming file, window, row):
//   - each file once; as many anomaly scores as timestamps; every score a number in [0, 1]
//     (nab/detectors/base.py raises on scores outside it)
//   - the labels name exactly the files scored: a labelled file without results makes NAB fail,
//     and a missing one would go unnoticed in the normalisation
//   - every window boundary is the timestamp of exactly one row (labeler.CorpusLabel.getWindows)
//   - windows in file order, each start at or before its end, none overlapping (labeler.validateLabels)

import { NabInputError } from './errors.js';
import type { NabWindow } from './sweep-file.js';
import { nabTimestampKey } from './timestamp-key.js';

export interface NabFileInput {
  /** The path relative to NAB's data folder, `/`-separated: `realKnownCause/nyc_taxi.csv`. */
  readonly relPath: string;
  /** [n] the data file's timestamp column, as written. */
  readonly timestamps: readonly string[];
  /** [n] the detector's anomaly_score per row, in [0, 1]. */
  readonly scores: ArrayLike<number>;
}

/** combined_windows.json: the windows of every file, by relative path (an empty list for none). */
export type NabWindows = Readonly<Record<string, readonly NabWindow[]>>;

export function checkNabCorpus(files: readonly NabFileInput[], windows: NabWindows): void {
  if (files.length === 0) throw new NabInputError('no files to score');
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.relPath)) throw new NabInputError(`${f.relPath}: given twice`);
    seen.add(f.relPath);
    if (f.scores.length !== f.timestamps.length) {
      throw new NabInputError(`${f.relPath}: ${f.scores.length} anomaly scores for ${f.timestamps.length} rows: there must be one per row`);
    }
    for (let i = 0; i < f.scores.length; i++) {
      const s = f.scores[i];
      if (!(s >= 0 && s <= 1)) throw new NabInputError(`${f.relPath}: row ${i} (${f.timestamps[i]}): anomaly_score ${s} is not in [0, 1]`);
    }
    if (!Object.hasOwn(windows, f.relPath)) throw new NabInputError(`${f.relPath}: not in the labels (an empty list of windows if it has none)`);
    checkWindows(f, windows[f.relPath]);
  }
  for (const relPath of Object.keys(windows)) {
    if (!seen.has(relPath)) throw new NabInputError(`${relPath}: labelled but not scored (give its results, or drop it from the labels)`);
  }
}

function checkWindows(f: NabFileInput, list: readonly NabWindow[]): void {
  if (list.length === 0) return;
  const rowsOf = new Map<string, number[]>();
  f.timestamps.forEach((t, i) => {
    const key = nabTimestampKey(t);
    const rows = rowsOf.get(key);
    if (rows) rows.push(i);
    else rowsOf.set(key, [i]);
  });
  const rowOf = (t: string, w: NabWindow): number => {
    const rows = rowsOf.get(nabTimestampKey(t)) ?? [];
    if (rows.length !== 1) {
      throw new NabInputError(`${f.relPath}: window [${w[0]}, ${w[1]}]: ${t} is the timestamp of ${rows.length === 0 ? 'no row' : `${rows.length} rows (${rows.join(', ')})`}; a boundary must match exactly one`);
    }
    return rows[0];
  };
  let prevEnd = -1;
  for (const w of list) {
    const start = rowOf(w[0], w);
    const end = rowOf(w[1], w);
    if (end < start) throw new NabInputError(`${f.relPath}: window [${w[0]}, ${w[1]}] ends (row ${end}) before it starts (row ${start})`);
    if (start <= prevEnd) throw new NabInputError(`${f.relPath}: window [${w[0]}, ${w[1]}] starts (row ${start}) before the previous window ends (row ${prevEnd}): windows must be in order and not overlap`);
    prevEnd = end;
  }
}
