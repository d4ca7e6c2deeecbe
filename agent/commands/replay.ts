// vigil replay --data LOG --model FILE: runs a recorded log through the live pipeline (the same
// stages, built from the same configuration as `vigil run`) in event time, and says what the agent
// would have alerted: the vigil.alert/1 payloads as JSONL (stdout or --out), a summary on stderr,
// and with --report a JSON report that, when the log has labels, evaluates the alert episodes
// against them. The same log, model and config give byte-identical alerts on every run.
// The work is in agent/replay/replay-log.ts (settings, model, a scan of the log, the pipeline, the
// report); this file parses the flags and writes the outputs.
// Exit codes: 0 done (whatever the alerts), 2 a bad argument, config, model file or log; bad
// lines inside a log are counted and reported, never fatal.

import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { EVALUATION_METHOD } from '../replay/evaluate-episodes.js';
import { type ReplayLogResult, replayLog } from '../replay/replay-log.js';
import { summaryLines } from '../replay/replay-report.js';
import type { LearningMode } from '../replay/run-replay.js';
import { alertPayload } from '../sink/alert-sink.js';
import { UsageError, numberIn } from './errors.js';

interface ReplayFlags {
  data: string;
  model: string;
  config?: string;
  out?: string;
  report?: string;
  learning: LearningMode;
  channels?: string[];
  machine?: string;
  tolerance?: number;
}

const HELP = `
The log: CSV (NAB timestamp,value; SKAB datetime;...;anomaly;changepoint; \`vigil simulate --out\`
logs with a machine column) or JSONL (recorded wire messages, \`vigil simulate --out x.jsonl\`), read
as \`vigil train\` reads it. The model's channels name the log columns it takes (--channels maps
other columns onto them, in the model's order); a log without them is an error listing both.
Settings come from --config (as for \`vigil run\`, with VIGIL_* overrides; broker sections are
ignored): sampling, windows, scoring, decision, payload, topics, limits, learning. Without a
configured sampling.periodMs the period is the log's median timestamp step (NAB: 5 min, SKAB: 1 s),
and tolerance, hold and gap settings scale with it; the summary says so.
Event time only: a clock set from each message's event time, no intake queue, nothing shed; online
learning is off unless --learning inline (deterministic, and never saved).

Output: one vigil.alert/1 payload per line, in order (--out FILE, else stdout); a summary on stderr;
--report FILE writes vigil.replay-report/1 JSON: per machine and in total, windows scored (samples
in stream mode), alert events and episodes, the pipeline's counters, and when the log has labels
(an anomaly, is_anomaly or label column, or the simulator's labels) an evaluation.

Evaluation (${EVALUATION_METHOD}: Vigil's own episode measures, NOT the NAB score nor SKAB's metrics):
  episode        one alert episode: [raised time, cleared time); never cleared → to the end of the log
  sample         one labelled row of the log; anomalous when its anomaly label is not 0
                 (changepoint, fault and drift columns are not anomaly labels)
  segment        a maximal run of consecutive anomalous samples of one machine, first to last time
  detected       an episode of that machine overlaps the segment, or starts within --tolerance
                 after the segment's start
  delay          the detecting episode's raise time − the segment's start (the earliest episode;
                 negative when it was already open at the start)
  false alarm    an episode that detects no segment
  sample P/R/F1  "an episode is open at the sample's time" against its label, over labelled samples:
                 precision TP/(TP+FP), recall TP/(TP+FN), F1 their harmonic mean; n/a when 0/0
Totals sum the machines (delays pooled; P/R/F1 from the summed counts).

Exit code 0 when the replay ran (whatever it found), 2 for a bad argument, config, model or log.
Bad lines in the log are counted and shown, never fatal.`;

export function replayCommand(): Command {
  return new Command('replay')
    .description('replay a recorded log through the pipeline in event time: alerts as JSONL, a summary, and an evaluation against labels')
    .requiredOption('--data <log>', 'the recorded log: .csv or .jsonl')
    .requiredOption('--model <file>', 'the model file (vigil train makes one)')
    .option('-c, --config <file>', 'config file, YAML or JSON, as for vigil run (default: the defaults)')
    .option('--out <file>', 'write the alerts here, one vigil.alert/1 JSON per line (default: stdout)')
    .option('--report <file>', 'write the vigil.replay-report/1 JSON report here')
    .addOption(new Option('--learning <mode>', 'online learning during the replay').choices(['off', 'inline']).default('off'))
    .option('--channels <list>', 'comma-separated log columns feeding the model\'s channels, in the model\'s order', (v: string) => v.split(',').map((c) => c.trim()).filter((c) => c !== ''))
    .option('--machine <id>', 'a log without a machine column: its machine id (default: the file name); otherwise replay only this machine')
    .option('--tolerance <seconds>', 'evaluation: how long after a segment starts an episode still detects it (default: one window, windowSize × period)', numberIn(0, Number.MAX_VALUE, 'a number of seconds >= 0'))
    .addHelpText('after', HELP)
    .action(async (flags: ReplayFlags) => {
      await replay(flags);
    });
}

async function replay(flags: ReplayFlags): Promise<void> {
  for (const [flag, path] of [['--out', flags.out], ['--report', flags.report]] as const) {
    if (path === undefined) continue;
    await access(dirname(path), constants.W_OK).catch(() => {
      throw new UsageError(`${flag} ${path}: the directory ${dirname(path)} does not exist or is not writable`);
    });
  }
  const out: WriteStream | NodeJS.WriteStream = flags.out === undefined ? process.stdout : createWriteStream(flags.out, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  let result: ReplayLogResult;
  try {
    result = await replayLog({
      data: flags.data, model: flags.model, config: flags.config, learning: flags.learning, channels: flags.channels, machine: flags.machine,
      toleranceMs: flags.tolerance === undefined ? undefined : flags.tolerance * 1000,
      onAlert: (alert) => void out.write(`${alertPayload(alert)}\n`),
    });
  } finally {
    if (flags.out !== undefined) await Promise.race([new Promise<void>((r) => (out as WriteStream).end(() => r())), failed]);
  }
  const { report, notes, badLines } = result;
  const lines = summaryLines(report, notes, flags.out ?? 'stdout');
  if (badLines.length) lines.push('  bad lines (first ones):', ...badLines.map((b) => `    line ${b.line}: ${b.reason}: ${b.detail}`));
  if (flags.report !== undefined) {
    await writeFile(flags.report, `${JSON.stringify(report, null, 2)}\n`);
    lines.push(`  report:    ${flags.report}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}
