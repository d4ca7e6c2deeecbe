// The SKAB results table: Vigil's runs beside the published leaderboard (SKAB README, "Proposed
// Leaderboard", test set, 60 s right-side windows; benchmarks.md §2.5), in the leaderboard's
// columns, as Markdown so it pastes into BENCHMARKS.md. ADD is Vigil's extra column (seconds).

import type { SkabEvaluation } from '../../models/eval/skab/evaluate.js';
import type { SkabRunResult } from './skab-run.js';

type Row = readonly [string, ...(number | string | null)[]];

/** algorithm, F1, FAR %, MAR %, NAB standard, LowFP, LowFN, missed CPs, FPs (null: not published). */
export const SKAB_LEADERBOARD: readonly Row[] = [
  ['Perfect detector', 1, 0, 0, 100, 100, 100, 0, 0],
  ['Conv-AE', 0.78, 13.55, 28.02, 23.61, 21.54, 27.55, 82, 23],
  ['MSET', 0.78, 39.73, 14.13, 13.84, 10.22, 17.37, 96, 66],
  ['T²+Q (PCA)', 0.76, 26.62, 24.92, 25.35, 14.51, 31.33, 72, 232],
  ['LSTM-AE', 0.74, 29.96, 25.92, 23.51, 20.11, 25.91, 88, 69],
  ['T²', 0.66, 19.21, 42.6, 19.54, 10.2, 24.31, '70*', '106*'],
  ['LSTM-VAE', 0.56, 9.13, 55.03, null, null, null, null, null],
  ['Vanilla LSTM', 0.54, 12.54, 59.53, 11.31, -3.8, 17.25, 90, 342],
  ['MSCRED', 0.36, 49.94, 69.88, 32.42, 16.53, 40.28, 55, 342],
  ['Vanilla AE', 0.39, 2.59, 75.15, 11.41, 6.53, 13.91, 103, 106],
  ['Isolation forest', 0.29, 2.56, 82.89, 26.16, 19.5, 30.82, 76, 135],
  ['ArimaFD', null, null, null, -0.09, -0.17, -0.06, 127, 2],
  ['Null detector', 0, 0, 100, 0, 0, 0, null, null],
];

const HEADER = '| algorithm | F1 | FAR % | MAR % | NAB std | NAB LowFP | NAB LowFN | missed CPs | FPs | ADD s |';
const RULE = '|---|---|---|---|---|---|---|---|---|---|';

const cell = (v: number | string | null | undefined): string => (v === null || v === undefined ? '–' : typeof v === 'number' ? (Number.isNaN(v) ? 'n/a' : String(v)) : v);

export function evaluationRow(label: string, e: SkabEvaluation): string {
  const { outlier: o, changepoint: c } = e;
  const add = Number.isFinite(c.addSeconds) ? c.addSeconds.toFixed(1) : 'n/a';
  return `| **${label}** | ${cell(o.f1)} | ${cell(o.far)} | ${cell(o.mar)} | ${cell(c.nab.standard)} | ${cell(c.nab.lowFP)} | ${cell(c.nab.lowFN)} | ${c.missed} | ${c.falsePositives} | ${add} |`;
}

export function runLabel(r: SkabRunResult): string {
  return `Vigil ${r.config.name}, ${r.mode}, ${r.config.alignment}`;
}

/** Vigil's runs first, then the leaderboard; plus the confusion counts of each run. */
export function skabTable(results: readonly SkabRunResult[]): string {
  const lines = [HEADER, RULE, ...results.map((r) => evaluationRow(runLabel(r), r.evaluation))];
  for (const row of SKAB_LEADERBOARD) lines.push(`| ${row.map(cell).join(' | ')} | – |`);
  const counts = results.map((r) => {
    const o = r.evaluation.outlier;
    return `${runLabel(r)}: TP ${o.tp}, TN ${o.tn}, FP ${o.fp}, FN ${o.fn}; ${r.evaluation.changepoint.changepoints} changepoints; ${(r.ms / 1000).toFixed(0)} s`;
  });
  return `${lines.join('\n')}\n\n${counts.join('\n')}\n`;
}
