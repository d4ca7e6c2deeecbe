// What the HTML report draws, collected while the replay runs: per machine, the decision trace
// (decision-trace.ts) downsampled into min/max buckets (min-max-buckets.ts) for the score, each
// channel's score and each channel's signal (the newest sample of each scored window, as the model
// saw it: on the sampling grid, held values included); the thresholds as steps (one entry per
// change); the spans the decider spent learning; and, at build time, the alerts, the episodes and
// the labelled spans (the --labels windows, or the label segments of the evaluation, each last
// sample covering one period). Numbers are rounded to 6 significant digits and times are kept
// relative (the first absolute, then steps), so the page stays small; NaN becomes null.
// Everything here is a function of the replay: the same replay gives the same ChartData, byte for byte.

import type { Alert } from '../types.js';
import type { Judged, ScoredRow } from '../replay/decision-trace.js';
import type { LabelWindows } from '../replay/label-windows.js';
import type { ReplayReport } from '../replay/replay-report.js';
import { type MinMaxBuckets, createMinMaxBuckets } from './min-max-buckets.js';

/** Buckets per machine before the report downsamples (default): ~10 min buckets over a year. */
export const DEFAULT_REPORT_POINTS = 50_000;

type Num = number | null;

export interface MachineChart {
  readonly id: string;
  /** The model's channels, and the log columns feeding them (same order). */
  readonly channels: readonly string[];
  readonly logChannels: readonly string[];
  /** 0: every scored sample is a point; else the bucket width in ms. */
  readonly widthMs: number;
  /** Scored samples behind the points. */
  readonly points: number;
  /** [buckets] time of each bucket's first sample: the first absolute (epoch ms), then differences. */
  readonly t: readonly number[];
  /** [series][buckets] minimum per bucket; series = score, score of each channel, signal of each channel. */
  readonly min: readonly (readonly Num[])[];
  /** [series][buckets] maximum per bucket; null while raw (equal to min). */
  readonly max: readonly (readonly Num[])[] | null;
  /** [time, warning, critical] at each change of the thresholds in force (null: none yet). */
  readonly thresholds: readonly (readonly [number, Num, Num])[];
  /** [start, end] labelled anomalous spans. */
  readonly labels: readonly (readonly [number, number])[];
  /** [start, end or null (open at the end), severity] */
  readonly episodes: readonly (readonly [number, Num, string])[];
  /** [time, state, severity, score] of every alert event. */
  readonly alerts: readonly (readonly [number, string, string, Num])[];
  /** [start, end] spans of scores judged 'learning'. */
  readonly learning: readonly (readonly [number, number])[];
}

export interface ChartData {
  /** [first, last] event time of the log (and of every point and alert), epoch ms. */
  readonly range: readonly [number, number];
  readonly periodMs: number;
  /** What the score lane shows against the thresholds: the score, or the likelihood's log score. */
  readonly judged: Judged;
  readonly machines: readonly MachineChart[];
}

export interface ReportCollector {
  readonly onScored: (row: ScoredRow) => void;
  build(ctx: { readonly report: ReplayReport; readonly alerts: readonly Alert[]; readonly labelWindows?: LabelWindows }): ChartData;
}

interface MachineTrace {
  readonly buckets: MinMaxBuckets;
  readonly values: Float64Array; // [1 + 2C] scratch for add()
  readonly thresholds: [number, Num, Num][];
  readonly learning: [number, number][];
  inLearning: boolean;
}

export function createReportCollector(o: { readonly channels: readonly string[]; readonly logChannels: readonly string[]; readonly periodMs: number; readonly maxPoints?: number; readonly judged?: Judged }): ReportCollector {
  const judged = o.judged ?? 'score';
  const C = o.channels.length;
  const maxPoints = o.maxPoints ?? DEFAULT_REPORT_POINTS;
  const traces = new Map<string, MachineTrace>();

  return {
    onScored(row) {
      let m = traces.get(row.machineId);
      if (!m) {
        m = { buckets: createMinMaxBuckets(1 + 2 * C, maxPoints, o.periodMs), values: new Float64Array(1 + 2 * C), thresholds: [], learning: [], inLearning: false };
        traces.set(row.machineId, m);
      }
      const v = m.values;
      v[0] = judged === 'likelihood' ? row.judged : row.score; // the lane the thresholds are drawn on
      for (let c = 0; c < C; c++) {
        v[1 + c] = row.perChannel[o.channels[c]] ?? NaN;
        v[1 + C + c] = row.values ? row.values[c] : NaN;
      }
      m.buckets.add(row.time, v);
      const w = row.thresholds?.warning ?? null, c = row.thresholds?.critical ?? null;
      const last = m.thresholds[m.thresholds.length - 1];
      if (!last || last[1] !== w || last[2] !== c) m.thresholds.push([row.time, w, c]);
      if (row.verdict === 'learning') {
        if (m.inLearning) m.learning[m.learning.length - 1][1] = row.time;
        else m.learning.push([row.time, row.time]);
      }
      m.inLearning = row.verdict === 'learning';
    },

    build({ report, alerts, labelWindows }) {
      const periodMs = report.settings.periodMs;
      const ids = [...new Set([...traces.keys(), ...Object.keys(report.machines)])].sort();
      // The log's whole span, so that a first window still filling shows as the empty start it was.
      let first = report.log.start === null ? Infinity : Date.parse(report.log.start);
      let lastT = report.log.end === null ? -Infinity : Date.parse(report.log.end);
      const machines = ids.map((id): MachineChart => {
        const m = traces.get(id);
        const b = m?.buckets.result();
        if (b && b.time.length) {
          first = Math.min(first, b.time[0]);
          lastT = Math.max(lastT, b.time[b.time.length - 1]);
        }
        const mine = alerts.filter((a) => a.machineId === id);
        for (const a of mine) (first = Math.min(first, a.time)), (lastT = Math.max(lastT, a.time));
        return {
          id,
          channels: o.channels,
          logChannels: o.logChannels,
          widthMs: b?.widthMs ?? 0,
          points: b?.points ?? 0,
          t: b ? b.time.map((t, i) => (i === 0 ? t : t - b.time[i - 1])) : [],
          min: b ? b.min.map(round) : [],
          max: b && b.widthMs > 0 ? b.max.map(round) : null,
          thresholds: (m?.thresholds ?? []).map(([t, w, c]) => [t, num(w), num(c)] as const),
          labels: labelSpans(id, report, labelWindows),
          episodes: (report.machines[id]?.episodeList ?? []).map((e) => [Date.parse(e.start!), e.end === null ? null : Date.parse(e.end), e.severity] as const),
          alerts: mine.map((a) => [a.time, a.state, a.severity, num(a.score)] as const),
          learning: m?.learning ?? [],
        };
      });
      return { range: Number.isFinite(first) ? [first, lastT] : [0, 1], periodMs, judged, machines };

      function labelSpans(id: string, r: ReplayReport, windows: LabelWindows | undefined): [number, number][] {
        if (windows) return windows.windowsOf(id).map(([s, e]) => [s, e]);
        const segments = (r.machines[id]?.evaluation?.segmentList ?? []) as { start: string; end: string }[];
        return segments.map((s) => [Date.parse(s.start), Date.parse(s.end) + periodMs]);
      }
    },
  };
}

function num(v: number | null): Num {
  return v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(6));
}

function round(series: readonly number[]): Num[] {
  return series.map(num);
}
