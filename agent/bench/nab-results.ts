// NAB's results layout, as NAB's detectors write it: <out>/<detector>/<category>/<detector>_<file>.csv
// with header timestamp,value,anomaly_score,label,raw_score, one row per data row in file order
// (timestamps as the data file writes them; label 1 inside a window, which NAB's scorer ignores;
// raw_score the members' clipped residual mean before the likelihood, like HTM's raw_score column).
// `vigil eval nab --results <out>/<detector> ...` scores the folder again from the files.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NabFile } from './nab-corpus.js';
import type { NabFileRun } from './nab-worker.js';

export function nabResultsPath(out: string, detector: string, file: NabFile): string {
  return join(out, detector, file.category, `${detector}_${file.name}.csv`);
}

export function nabResultsCsv(file: NabFile, run: NabFileRun): string {
  const inside = new Uint8Array(file.values.length);
  for (const [a, b] of file.windows) inside.fill(1, a, b + 1);
  const lines = ['timestamp,value,anomaly_score,label,raw_score'];
  for (let i = 0; i < file.values.length; i++) {
    lines.push(`${file.timestamps[i]},${file.values[i]},${run.scores[i]},${inside[i]},${run.raw[i]}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function writeNabResults(out: string, detector: string, files: readonly NabFile[], runs: readonly NabFileRun[]): Promise<string> {
  if (detector.includes('_')) throw new Error(`NAB detector names cannot contain '_' (NAB reads the name up to the first '_'), got '${detector}'`);
  for (const [i, file] of files.entries()) {
    const path = nabResultsPath(out, detector, file);
    await mkdir(join(out, detector, file.category), { recursive: true });
    await writeFile(path, nabResultsCsv(file, runs[i]));
  }
  return join(out, detector);
}
