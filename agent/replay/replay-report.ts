// The replay report ('vigil.replay-report/1', written by `vigil replay --report`) and the summary
// printed on stderr. Times are ISO-8601 UTC, durations milliseconds. Per machine and in total:
//   scored        windows scored (scoring.mode 'window') or samples scored ('stream')
//   alertEvents   raised / updated / cleared events; episodes = raised
//   episodes      per machine: id, start, end (null: open at the end of the log), severity, peak score
//   evaluation    when the log has anomaly labels: evaluate-episodes.ts's definitions (null otherwise):
//                 sample P/R/F1, false-alarm and missed-alarm rates, detection delay per labelled
//                 segment, false alarms per day, and the episode overlap measures
// labels says where the labels came from (label columns, or --labels windows); nab holds the NAB
// score when labels are windows (nab-score.ts), else null.
// The pipeline section holds the stages' counters (readings, dead letters by reason, samples,
// windows or stream scores, the decider's verdicts), so every number can be traced back.

import { EVALUATION_METHOD, type Episode, type Evaluation, type MachineEvaluation, episodesFrom, evaluateMachine, totalEvaluation } from './evaluate-episodes.js';
import type { NabResult } from './nab-score.js';
import { formatDuration, type SamplingPlan } from './replay-settings.js';
import type { ReplayRun } from './run-replay.js';

export const REPORT_SCHEMA = 'vigil.replay-report/1';

export interface ReportContext {
  readonly data: string;
  readonly format: 'csv' | 'jsonl';
  readonly modelPath: string;
  readonly model: { readonly name: string; readonly version: string; readonly architecture: string; readonly channels: readonly string[]; readonly windowSize: number };
  /** The log channel feeding each model channel. */
  readonly logChannels: readonly string[];
  readonly configSource: string;
  readonly sampling: SamplingPlan;
  readonly scoringMode: 'window' | 'stream';
  readonly learning: 'off' | 'inline';
  readonly toleranceMs: number;
  /** Where labels came from: 'columns' (the log's anomaly columns) or a --labels file. */
  readonly labels?: LabelSource;
  readonly nab?: NabResult | null;
}

export type LabelSource = { readonly kind: 'columns' } | { readonly kind: 'windows'; readonly file: string; readonly format: 'nab' | 'machines' | 'all'; readonly key: string | null };

type Iso = string | null;
const iso = (t: number | null | undefined): Iso => (t === null || t === undefined || !Number.isFinite(t) ? null : new Date(t).toISOString());

export interface MachineReport {
  readonly scored: number;
  readonly alertEvents: { readonly raised: number; readonly updated: number; readonly cleared: number };
  readonly episodes: number;
  readonly episodeList?: readonly { readonly id: string; readonly start: Iso; readonly end: Iso; readonly severity: string; readonly peakScore: number }[];
  readonly evaluation: (Evaluation & { readonly segmentList?: unknown; readonly falseAlarms?: readonly string[] }) | null;
}

export interface ReplayReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly log: { readonly path: string; readonly format: string; readonly lines: number; readonly rows: number; readonly messages: number; readonly badLines: number; readonly badByReason: Readonly<Record<string, number>>; readonly start: Iso; readonly end: Iso };
  readonly model: ReportContext['model'] & { readonly path: string; readonly logChannels: readonly string[] };
  readonly settings: {
    readonly config: string;
    readonly periodMs: number; readonly periodSource: 'log' | 'config'; readonly toleranceMs: number; readonly maxHoldMs: number; readonly maxGapMs: number;
    readonly scoringMode: string; readonly learning: string; readonly detectionToleranceMs: number;
  };
  readonly pipeline: Record<string, unknown>;
  readonly evaluationMethod: typeof EVALUATION_METHOD | null;
  /** Where the labels came from; null without labels. */
  readonly labels: LabelSource | null;
  readonly nab: NabResult | null;
  readonly machines: Readonly<Record<string, MachineReport>>;
  readonly total: MachineReport & { readonly machines: number };
}

