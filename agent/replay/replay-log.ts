// replayLog: one replay from file names to a report, the whole of `vigil replay` but its output
// files: settings (replay-settings.ts) → model (replay-model.ts) → a scan of the log (log-scan.ts)
// → channels, sampling grid and label windows → runReplay → buildReport (with the NAB score when
// labels are windows) → the HTML report's data, when asked for. Alerts go to onAlert and the
// decision trace to onScored as they are decided, in order. Everything wrong with an argument, the
// config, the model, the labels or the log is thrown before the replay starts, as a UsageError or
// ModelFileError (exit code 2) naming the file and the fix.

import { basename, extname } from 'node:path';
import { checkDecisionPolicy } from '../../models/scoring/decision-policy.js';
import { UsageError } from '../commands/errors.js';
import { createReportCollector, type ChartData } from '../report/report-data.js';
import { createManualClock } from '../runtime/clock.js';
import type { BadLine } from '../source/replay-source.js';
import { topicSafe } from '../source/sensor-wire.js';
import { checkStreamable } from '../stages/to-stream-scores.js';
import type { Alert } from '../types.js';
import type { Judged, ScoredRow } from './decision-trace.js';
import { type LabelWindows, readLabelWindows } from './label-windows.js';
import { scanLog } from './log-scan.js';
import { createNabCollector } from './nab-score.js';
import { buildReport, type ReplayReport } from './replay-report.js';
import { loadReplayModel, replayChannels } from './replay-model.js';
import { loadReplayConfig, planSampling } from './replay-settings.js';
import { type LearningMode, replayTopicMap, runReplay } from './run-replay.js';

export interface ReplayLogOptions {
  readonly data: string;
  /** The model file; default the config's model.path. */
  readonly model?: string;
  /** A config file, as for `vigil run`; default: the defaults. */
  readonly config?: string;
  /** VIGIL_* overrides. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Default 'off'. */
  readonly learning?: LearningMode;
  /** Log columns feeding the model's channels, in its order. Default: the model's channel names. */
  readonly channels?: readonly string[];
  /** A log without a machine column: its id (default: the file name). Otherwise: replay only this machine. */
  readonly machine?: string;
  /** Evaluation tolerance. Default: one window, windowSize × period. */
  readonly toleranceMs?: number;
  /** Label windows (label-windows.ts) instead of the log's label columns. */
  readonly labels?: string;
  /** Event-time ms per wall ms; default as fast as possible. */
  readonly speed?: number;
  /** Collect the HTML report's chart data, at most this many points per machine (true: the default). */
  readonly charts?: boolean | number;
  readonly onAlert?: (alert: Alert) => void;
  readonly onScored?: (row: ScoredRow) => void;
  /** Called once before the replay with the log's event-time span, then with each message's event time. */
  readonly onStart?: (span: { readonly first: number | undefined; readonly last: number | undefined; readonly rows: number }) => void;
  readonly onProgress?: (time: number) => void;
  /** Called once everything has been checked, just before the replay, with the model's channels: where its alerts and trace go as well. */
  /** judged: 'likelihood' when decision.likelihood makes the decider judge the anomaly likelihood. */
  readonly onReady?: (model: { readonly channels: readonly string[]; readonly judged: Judged }) => ReplaySinks | void;
}

export interface ReplaySinks {
  readonly onAlert?: (alert: Alert) => void;
  readonly onScored?: (row: ScoredRow) => void;
}

export interface ReplayLogResult {
  readonly report: ReplayReport;
  /** Derived settings and warnings, one line each, for the summary. */
  readonly notes: readonly string[];
  /** The first few bad lines of the log. */
  readonly badLines: readonly BadLine[];
  /** The chart data, when asked for. */
  readonly charts: ChartData | null;
  /** The configuration sections that shape a replay, as the report shows them. */
  readonly config: Readonly<Record<string, unknown>>;
}

const BAD_EXAMPLES = 5;

