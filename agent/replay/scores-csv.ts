// scores.csv: the decision trace (decision-trace.ts) as CSV, one row per scored window (or sample,
// in stream mode), in the order scores were made. Columns:
//   time               event time of the newest sample scored, ISO-8601 UTC
//   machine
//   score              the detector's score (squared error, scaled units)
//   score.<channel>    each model channel's share of it (model channel order)
//   likelihood         only with decision.likelihood: the anomaly likelihood's log score (NAB's), the
//                      value the decider judged against warning and critical instead of the score
//   warning, critical  the thresholds in force (empty while the decider has none)
//   verdict            normal | anomalous | learning | invalid | shed (see decide.ts; shed: over limits.maxMachines)
//   event              raised | updated | cleared when this score caused an alert event, else empty
//   episode            the episode open after this decision (the cleared one on a 'cleared' row), else empty
//   value.<channel>    the newest sample of the window as the model saw it (log units, held values included)
// Scores and values are float32 in the pipeline and are written in the shortest form that reads back
// as the same float32; thresholds are written as JavaScript prints doubles. Deterministic.

import type { Judged, ScoredRow } from './decision-trace.js';

export function scoresCsvHeader(channels: readonly string[], judged: Judged = 'score'): string {
  return ['time', 'machine', 'score', ...channels.map((c) => `score.${c}`), ...(judged === 'likelihood' ? ['likelihood'] : []), 'warning', 'critical', 'verdict', 'event', 'episode', ...channels.map((c) => `value.${c}`)].map(cell).join(',');
}

export function scoresCsvLine(row: ScoredRow, channels: readonly string[], judged: Judged = 'score'): string {
  const cells: string[] = [new Date(row.time).toISOString(), cell(row.machineId), f32(row.score)];
  for (const c of channels) cells.push(f32(row.perChannel[c]));
  if (judged === 'likelihood') cells.push(Number.isFinite(row.judged) ? String(row.judged) : '');
  cells.push(row.thresholds ? String(row.thresholds.warning) : '', row.thresholds ? String(row.thresholds.critical) : '', row.verdict, row.event ?? '', row.episodeId === null ? '' : cell(row.episodeId));
  for (let c = 0; c < channels.length; c++) cells.push(row.values ? f32(row.values[c]) : '');
  return cells.join(',');
}

/** The shortest decimal that reads back as the same float32 (NaN and missing: empty). */
export function f32(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(f);
}

function cell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
