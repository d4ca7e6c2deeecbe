// vigil replay LOG --model FILE | --config FILE: runs a recorded log through the live pipeline (the
// same stages, built from the same configuration as `vigil run`; only the source differs) in event
// time, and says what the agent would have said: the vigil.alert/1 payloads, a decision per scored
// sample, metrics against the log's labels, and a self-contained HTML report people can read.
// The same log, model and config give byte-identical outputs on every run, at any --speed.
// The work is in agent/replay/ (replay-log.ts: settings, model, scan, pipeline, report;
// replay-outputs.ts: the files) and agent/report/ (the HTML); this file parses the flags.
// Exit codes: 0 done (whatever the alerts), 2 a bad argument, config, model file, labels or log;
// bad lines inside a log are counted and reported, never fatal.

import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { renderReportHtml } from '../report/report-html.js';
import { DEFINITIONS, EVALUATION_METHOD } from '../replay/evaluate-episodes.js';
import { NAB_MAPPING } from '../replay/nab-score.js';
import { OUT_FILES, openOutputs, planOutputs } from '../replay/replay-outputs.js';
import { createProgress } from '../replay/replay-progress.js';
import { type ReplayLogResult, replayLog } from '../replay/replay-log.js';
import { summaryLines } from '../replay/replay-report.js';
import type { LearningMode } from '../replay/run-replay.js';
import { UsageError, integerAtLeast, numberIn } from './errors.js';

interface ReplayFlags {
  data?: string;
  model?: string;
  config?: string;
  labels?: string;
  speed: number | 'max';
  out?: string;
  report?: string;
  reportPoints?: number;
  progress: boolean;
  learning: LearningMode;
  channels?: string[];
  machine?: string;
  tolerance?: number;
}

const definitions = Object.entries(DEFINITIONS).map(([k, v]) => `  ${k.padEnd(16)} ${v}`).join('\n');

const HELP = `
The log (LOG, or --data LOG), read as \`vigil train\` reads it:
  CSV    a header, then one row per instant: a time column (timestamp, datetime, time, ts or date;
         naive times are UTC), an optional machine column, channel columns, label columns.
         NAB files (timestamp,value; labels with --labels labels/combined_windows.json), SKAB files
         (datetime;...;anomaly;changepoint, ';'-separated, labels in the anomaly column) and
         \`vigil simulate --out x.csv\` logs (machine column, anomaly/fault/drift labels) read as they are.
  JSONL  one message per line; what \`vigil simulate --out x.jsonl\` writes:
           {"topic":"plant/pump-01","ts":1704067200000,"values":{"vibration":1.2,...},"labels":{"anomaly":0}}
         or one channel per line {"topic":"plant/pump-01/vibration","ts":...,"value":1.2}; or a capture
         of raw MQTT messages {"topic":"...","payload":<the payload, a string or JSON>,"ts":<receive time>}
         whose payloads are read with the config's payload paths exactly as live (bad ones are
         dead-lettered as live), "ts" only pacing a payload without an event time of its own.
The model's channels name the log columns it takes (--channels maps other columns onto them, in the
model's order). Settings come from --config (as for \`vigil run\`, with VIGIL_* overrides; broker
sections are ignored); without --model its model.path names the model. Without a configured
sampling.periodMs the period is the log's median timestamp step. Event time only: a clock set from
each message's event time, no intake queue, nothing shed; online learning is off unless
--learning inline (deterministic, and never saved). --speed N paces the reader at N× the log's
own time (10: ten minutes of log a minute); it changes how long a replay takes, never what it says.

Outputs (identical bytes on every run of the same log, model and config):
  --out DIR      ${OUT_FILES.alerts} (one vigil.alert/1 payload per line), ${OUT_FILES.scores} (one row per
                 scored window: time, machine, score, score.<channel>, warning, critical, verdict
                 normal/anomalous/learning/invalid/shed, event, episode, value.<channel>) and
                 ${OUT_FILES.metrics} (vigil.replay-report/1: metrics, evaluation, NAB, counters)
  --out F.jsonl  the alerts only, to that file; without --out the alerts go to stdout
  --report F.html  one self-contained HTML page (no network needed to view it): per machine the
                 score with its thresholds and per channel the signal and its score, labelled
                 anomalies shaded, alerts marked, one zoomable time axis; the metrics; the model and
                 configuration. --report F.json writes the vigil.replay-report/1 document instead.
A summary goes to stderr, with a progress bar on a terminal (a line per 10% otherwise).

Evaluation, when the log has labels (an anomaly, is_anomaly or label column, the simulator's labels,
or --labels windows) (${EVALUATION_METHOD}: Vigil's own measures, sample level; NOT SKAB's
changepoint score):
${definitions}
NAB score, when labels are windows (--labels): NAB's own procedure (models/eval/nab), three profiles,
normalised (100 perfect, 0 the null detector), one NAB data file per machine. ${NAB_MAPPING}.

Exit code 0 when the replay ran (whatever it found), 2 for a bad argument, config, model, labels or
log. Bad lines in the log are counted and shown, never fatal.`;

