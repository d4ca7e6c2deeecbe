// replayLog: one replay from file names to a report, the whole of `vigil replay` but its output
// files: settings (replay-settings.ts) → model (replay-model.ts) → a scan of the log (log-scan.ts)
// → channels and sampling grid → runReplay → buildReport. Alerts go to onAlert as they are decided,
// in order. Everything wrong with an argument, the config, the model or the log is thrown before the
// replay starts, as a UsageError or ModelFileError (exit code 2) naming the file and the fix.

import { basename, extname } from 'node:path';
import { UsageError } from '../commands/errors.js';
import { createManualClock } from '../runtime/clock.js';
import type { BadLine } from '../source/replay-source.js';
import { topicSafe } from '../source/sensor-wire.js';
import { checkStreamable } from '../stages/to-stream-scores.js';
import type { Alert } from '../types.js';
import { scanLog } from './log-scan.js';
import { buildReport, type ReplayReport } from './replay-report.js';
import { loadReplayModel, replayChannels } from './replay-model.js';
import { loadReplayConfig, planSampling } from './replay-settings.js';
import { type LearningMode, replayTopicMap, runReplay } from './run-replay.js';

export interface ReplayLogOptions {
  readonly data: string;
  readonly model: string;
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
  readonly onAlert?: (alert: Alert) => void;
}

export interface ReplayLogResult {
  readonly report: ReplayReport;
  /** Derived settings and warnings, one line each, for the summary. */
  readonly notes: readonly string[];
  /** The first few bad lines of the log. */
  readonly badLines: readonly BadLine[];
}

const BAD_EXAMPLES = 5;

export async function replayLog(o: ReplayLogOptions): Promise<ReplayLogResult> {
  const learning = o.learning ?? 'off';
  const clock = createManualClock(0);
  const settings = loadReplayConfig(o.config, o.model, o.env);
  const { config } = settings;
  const { detector, warnings } = await loadReplayModel(o.model, config, clock);
  if (config.scoring.mode === 'stream') {
    try {
      checkStreamable(detector);
    } catch (err) {
      throw new UsageError(`${o.model}: ${(err as Error).message}`);
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

  const badLines: BadLine[] = [];
  const run = await runReplay({
    path: o.data, format, detector, config, sampling, channels,
    columns: scan.columns, machineColumn: scan.machineColumn, machine: o.machine === undefined ? undefined : machineId,
    learning, clock,
    onAlert: o.onAlert,
    onBadLine: (bad) => void (badLines.length < BAD_EXAMPLES && badLines.push(bad)),
  });
  const report = buildReport(run, {
    data: o.data, format, modelPath: o.model, model, logChannels: channels, configSource: settings.source, sampling,
    scoringMode: config.scoring.mode, learning, toleranceMs,
  });
  return { report, notes, badLines };
}
