// The NAB score of a replay whose labels are windows (--labels), computed by models/eval/nab (NAB's
// own procedure: per-row sweep, scaled sigmoid, profiles, normalisation; 100 = perfect, 0 = null
// detector). Each machine is one NAB data file: its rows are the log's rows (one per event time),
// its windows the label windows snapped to those rows (first and last row inside each window; a
// window without rows is dropped, as is a machine without rows).
// NAB wants one anomaly score in [0, 1] per row. A row takes the decision trace's row for its
// sampling slot (round(time / periodMs) · periodMs, the rule toSamples uses); rows that were never
// scored (the first window, gaps, off the grid) get 0. Three detection rules are scored, each with
// NAB's three profiles:
//   alerts     anomaly_score 1 on the rows where Vigil raised an episode, 0 elsewhere, threshold 1:
//              NAB counts exactly the alerts Vigil would have sent (the number to quote)
//   warning    anomaly_score = min(1, judged / warning threshold in force), 0 while the decider has no
//              thresholds, threshold 1: every row at or above the warning threshold is a detection,
//              before the k-of-n debounce ('judged' is the score, or with decision.likelihood the
//              likelihood's log score, whichever the decider compares with its thresholds)
//   optimized  the same anomaly_score with NAB's threshold optimisation on this log (NAB's scoreboard
//              procedure; optimistic on one log, since the threshold is chosen knowing the labels)
// A log NAB cannot score (a one-row window followed by normal rows, ...) gives { error } naming why.

import { type NabCorpusScore, NabInputError, type NabWindow, scoreCorpus } from '../../models/eval/nab/index.js';
import type { ScoredRow } from './decision-trace.js';
import type { LabelWindows } from './label-windows.js';
import type { LabelTrack } from './run-replay.js';

export const NAB_METHOD = 'numenta-nab (models/eval/nab)';

export const NAB_MAPPING =
  'anomaly_score of a row = min(1, score / warning threshold in force) (with decision.likelihood: the likelihood\'s log score in place of score; 0 when unscored or while the decider has no thresholds); ' +
  "'alerts' scores 1 on the rows where an episode was raised, else 0; 'alerts' and 'warning' use threshold 1, 'optimized' NAB's optimised threshold";

export interface NabProfileResult {
  readonly normalized: number | null;
  readonly raw: number;
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export type NabRule = 'alerts' | 'warning' | 'optimized';

export interface NabResult {
  readonly method: typeof NAB_METHOD;
  readonly mapping: string;
  readonly files: readonly { readonly file: string; readonly machine: string; readonly rows: number; readonly windows: readonly NabWindow[] }[];
  readonly rules: Readonly<Record<NabRule, Readonly<Record<string, NabProfileResult>>>> | null;
  /** Why NAB could not score this log, when it could not. */
  readonly error: string | null;
}

/** Per machine: slot time, mapped score and whether an episode was raised there, in time order. */
interface Column {
  readonly slots: number[];
  readonly mapped: number[];
  readonly raised: boolean[];
}

export interface NabCollector {
  readonly onScored: (row: ScoredRow) => void;
  score(labels: ReadonlyMap<string, LabelTrack>, windows: LabelWindows, periodMs: number): NabResult;
}

export function createNabCollector(): NabCollector {
  const columns = new Map<string, Column>();
  return {
    onScored(row) {
      let c = columns.get(row.machineId);
      if (!c) columns.set(row.machineId, (c = { slots: [], mapped: [], raised: [] }));
      c.slots.push(row.time);
      c.mapped.push(mapScore(row));
      c.raised.push(row.event === 'raised');
    },
    score(labels, windows, periodMs) {
      const machines = [...labels.keys()].sort();
      const files: NabResult['files'][number][] = [];
      const inputs: { relPath: string; timestamps: string[]; mapped: Float64Array; alerts: Float64Array }[] = [];
      const nabWindows: Record<string, NabWindow[]> = {};
      for (const machine of machines) {
        const track = labels.get(machine)!;
        const order = track.times.map((_, i) => i).sort((a, b) => track.times[a] - track.times[b] || a - b);
        const times = order.map((i) => track.times[i]).filter((t, i, all) => i === 0 || t !== all[i - 1]);
        if (times.length === 0) continue;
        const relPath = windows.kind === 'nab' && machines.length === 1 ? windows.key! : machine;
        const stamps = times.map(nabStamp);
        const snapped = snapWindows(windows.windowsOf(machine), times).map(([a, b]): NabWindow => [nabStamp(a), nabStamp(b)]);
        const { mapped, alerts } = rowScores(times, columns.get(machine), periodMs);
        files.push({ file: relPath, machine, rows: times.length, windows: snapped });
        inputs.push({ relPath, timestamps: stamps, mapped, alerts });
        nabWindows[relPath] = snapped;
      }
      const base = { method: NAB_METHOD, mapping: NAB_MAPPING, files } as const;
      if (inputs.length === 0) return { ...base, rules: null, error: 'no labelled rows to score' };
      const ones = { standard: 1, reward_low_FP_rate: 1, reward_low_FN_rate: 1 };
      try {
        const run = (pick: 'mapped' | 'alerts', thresholds?: Record<string, number>): Record<string, NabProfileResult> =>
          profilesOf(scoreCorpus({ files: inputs.map((f) => ({ relPath: f.relPath, timestamps: f.timestamps, scores: f[pick] })), windows: nabWindows, ...(thresholds && { thresholds }) }));
        return { ...base, rules: { alerts: run('alerts', ones), warning: run('mapped', ones), optimized: run('mapped') }, error: null };
      } catch (err) {
        if (err instanceof NabInputError) return { ...base, rules: null, error: err.message };
        throw err;
      }
    },
  };
}

function mapScore(row: ScoredRow): number {
  const w = row.thresholds?.warning;
  if (w === undefined || !(w > 0) || !Number.isFinite(row.judged)) return 0;
  return Math.min(1, Math.max(0, row.judged / w));
}

/** Each row's score from the trace row of its sampling slot (both in time order). */
function rowScores(times: readonly number[], c: Column | undefined, periodMs: number): { mapped: Float64Array; alerts: Float64Array } {
  const mapped = new Float64Array(times.length); // [rows]
  const alerts = new Float64Array(times.length); // [rows]
  if (!c) return { mapped, alerts };
  const bySlot = new Map<number, number>();
  c.slots.forEach((t, k) => bySlot.set(t, k));
  times.forEach((t, i) => {
    const k = bySlot.get(Math.round(t / periodMs) * periodMs);
    if (k === undefined) return;
    mapped[i] = c.mapped[k];
    alerts[i] = c.raised[k] ? 1 : 0;
  });
  return { mapped, alerts };
}

/** Each window as its first and last row inside it; windows without rows are dropped. */
function snapWindows(windows: readonly (readonly [number, number])[], times: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [start, end] of windows) {
    const first = times.find((t) => t >= start && t <= end);
    if (first === undefined) continue;
    let last = first;
    for (const t of times) if (t >= start && t <= end) last = t;
    out.push([first, last]);
  }
  return out;
}

/** A row time as NAB writes timestamps: "2014-04-10 07:15:00.000" (UTC). */
function nabStamp(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '');
}

function profilesOf(score: NabCorpusScore): Record<string, NabProfileResult> {
  const out: Record<string, NabProfileResult> = {};
  for (const [name, p] of Object.entries(score.profiles)) {
    out[name] = { normalized: Number.isFinite(p.normalized) ? p.normalized : null, raw: p.raw, threshold: p.threshold, tp: p.tp, fp: p.fp, fn: p.fn, tn: p.tn };
  }
  return out;
}
