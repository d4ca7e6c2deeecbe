// Vigil's episode evaluation of a replay against the log's labels ('vigil-episode-overlap/1').
// It is NOT the NAB score (scoring windows, weighted profiles; nab-score.ts computes that one under
// its own name) nor SKAB's changepoint score. Definitions (DEFINITIONS below says them for people):
//   episode    one alert episode of one machine: from its 'raised' event's time to its 'cleared'
//              event's time (half-open [raised, cleared)); one never cleared lasts to the end of the log
//   sample     one labelled row of the log (a row with an anomaly/is_anomaly/label column), at its event time
//   segment    a maximal run of consecutive labelled rows of one machine, in time order, labelled
//              anomalous (≠ 0); from the first row's time to the last row's time
//   detected   a segment is detected when an episode of its machine overlaps it, or starts no later
//              than `toleranceMs` after the segment's start (a short segment caught a little late)
//   delay      for a detected segment: the raise time of the earliest detecting episode − the
//              segment's start; negative when that episode was already open at the start
//   false alarm  an episode that detects no segment of its machine
//   sample P/R/F1  per sample, "an episode is open at its time" against its label: precision =
//              TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean; null when undefined (0/0)
//   FAR / MAR  false-alarm rate FP / (FP + TN) (normal samples under an open episode) and missed-alarm
//              rate FN / (FN + TP) (anomalous samples with none open), as SKAB defines them
//   days       the labelled span of a machine: its last labelled sample's time − its first's
//   false alarms per day   false alarm episodes / days; null for a span of 0
// Totals add machines up: counts are summed, delays pooled, days summed (machine-days), P/R/F1 and
// FAR/MAR recomputed from the summed TP/FP/FN/TN.

import type { Alert, Severity } from '../types.js';
import type { LabelTrack } from './run-replay.js';

export const EVALUATION_METHOD = 'vigil-episode-overlap/1';
const DAY_MS = 86_400_000;

/** Each measure in words, for --help, metrics.json and the HTML report. */
export const DEFINITIONS: Readonly<Record<string, string>> = {
  episode: "one alert episode: [raised time, cleared time); never cleared → to the end of the log",
  sample: 'one labelled row of the log; anomalous when its anomaly label is not 0 (changepoint, fault and drift columns are not anomaly labels), or, with --labels, when its time is inside one of its machine\'s windows',
  segment: "a maximal run of consecutive anomalous samples of one machine, first to last time",
  detected: 'an episode of that machine overlaps the segment, or starts within --tolerance after the segment\'s start',
  delay: "the detecting episode's raise time − the segment's start (the earliest episode; negative when it was already open at the start)",
  'false alarm': 'an episode that detects no segment',
  'sample P/R/F1': '"an episode is open at the sample\'s time" against its label, over labelled samples: precision TP/(TP+FP), recall TP/(TP+FN), F1 their harmonic mean; n/a when 0/0',
  'FAR / MAR': 'false-alarm rate FP/(FP+TN), missed-alarm rate FN/(FN+TP), over the same samples (SKAB\'s definitions)',
  'false alarms/day': "false alarm episodes / days, a machine's days being its last labelled sample's time − its first's",
  totals: 'machines added up: counts summed, delays pooled, days summed; P/R/F1 and FAR/MAR from the summed counts',
};

export interface Episode {
  readonly id: string;
  readonly machineId: string;
  /** Event time of the 'raised' event. */
  readonly start: number;
  /** Event time of the 'cleared' event; null when still open at the end of the log. */
  readonly end: number | null;
  /** The highest severity it reached. */
  readonly severity: Severity;
  readonly peakScore: number;
}

export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly samples: number;
  readonly detected: boolean;
  /** The detecting episode (the earliest one), if any. */
  readonly episodeId: string | null;
  readonly delayMs: number | null;
}

export interface SampleCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export interface Evaluation {
  readonly labelledSamples: number;
  readonly anomalousSamples: number;
  readonly segments: number;
  readonly segmentsDetected: number;
  readonly detectionDelayMs: { readonly mean: number | null; readonly median: number | null; readonly min: number | null; readonly max: number | null };
  readonly falseAlarmEpisodes: number;
  readonly sampleCounts: SampleCounts;
  readonly samplePrecision: number | null;
  readonly sampleRecall: number | null;
  readonly sampleF1: number | null;
  /** FP / (FP + TN); null when there are no normal samples. */
  readonly falseAlarmRate: number | null;
  /** FN / (FN + TP); null when there are no anomalous samples. */
  readonly missedAlarmRate: number | null;
  /** Labelled span in days (summed over machines in a total). */
  readonly labelledDays: number;
  /** falseAlarmEpisodes / labelledDays; null when the span is 0. */
  readonly falseAlarmsPerDay: number | null;
}

export interface MachineEvaluation extends Evaluation {
  readonly segmentList: readonly Segment[];
  /** Delays of the detected segments, in segment order. */
  readonly delaysMs: readonly number[];
  /** Ids of the false-alarm episodes. */
  readonly falseAlarms: readonly string[];
}

