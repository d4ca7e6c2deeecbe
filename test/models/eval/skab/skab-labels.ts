// The SKAB test parts' labels read straight from ../shared/datasets/skab (rows 400 onwards of the
// 34 anomalous files), with a parser of its own so the metric tests depend on nothing but the data.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SKAB_DATA = resolve(import.meta.dirname, '../../../../../shared/datasets/skab/data');

export interface SkabLabels {
  readonly name: string;
  readonly time: number[];
  readonly anomaly: number[];
  readonly changepoint: number[];
}

export function readSkabLabels(): SkabLabels[] {
  const out: SkabLabels[] = [];
  for (const group of ['valve1', 'valve2', 'other']) {
    for (const f of readdirSync(join(SKAB_DATA, group)).filter((n) => n.endsWith('.csv'))) {
      const lines = readFileSync(join(SKAB_DATA, group, f), 'utf8').trim().split(/\r?\n/);
      const header = lines[0].split(';');
      const [ti, ai, ci] = ['datetime', 'anomaly', 'changepoint'].map((c) => header.indexOf(c));
      const rows = lines.slice(1 + 400).map((l) => l.split(';'));
      out.push({
        name: `${group}/${f}`,
        time: rows.map((r) => Date.parse(`${r[ti].replace(' ', 'T')}Z`)),
        anomaly: rows.map((r) => Number(r[ai])),
        changepoint: rows.map((r) => Number(r[ci])),
      });
    }
  }
  return out;
}

/** pandas' Series.shift(k).fillna(0) on a 0/1 array. */
export function shift(a: readonly number[], k: number): number[] {
  return a.map((_, i) => (i - k >= 0 && i - k < a.length ? a[i - k] : 0));
}
