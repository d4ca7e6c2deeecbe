// vigil train --data LOG --model ARCH --out FILE: fits a detector on a recorded log and saves it.
// The log is read by agent/source/log-samples.ts (formats in the help text below): per machine,
// split at time gaps and around rows labelled anomalous, so the detector learns normal behaviour.
// Progress goes to stderr (a redrawn bar on a terminal, else one line per epoch) with the
// validation loss per epoch; the summary goes to stdout. Ctrl-C stops after the current batch and
// still saves the best weights so far; a second Ctrl-C quits.

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { type BuiltArchitecture, DEFAULT_WINDOW_SIZE, createDetector } from '../../models/create-detector.js';
import type { DetectorFitReport } from '../../models/detector.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { saveModel, statePath } from '../../models/persistence/index.js';
import { type LogSamples, loadLogSamples } from '../source/log-samples.js';
import { UsageError, integerAtLeast, numberIn } from './errors.js';

const ARCHITECTURES: readonly BuiltArchitecture[] = ['lstm-forecaster', 'dense-ae', 'lstm-ae', 'conv-ae'];

interface TrainOptions {
  data: string;
  model: BuiltArchitecture;
  out: string;
  channels?: string[];
  window: number;
  horizon?: number;
  epochs: number;
  batchSize: number;
  lr: number;
  validationSplit: number;
  stride: number;
  patience: number;
  seed: number;
  name?: string;
  machineColumn?: string;
  maxGap?: number;
}

const FORMATS_HELP = `
Log formats:
  CSV    a header, then one row per instant; ',' ';' or tab separated (detected from the header).
         Time: the column named timestamp, datetime, time, ts or date (else the first column), as
         a date-time ("2020-02-08 13:30:47", no zone = UTC) or epoch seconds/milliseconds.
         An optional "machine" column (or --machine-column) splits the log per machine.
         Every other column is a channel, except label columns anomaly, changepoint, label and
         is_anomaly. Channel names are made topic-safe as live data is ("Volume Flow RateRMS"
         becomes Volume_Flow_RateRMS).
           NAB:   timestamp,value
           SKAB:  datetime;Accelerometer1RMS;...;Volume Flow RateRMS;anomaly;changepoint
  JSONL  (.jsonl / .ndjson) one sample per line:
           {"ts": "2024-01-01T00:00:00Z", "machine": "pump-1", "values": {"temp": 71.2, "flow": 40.1}}
         "machine" is optional; "labels": {"anomaly": 1} marks an anomalous sample.
Each machine's samples are sorted by time and cut into runs at time gaps (wider than --max-gap
seconds, default 5 × the median sampling interval) and around rows labelled anomalous (label ≠ 0):
the detector is trained on normal data only. Rows with an unreadable time, a NaN or non-numeric
value or a missing channel are counted, reported and skipped.
For lstm-forecaster, --window is lookback + horizon (the samples one scored window spans).`;

export function trainCommand(): Command {
  return new Command('train')
    .description('train a detector on a recorded log (CSV or JSONL) and save it as a model file')
    .requiredOption('--data <log>', 'the recorded log: .csv or .jsonl (formats below)')
    .addOption(new Option('--model <architecture>', 'what to train').choices(ARCHITECTURES).makeOptionMandatory())
    .requiredOption('--out <file>', 'the model file to write (FILE.state gets the optimizer state)')
    .option('--channels <list>', 'comma-separated channels to use, in order (default: all but labels)', (v: string) => v.split(',').map((c) => c.trim()).filter((c) => c !== ''))
    .option('--window <n>', 'samples per window', integerAtLeast(2), DEFAULT_WINDOW_SIZE)
    .option('--horizon <n>', 'lstm-forecaster: samples predicted at the end of the window (default 1)', integerAtLeast(1))
    .option('--epochs <n>', 'training epochs', integerAtLeast(1), 20)
    .option('--batch-size <n>', 'windows per training batch', integerAtLeast(1), 32)
    .option('--lr <x>', 'training learning rate (Adam)', numberIn(Number.MIN_VALUE, 10, 'a number > 0'), 1e-3)
    .option('--validation-split <x>', 'fraction of windows (the last ones) held out for validation and calibration', numberIn(0, 0.95, 'a number in [0, 0.95]'), 0.2)
    .option('--stride <n>', 'step between training windows', integerAtLeast(1), 1)
    .option('--patience <n>', 'stop after this many epochs without validation improvement', integerAtLeast(1), 5)
    .option('--seed <n>', 'seed of weight initialisation and shuffling', integerAtLeast(0), 0)
    .option('--name <name>', 'model name (default: the architecture)')
    .option('--machine-column <column>', 'CSV: the column naming the machine')
    .option('--max-gap <seconds>', 'split series where samples are further apart than this', numberIn(Number.MIN_VALUE, Number.MAX_VALUE, 'a number of seconds > 0'))
    .addHelpText('after', FORMATS_HELP)
    .action(async (opts: TrainOptions) => {
      await train(opts);
    });
}