function speedOption(value: string): number | 'max' {
  if (value.trim().toLowerCase() === 'max') return 'max';
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !(n > 0)) throw new InvalidArgumentError("expected 'max' or a number > 0 (times real time)");
  return n;
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('replay a recorded log through the pipeline in event time: alerts, per-sample decisions, metrics against labels, and an HTML report')
    .argument('[log]', 'the recorded log: .csv or .jsonl')
    .option('--data <log>', 'the recorded log (the same as LOG)')
    .option('--model <file>', 'the model file (vigil train makes one); default the config\'s model.path')
    .option('-c, --config <file>', 'config file, YAML or JSON, as for vigil run (default: the defaults)')
    .option('--labels <file>', 'anomaly windows instead of the log\'s label columns: NAB\'s labels/combined_windows.json, or {"<machine>": [[start, end], ...]}')
    .addOption(new Option('--speed <max|N>', 'as fast as possible, or N times real time (paced by event time)').argParser(speedOption).default('max'))
    .option('--out <dir>', `write ${OUT_FILES.alerts}, ${OUT_FILES.scores} and ${OUT_FILES.metrics} into this directory (a .jsonl path: the alerts only); default: alerts to stdout`)
    .option('--report <file>', 'write the report: an .html page, or the .json document')
    .option('--report-points <n>', 'HTML report: points per machine before long series are drawn as min/max buckets (default 50000)', integerAtLeast(100))
    .option('--no-progress', 'no progress on stderr')
    .addOption(new Option('--learning <mode>', 'online learning during the replay').choices(['off', 'inline']).default('off'))
    .option('--channels <list>', 'comma-separated log columns feeding the model\'s channels, in the model\'s order', (v: string) => v.split(',').map((c) => c.trim()).filter((c) => c !== ''))
    .option('--machine <id>', 'a log without a machine column: its machine id (default: the file name); otherwise replay only this machine')
    .option('--tolerance <seconds>', 'evaluation: how long after a segment starts an episode still detects it (default: one window, windowSize × period)', numberIn(0, Number.MAX_VALUE, 'a number of seconds >= 0'))
    .addHelpText('after', HELP)
    .action(async (log: string | undefined, flags: ReplayFlags) => {
      await replay(log, flags);
    });
}

async function replay(log: string | undefined, flags: ReplayFlags): Promise<void> {
  if (log !== undefined && flags.data !== undefined && log !== flags.data) throw new UsageError(`two logs given (${log} and --data ${flags.data}): give one`);
  const data = log ?? flags.data;
  if (data === undefined) throw new UsageError('no log: vigil replay LOG --model FILE (see vigil replay --help)');
  if (flags.model === undefined && flags.config === undefined) throw new UsageError('no model: give --model FILE, or --config FILE whose model.path names one');
  const plan = await planOutputs(flags.out, flags.report);
  const progress = flags.progress ? createProgress(process.stderr) : null;
  let outputs: ReturnType<typeof openOutputs> | null = null;
  let result: ReplayLogResult;
  try {
    result = await replayLog({
      data, model: flags.model, config: flags.config, learning: flags.learning, channels: flags.channels, machine: flags.machine,
      labels: flags.labels, speed: flags.speed === 'max' ? undefined : flags.speed,
      toleranceMs: flags.tolerance === undefined ? undefined : flags.tolerance * 1000,
      charts: plan.report?.kind === 'html' ? (flags.reportPoints ?? true) : false,
      onStart: (span) => progress?.start(span),
      onProgress: progress ? (t) => progress.update(t) : undefined,
      // Opened once the model and the log have passed their checks: scores.csv names the model's channels.
      onReady: ({ channels, judged }) => {
        outputs = openOutputs(plan, channels, judged);
        return { onAlert: outputs.onAlert, onScored: outputs.onScored };
      },
    });
  } finally {
    await (outputs as ReturnType<typeof openOutputs> | null)?.close();
  }
  progress?.done();
  const { report, notes, badLines } = result;
  const lines = summaryLines(report, notes, plan.alerts ?? 'stdout');
  if (badLines.length) lines.push('  bad lines (first ones):', ...badLines.map((b) => `    line ${b.line}: ${b.reason}: ${b.detail}`));
  const metrics = await outputs!.writeMetrics(report);
  if (plan.dir !== null) lines.push(`  outputs:   ${plan.dir}: ${OUT_FILES.alerts}, ${OUT_FILES.scores}, ${metrics ? OUT_FILES.metrics : ''}`);
  if (plan.report?.kind === 'json') await writeFile(plan.report.path, `${JSON.stringify(report, null, 2)}\n`);
  if (plan.report?.kind === 'html') await writeFile(plan.report.path, renderReportHtml({ report, charts: result.charts!, config: result.config, notes }));
  if (plan.report) lines.push(`  report:    ${plan.report.path}`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
