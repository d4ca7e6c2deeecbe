// The NAB results table: Vigil's run beside NAB's published scoreboard (NAB README "as of NAB
// v1.0", normalised standard / reward_low_FP_rate / reward_low_FN_rate; benchmarks.md §1), as
// Markdown so it pastes into BENCHMARKS.md, then the thresholds and the detection counts.

import type { NabRunResult } from './nab-run.js';

type Row = readonly [string, number, number, number];

export const NAB_SCOREBOARD: readonly Row[] = [
  ['Perfect', 100, 100, 100],
  ['ARTime', 74.9, 65.1, 80.4],
  ['Numenta HTM (NuPIC 1.0)', 70.5, 62.6, 75.2],
  ['CAD OSE', 69.9, 67.0, 73.2],
  ['earthgecko Skyline', 58.2, 46.2, 63.9],
  ['KNN CAD', 58.0, 43.4, 64.8],
  ['Relative Entropy', 54.6, 47.6, 58.8],
  ['HTM without likelihood', 53.62, 34.15, 61.89],
  ['Random Cut Forest', 51.7, 38.4, 59.7],
  ['Twitter ADVec', 47.1, 33.6, 53.5],
  ['Windowed Gaussian', 39.6, 20.9, 47.4],
  ['Etsy Skyline', 35.7, 27.1, 44.5],
  ['Bayesian Changepoint', 17.7, 3.2, 32.2],
  ['EXPoSE', 16.4, 3.2, 26.9],
  ['Random', 11.0, 1.2, 19.5],
  ['Null', 0, 0, 0],
];

export const NAB_PROFILE_NAMES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;

/** The three normalised scores of a run, in scoreboard order. */
export function nabNormalized(r: NabRunResult): [number, number, number] {
  const p = r.score.profiles;
  return [p.standard.normalized, p.reward_low_FP_rate.normalized, p.reward_low_FN_rate.normalized];
}

export function nabTable(r: NabRunResult, label: string): string {
  const [std, fp, fn] = nabNormalized(r);
  const ours = `| **${label}** | **${std.toFixed(1)}** | **${fp.toFixed(1)}** | **${fn.toFixed(1)}** |`;
  const rows = [...NAB_SCOREBOARD];
  const lines = ['| detector | standard | reward_low_FP_rate | reward_low_FN_rate |', '|---|---|---|---|'];
  let placed = false;
  for (const row of rows) {
    if (!placed && row[0] !== 'Perfect' && row[1] < std) {
      lines.push(ours);
      placed = true;
    }
    lines.push(`| ${row[0]} | ${row[1]} | ${row[2]} | ${row[3]} |`);
  }
  if (!placed) lines.push(ours);
  const detail = NAB_PROFILE_NAMES.map((name) => {
    const p = r.score.profiles[name];
    return `${name}: ${p.normalized.toFixed(2)} (raw ${p.raw.toFixed(2)}, threshold ${p.threshold.toFixed(4)}, TP ${p.tp} FP ${p.fp} FN ${p.fn} rows)`;
  });
  const windows = r.files.reduce((n, f) => n + f.windows.length, 0);
  const rows_ = r.files.reduce((n, f) => n + f.values.length, 0);
  return `${lines.join('\n')}\n\n${detail.join('\n')}\n${r.files.length} files, ${rows_} rows, ${windows} windows; ${(r.ms / 1000).toFixed(1)} s\n`;
}