/** Alert events (in order) → episodes per machine, in raise order. */
export function episodesFrom(alerts: readonly Alert[]): Map<string, Episode[]> {
  const byMachine = new Map<string, Episode[]>();
  const open = new Map<string, { -readonly [K in keyof Episode]: Episode[K] }>();
  const rank = (s: Severity): number => (s === 'critical' ? 2 : 1);
  for (const a of alerts) {
    let e = open.get(a.id);
    if (!e) {
      e = { id: a.id, machineId: a.machineId, start: a.startedAt, end: null, severity: a.severity, peakScore: a.score };
      open.set(a.id, e);
      let list = byMachine.get(a.machineId);
      if (!list) byMachine.set(a.machineId, (list = []));
      list.push(e);
    }
    if (rank(a.severity) > rank(e.severity)) e.severity = a.severity;
    if (a.state !== 'cleared' && a.score > e.peakScore) e.peakScore = a.score;
    if (a.state === 'cleared') {
      e.end = a.time;
      open.delete(a.id);
    }
  }
  return byMachine;
}

/** One machine's evaluation: its episodes (raise order) against its labelled rows. */
export function evaluateMachine(episodes: readonly Episode[], track: LabelTrack, toleranceMs: number): MachineEvaluation {
  // Labelled rows in time order (a stable sort: a log is usually ordered already).
  const order = track.times.map((_, i) => i).sort((a, b) => track.times[a] - track.times[b] || a - b);
  const times = order.map((i) => track.times[i]);
  const flags = order.map((i) => track.anomalous[i]);
  const endOf = (e: Episode): number => e.end ?? Infinity;

  const segments: Segment[] = [];
  const detecting = new Set<string>();
  for (let i = 0; i < times.length; ) {
    if (!flags[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < times.length && flags[j + 1]) j++;
    const start = times[i], end = times[j];
    const hits = episodes.filter((e) => (e.start <= end && endOf(e) > start) || (e.start >= start && e.start <= start + toleranceMs));
    for (const e of hits) detecting.add(e.id);
    const first = hits.reduce<Episode | null>((a, e) => (a === null || e.start < a.start ? e : a), null);
    segments.push({ start, end, samples: j - i + 1, detected: first !== null, episodeId: first?.id ?? null, delayMs: first ? first.start - start : null });
    i = j + 1;
  }

  // Per sample: is an episode open at its time? Episodes of one machine never overlap; walk both in order.
  let tp = 0, fp = 0, fn = 0, tn = 0;
  const sorted = [...episodes].sort((a, b) => a.start - b.start);
  let k = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    while (k < sorted.length && endOf(sorted[k]) <= t) k++;
    const open = k < sorted.length && sorted[k].start <= t && t < endOf(sorted[k]);
    if (open && flags[i]) tp++;
    else if (open) fp++;
    else if (flags[i]) fn++;
    else tn++;
  }

  const delaysMs = segments.flatMap((s) => (s.delayMs === null ? [] : [s.delayMs]));
  const falseAlarms = episodes.filter((e) => !detecting.has(e.id)).map((e) => e.id);
  return {
    ...summarise({ labelledSamples: times.length, labelledMs: times.length ? times[times.length - 1] - times[0] : 0, segments: segments.length, segmentsDetected: delaysMs.length, delaysMs, falseAlarmEpisodes: falseAlarms.length, counts: { tp, fp, fn, tn } }),
    segmentList: segments,
    delaysMs,
    falseAlarms,
  };
}

/** Machines added up: counts summed, delays pooled, P/R/F1 from the summed counts. */
export function totalEvaluation(machines: readonly MachineEvaluation[]): Evaluation {
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let labelledSamples = 0, labelledMs = 0, segments = 0, segmentsDetected = 0, falseAlarmEpisodes = 0;
  const delaysMs: number[] = [];
  for (const m of machines) {
    labelledSamples += m.labelledSamples;
    labelledMs += m.labelledDays * DAY_MS;
    segments += m.segments;
    segmentsDetected += m.segmentsDetected;
    falseAlarmEpisodes += m.falseAlarmEpisodes;
    delaysMs.push(...m.delaysMs);
    for (const k of ['tp', 'fp', 'fn', 'tn'] as const) counts[k] += m.sampleCounts[k];
  }
  return summarise({ labelledSamples, labelledMs, segments, segmentsDetected, delaysMs, falseAlarmEpisodes, counts });
}

function summarise(x: { labelledSamples: number; labelledMs: number; segments: number; segmentsDetected: number; delaysMs: readonly number[]; falseAlarmEpisodes: number; counts: SampleCounts }): Evaluation {
  const { tp, fp, fn, tn } = x.counts;
  const precision = tp + fp > 0 ? tp / (tp + fp) : null;
  const recall = tp + fn > 0 ? tp / (tp + fn) : null;
  const f1 = precision !== null && recall !== null ? (precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0) : null;
  const d = [...x.delaysMs].sort((a, b) => a - b);
  return {
    labelledSamples: x.labelledSamples,
    anomalousSamples: tp + fn,
    segments: x.segments,
    segmentsDetected: x.segmentsDetected,
    detectionDelayMs: {
      mean: d.length ? d.reduce((a, b) => a + b, 0) / d.length : null,
      median: d.length ? (d.length % 2 ? d[d.length >> 1] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2) : null,
      min: d.length ? d[0] : null,
      max: d.length ? d[d.length - 1] : null,
    },
    falseAlarmEpisodes: x.falseAlarmEpisodes,
    sampleCounts: x.counts,
    samplePrecision: precision,
    sampleRecall: recall,
    sampleF1: f1,
    falseAlarmRate: fp + tn > 0 ? fp / (fp + tn) : null,
    missedAlarmRate: fn + tp > 0 ? fn / (fn + tp) : null,
    labelledDays: x.labelledMs / DAY_MS,
    falseAlarmsPerDay: x.labelledMs > 0 ? x.falseAlarmEpisodes / (x.labelledMs / DAY_MS) : null,
  };
}