async function train(opts: TrainOptions): Promise<void> {
  const stderr = process.stderr;
  if (opts.horizon !== undefined && opts.model !== 'lstm-forecaster') throw new UsageError(`--horizon is for lstm-forecaster; ${opts.model} reconstructs whole windows`);
  // Fail before a long training run, not after it.
  await access(dirname(opts.out), constants.W_OK).catch(() => {
    throw new UsageError(`--out ${opts.out}: the directory ${dirname(opts.out)} does not exist or is not writable`);
  });
  let samples: LogSamples;
  try {
    samples = await loadLogSamples(opts.data, { channels: opts.channels, machineColumn: opts.machineColumn, maxGapMs: opts.maxGap === undefined ? undefined : opts.maxGap * 1000 });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  reportData(samples);
  const longest = Math.max(0, ...samples.series.map((s) => s.length));
  if (longest < opts.window) {
    throw new UsageError(`${opts.data}: no run of ${opts.window} consecutive normal samples to make a window from (the longest has ${longest}); lower --window, or check the gaps and labels reported above`);
  }
  let detector: GraphDetector;
  try {
    const horizon = opts.model === 'lstm-forecaster' ? opts.horizon ?? 1 : undefined;
    detector = createDetector(opts.model, { channels: samples.channels, windowSize: opts.window, horizon, seed: opts.seed, name: opts.name ?? opts.model });
  } catch (err) {
    throw new UsageError(`--model ${opts.model}: ${(err as Error).message}`);
  }
  const abort = { aborted: false };
  const onSigint = (): void => {
    abort.aborted = true;
    stderr.write('\nstopping after this batch and saving the best weights so far (Ctrl-C again to quit)\n');
  };
  process.once('SIGINT', onSigint);
  const progress = createProgress(opts.epochs);
  let report: DetectorFitReport;
  try {
    report = await detector.fit(samples.series, {
      epochs: opts.epochs, batchSize: opts.batchSize, learningRate: opts.lr, validationSplit: opts.validationSplit,
      stride: opts.stride, patience: opts.patience, seed: opts.seed, signal: abort,
      onBatch: progress.batch, onEpoch: progress.epoch,
    });
  } catch (err) {
    throw new Error(`training failed: ${(err as Error).message}${/finite|NaN/i.test((err as Error).message) ? '; try a lower --lr' : ''}`, { cause: err });
  } finally {
    progress.done();
    process.removeListener('SIGINT', onSigint);
  }
  const parts = detector.parts();
  await saveModel(opts.out, parts);
  const size = (await stat(opts.out)).size;
  const cal = parts.calibration;
  const q = cal ? quantileEntries(cal.quantiles).map(([k, v]) => `${k === '1' ? 'max' : `p${Number(k) * 100}`} ${fmt(v)}`).join(', ') : 'none';
  const lines = [
    `trained ${opts.model} '${parts.meta.name}' version ${parts.meta.version} on ${opts.data}`,
    `  data:        ${samples.used} samples in ${samples.series.length} series (${samples.machines.length} machine${samples.machines.length === 1 ? '' : 's'}), ${samples.channels.length} channels: ${samples.channels.join(', ')}`,
    `  windows:     ${report.windows} of ${parts.meta.windowSize} samples${cal ? ` (${cal.windows} held out for validation and calibration)` : ''}`,
    `  epochs:      ${report.epochs} (${stopText(report.stopReason)})`,
    `  final loss:  train ${fmt(report.trainLoss)}, validation ${report.valLoss === null ? 'n/a' : fmt(report.valLoss)}`,
    `  calibration: ${q}`,
    `  saved:       ${opts.out} (${size.toLocaleString('en-US')} bytes)${parts.optimizer ? `, optimizer state ${statePath(opts.out)}` : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function reportData(s: LogSamples): void {
  const out = process.stderr;
  out.write(`${s.path}: ${s.rows} rows, ${s.channels.length} channels, ${s.machines.length} machine${s.machines.length === 1 ? '' : 's'} → ${s.series.length} series\n`);
  if (s.skipped > 0) {
    const reasons = Object.entries(s.skippedByReason).map(([r, n]) => `${n} ${r}`).join(', ');
    out.write(`warning: skipped ${s.skipped} of ${s.rows} rows (${reasons}); first ones:\n`);
    for (const e of s.skippedExamples) out.write(`  line ${e.line}: ${e.reason}: ${e.detail}\n`);
  }
  if (s.labelled > 0) out.write(`note: left out ${s.labelled} rows labelled anomalous (training uses normal data only)\n`);
  if (s.gaps > 0) out.write(`note: split at ${s.gaps} time gap${s.gaps === 1 ? '' : 's'}\n`);
}

function stopText(reason: string): string {
  return ({ completed: 'all epochs', earlyStopping: 'early stopping, best weights kept', aborted: 'stopped by Ctrl-C, best weights kept', nonFinite: 'stopped: the loss became non-finite; try a lower --lr' } as Record<string, string>)[reason] ?? reason;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x);
}

interface Progress {
  batch(log: { epoch: number; batch: number; batches: number; loss: number }): void;
  epoch(log: { epoch: number; epochs: number; loss: number; valLoss?: number }): void;
  done(): void;
}

/** A bar redrawn in place on a terminal; one line per epoch otherwise (logs, CI, pipes). */
function createProgress(epochs: number): Progress {
  const out = process.stderr;
  const tty = out.isTTY === true;
  const width = String(epochs).length;
  let lastVal = '';
  let drawnAt = 0;
  let drawn = false;
  const label = (epoch: number): string => `epoch ${String(epoch + 1).padStart(width)}/${epochs}`;
  return {
    batch({ epoch, batch, batches, loss }) {
      if (!tty) return;
      const now = Date.now();
      if (now - drawnAt < 100 && batch + 1 < batches) return; // at most ten redraws a second
      drawnAt = now;
      const cells = 24;
      const filled = Math.round(((batch + 1) / batches) * cells);
      out.write(`\r${label(epoch)} [${'#'.repeat(filled)}${'.'.repeat(cells - filled)}] ${batch + 1}/${batches} loss ${fmt(loss)}${lastVal}\x1b[K`);
      drawn = true;
    },
    epoch({ epoch, loss, valLoss }) {
      lastVal = valLoss === undefined ? '' : `  val_loss ${fmt(valLoss)}`;
      out.write(`${tty ? '\r' : ''}${label(epoch)}  loss ${fmt(loss)}${valLoss === undefined ? '' : `  val_loss ${fmt(valLoss)}`}${tty ? '\x1b[K' : ''}\n`);
      drawn = false;
    },
    done() {
      if (tty && drawn) out.write('\n');
    },
  };
}

/** Quantiles in increasing order (an object lists '1' before '0.5'). */
function quantileEntries(q: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(q).sort((a, b) => Number(a[0]) - Number(b[0]));
}