export async function replayLog(o: ReplayLogOptions): Promise<ReplayLogResult> {
  const learning = o.learning ?? 'off';
  const clock = createManualClock(0);
  const settings = loadReplayConfig(o.config, o.model, o.env);
  const { config } = settings;
  const modelPath = config.model.path;
  if (modelPath === null) throw new UsageError(`no model: give --model FILE, or --config FILE whose model.path names one${o.config ? ` (${o.config} sets none)` : ''}`);
  const { detector, warnings } = await loadReplayModel(modelPath, config, clock);
  if (config.scoring.mode === 'stream') {
    try {
      checkStreamable(detector);
    } catch (err) {
      throw new UsageError(`${modelPath}: ${(err as Error).message}`);
    }
  }
  // As loaded: inline learning moves the version on during the run.
  const model = { name: detector.meta.name, version: detector.meta.version, architecture: detector.meta.architecture, channels: detector.meta.channels, windowSize: detector.meta.windowSize };

  const format = ['.jsonl', '.ndjson'].includes(extname(o.data).toLowerCase()) ? 'jsonl' : 'csv';
  const machineId = topicSafe(o.machine ?? basename(o.data, extname(o.data)));
  const scan = await scanLog(o.data, { format, machineId, topics: replayTopicMap(format, config.topics.sensors), valuesPath: config.payload.valuesPath });
  if (scan.rows === 0) throw new UsageError(`${o.data}: no data rows to replay${scan.badLines ? ` (${scan.badLines} bad lines)` : ''}`);
  const channels = replayChannels(detector.meta.channels, scan.channels, o.channels, o.data);
  const sampling = planSampling(settings, scan.medianStepMs);
  const notes = [...warnings.map((w) => `warning: ${w}`), ...sampling.notes];
  const unused = scan.channels.filter((c) => !channels.includes(c));
  if (unused.length && format === 'csv') notes.push(`log columns not fed to the model: ${unused.join(', ')}`);
  const toleranceMs = o.toleranceMs ?? detector.meta.windowSize * sampling.periodMs;
  const labelWindows: LabelWindows | undefined = o.labels === undefined ? undefined : await readLabelWindows(o.labels, o.data);
  if (labelWindows) notes.push(`labels: windows from ${o.labels}${labelWindows.key ? ` (entry ${labelWindows.key})` : ''}; the log's label columns are not used`);

  const judged: Judged = config.decision.likelihood ? 'likelihood' : 'score';
  const sinks = o.onReady?.({ channels: detector.meta.channels, judged }) ?? {};
  const nab = labelWindows ? createNabCollector() : null;
  const maxPoints = typeof o.charts === 'number' ? o.charts : undefined;
  const charts = o.charts ? createReportCollector({ channels: detector.meta.channels, logChannels: channels, periodMs: sampling.periodMs, maxPoints, judged }) : null;
  const trace = nab || charts || o.onScored || sinks.onScored
    ? (row: ScoredRow) => {
        nab?.onScored(row);
        charts?.onScored(row);
        o.onScored?.(row);
        sinks.onScored?.(row);
      }
    : undefined;

  const badLines: BadLine[] = [];
  const alerts: Alert[] = [];
  o.onStart?.({ first: scan.firstTime, last: scan.lastTime, rows: scan.rows });
  const run = await runReplay({
    path: o.data, format, detector, config, sampling, channels,
    columns: scan.columns, machineColumn: scan.machineColumn, machine: o.machine === undefined ? undefined : machineId,
    learning, clock, speed: o.speed, labelWindows,
    onAlert: (alert) => {
      if (charts) alerts.push(alert);
      o.onAlert?.(alert);
      sinks.onAlert?.(alert);
    },
    onBadLine: (bad) => void (badLines.length < BAD_EXAMPLES && badLines.push(bad)),
    onScored: trace,
    onProgress: o.onProgress,
  });
  const report = buildReport(run, {
    data: o.data, format, modelPath, model, logChannels: channels, configSource: settings.source, sampling,
    scoringMode: config.scoring.mode, learning, toleranceMs,
    labels: labelWindows ? { kind: 'windows', file: labelWindows.source, format: labelWindows.kind, key: labelWindows.key ?? null } : { kind: 'columns' },
    nab: nab && labelWindows ? nab.score(run.labels, labelWindows, sampling.periodMs) : null,
  });
  const shown = {
    sampling: { periodMs: sampling.periodMs, toleranceMs: sampling.toleranceMs, maxHoldMs: sampling.maxHoldMs },
    windows: { stride: config.windows.stride, maxGapMs: sampling.maxGapMs },
    scoring: config.scoring,
    decision: checkDecisionPolicy(config.decision),
    learning: { ...config.learning, duringReplay: learning },
    payload: config.payload,
    topics: { sensors: config.topics.sensors },
    model: { ...config.model, path: modelPath },
    limits: { maxMachines: config.limits.maxMachines },
  };
  return { report, notes, badLines, charts: charts ? charts.build({ report, alerts, labelWindows }) : null, config: shown };
}