export function buildReport(run: ReplayRun, ctx: ReportContext): ReplayReport {
  const episodes = episodesFrom(run.alerts);
  const events = new Map<string, { raised: number; updated: number; cleared: number }>();
  for (const a of run.alerts) {
    let e = events.get(a.machineId);
    if (!e) events.set(a.machineId, (e = { raised: 0, updated: 0, cleared: 0 }));
    e[a.state]++;
  }
  const labelled = run.labels.size > 0;
  const ids = [...new Set([...run.scored.keys(), ...episodes.keys(), ...run.labels.keys()])].sort();
  const machines: Record<string, MachineReport> = {};
  const evaluations: MachineEvaluation[] = [];
  const total = { scored: 0, raised: 0, updated: 0, cleared: 0 };
  for (const id of ids) {
    const list = episodes.get(id) ?? [];
    const ev = events.get(id) ?? { raised: 0, updated: 0, cleared: 0 };
    const track = run.labels.get(id);
    const evaluation = labelled ? evaluateMachine(list, track ?? { times: [], anomalous: [] }, ctx.toleranceMs) : null;
    if (evaluation) evaluations.push(evaluation);
    const scored = run.scored.get(id) ?? 0;
    total.scored += scored;
    total.raised += ev.raised;
    total.updated += ev.updated;
    total.cleared += ev.cleared;
    machines[id] = {
      scored,
      alertEvents: ev,
      episodes: list.length,
      episodeList: list.map(episodeJson),
      evaluation: evaluation && {
        ...withoutLists(evaluation),
        segmentList: evaluation.segmentList.map((s) => ({ start: iso(s.start), end: iso(s.end), samples: s.samples, detected: s.detected, episodeId: s.episodeId, delayMs: s.delayMs })),
        falseAlarms: evaluation.falseAlarms,
      },
    };
  }
  const c = run.counters;
  const deadLetters = Object.fromEntries(Object.entries(c.readings.byReason).filter(([, n]) => n > 0));
  return {
    schema: REPORT_SCHEMA,
    log: { path: ctx.data, format: ctx.format, lines: run.summary.lines, rows: run.summary.rows, messages: run.summary.messages, badLines: run.summary.badLines, badByReason: { ...run.summary.badByReason }, start: iso(run.startTime), end: iso(run.endTime) },
    model: { path: ctx.modelPath, ...ctx.model, logChannels: ctx.logChannels },
    settings: {
      config: ctx.configSource,
      periodMs: ctx.sampling.periodMs, periodSource: ctx.sampling.derived ? 'log' : 'config', toleranceMs: ctx.sampling.toleranceMs,
      maxHoldMs: ctx.sampling.maxHoldMs, maxGapMs: ctx.sampling.maxGapMs,
      scoringMode: ctx.scoringMode, learning: ctx.learning, detectionToleranceMs: ctx.toleranceMs,
    },
    pipeline: {
      readings: { accepted: c.readings.accepted, rejected: c.readings.rejected, deadLetters },
      samples: { ...c.samples },
      ...(c.windows ? { windows: { ...c.windows } } : {}),
      scores: { ...c.scores },
      decisions: { windows: { ...c.alerts.windows }, alerts: { ...c.alerts.alerts }, shed: c.alerts.shed },
      ...(run.learner ? { learning: { ...run.learner } } : {}),
      ...(run.scoringErrors.length ? { scoringErrors: run.scoringErrors } : {}),
    },
    evaluationMethod: labelled ? EVALUATION_METHOD : null,
    labels: labelled ? (ctx.labels ?? { kind: 'columns' }) : null,
    nab: ctx.nab ?? null,
    machines,
    total: {
      machines: ids.length,
      scored: total.scored,
      alertEvents: { raised: total.raised, updated: total.updated, cleared: total.cleared },
      episodes: total.raised,
      evaluation: labelled ? totalEvaluation(evaluations) : null,
    },
  };
}

function episodeJson(e: Episode): { id: string; start: Iso; end: Iso; severity: string; peakScore: number } {
  return { id: e.id, start: iso(e.start), end: iso(e.end), severity: e.severity, peakScore: e.peakScore };
}

function withoutLists(e: MachineEvaluation): Evaluation {
  const { segmentList: _s, delaysMs: _d, falseAlarms: _f, ...rest } = e;
  return rest;
}

/** The stderr summary: what was replayed, with which settings, and what came out. */
export function summaryLines(report: ReplayReport, notes: readonly string[], alertsTo: string): string[] {
  const r = report;
  const lines: string[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const bad = Object.entries(r.log.badByReason).map(([k, n]) => `${n} ${k}`).join(', ');
  lines.push(`replay ${r.log.path}: ${plural(r.log.rows, 'row')}, ${plural(r.log.messages, 'message')}, ${plural(r.log.badLines, 'bad line')}${bad ? ` (${bad})` : ''}`);
  lines.push(`  model:     ${r.model.name} ${r.model.version} (${r.model.architecture}, window ${r.model.windowSize}) on ${r.model.channels.map((ch, i) => (r.model.logChannels[i] === ch ? ch : `${r.model.logChannels[i]}→${ch}`)).join(', ')}`);
  lines.push(`  settings:  ${r.settings.config}; period ${formatDuration(r.settings.periodMs)} (${r.settings.periodSource === 'log' ? 'from the log' : 'configured'}), scoring ${r.settings.scoringMode}, learning ${r.settings.learning}`);
  for (const n of notes) lines.push(`  ${n.startsWith('warning') ? '' : 'note: '}${n}`);
  const readings = r.pipeline.readings as { accepted: number; rejected: number; deadLetters: Record<string, number> };
  const dead = Object.entries(readings.deadLetters).map(([k, n]) => `${n} ${k}`).join(', ');
  lines.push(`  pipeline:  ${readings.accepted} readings accepted, ${readings.rejected} dead letters${dead ? ` (${dead})` : ''}; ${(r.pipeline.samples as { samples: number }).samples} samples`);
  const t = r.total;
  lines.push(`  scored:    ${t.scored} ${r.settings.scoringMode === 'stream' ? 'samples' : 'windows'} on ${plural(t.machines, 'machine')}; ${plural(t.episodes, 'episode')} (${t.alertEvents.raised} raised, ${t.alertEvents.updated} updated, ${t.alertEvents.cleared} cleared) → ${alertsTo}`);
  if (t.evaluation) {
    lines.push(`  evaluation (${EVALUATION_METHOD}; Vigil's own measures, not the NAB score; see --help):`);
    lines.push(`    total      ${evaluationText(t.evaluation)}`);
    for (const [id, m] of Object.entries(r.machines)) if (m.evaluation) lines.push(`    ${id.padEnd(10)} ${evaluationText(m.evaluation)}`);
  } else {
    lines.push('  evaluation: none (the log has no anomaly labels)');
    for (const [id, m] of Object.entries(r.machines)) lines.push(`    ${id.padEnd(10)} scored ${m.scored}, ${plural(m.episodes, 'episode')}`);
  }
  if (r.nab?.rules) {
    const profiles = Object.keys(r.nab.rules.alerts);
    lines.push(`  NAB score (normalised; ${profiles.join(' / ')}):`);
    for (const rule of ['alerts', 'warning', 'optimized'] as const) {
      const values = profiles.map((p) => r.nab!.rules![rule][p].normalized).map((v) => (v === null ? 'n/a' : v.toFixed(2)));
      lines.push(`    ${rule.padEnd(10)} ${values.join(' / ')}`);
    }
  } else if (r.nab) lines.push(`  NAB score: not scored: ${r.nab.error}`);
  return lines;
}

function evaluationText(e: Evaluation): string {
  const pct = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(3));
  const delay = e.detectionDelayMs.median === null ? '' : `, median delay ${formatDuration(e.detectionDelayMs.median)}`;
  const perDay = e.falseAlarmsPerDay === null ? 'n/a' : e.falseAlarmsPerDay.toFixed(2);
  return `segments detected ${e.segmentsDetected}/${e.segments}${delay}, false alarm episodes ${e.falseAlarmEpisodes} (${perDay}/day), samples P ${pct(e.samplePrecision)} R ${pct(e.sampleRecall)} F1 ${pct(e.sampleF1)} FAR ${pct(e.falseAlarmRate)} MAR ${pct(e.missedAlarmRate)}`;
}
