// vigil bench skab: the SKAB benchmark (v0.9, the 34 anomalous files) on Vigil's detectors, by
// the protocol of benchmarks.md §2: per file, fit on the first 400 rows (scaler, weights, UCL
// from training residuals only), predict the rest, score with SKAB's official metrics; print the
// result beside the published leaderboard. --out DIR also writes results.json (metrics, per-file
// predictions and fit reports) and table.md. Progress goes to stderr, the table to stdout.
// A full run fits 34 models per mode: minutes, not seconds (--jobs spreads files over threads).

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError, integerAtLeast } from '../commands/errors.js';
import { type Alignment, SKAB_DETECTORS, type SkabConfig, type SkabDetectorName, type SkabProfile, skabConfig } from './skab-config.js';
import type { SkabMode } from './skab-protocol.js';
import { runLabel, skabTable } from './skab-report.js';
import { runSkab, type SkabRunResult } from './skab-run.js';

interface SkabFlags {
  data: string;
  detector?: SkabDetectorName;
  profile: SkabProfile;
  mode: SkabMode | 'both';
  alignment?: Alignment;
  decision?: 'threshold' | 'decider';
  smoothing?: number;
  files?: string[];
  epochs?: number;
  seed: number;
  jobs: number;
  out?: string;
}

const HELP = `
Protocol (benchmarks.md §2.2): train = the first 400 rows of each file, test = the rest. Each file
gets its own models, fitted on its training rows only: scaler, weights, and the threshold (UCL =
a quantile of the residuals on all training windows × a factor). Test labels are read only to score.

Modes:
  frozen      the trained models score the test part, nothing learned afterwards (the protocol)
  streaming   the test rows in order, through the live decider; windows it judges normal train
              the models online (the live agent's learner, inline), changing later scores
  both        one after the other (default)

Alignment (window → row):
  causal      one window per test row, ending at it; the first rows' windows reach back into the
              training rows (features only). Every row is judged from its past, as live.
  skab        SKAB's: windows over test rows only; an autoencoder's row i is flagged when windows
              i−N+1 … i−1 all exceed the UCL (the notebooks' off-by-one kept), so its first N−1 and
              last 2N−2 rows are never flagged; a forecaster's first lookback rows get no prediction.

Profiles: skab (the notes' model specs, SKAB residual Σ|e|, SKAB alignment: for comparison with the
leaderboard) and vigil (causal). --detector vigil --profile vigil (the defaults) is the configuration
Vigil ships for SKAB (skab-config.ts: a row autoencoder on partly differenced channels, smoothed
normalised residuals, the live decider), chosen on the valve1 and valve2 files only, so
--files other is a held-out check. Metrics: F1/FAR/MAR micro-averaged
over rows; changepoints = both edges of the predicted mask, 60 s right windows, NAB-on-SKAB
(standard, LowFP, LowFN), missed CPs, FPs, ADD (mean detection delay, seconds).`;

export function skabBenchCommand(): Command {
  return new Command('skab')
    .description('SKAB: per-file fit on the first 400 rows, outlier (F1/FAR/MAR) and changepoint (NAB, ADD) metrics on the rest')
    .requiredOption('--data <dir>', 'the SKAB dataset (its root, e.g. ../shared/datasets/skab, or its data/ directory)')
    .addOption(new Option('--detector <name>', 'what to run (default: vigil, Vigil\'s configuration; with --profile skab: conv-ae)').choices(SKAB_DETECTORS))
    .addOption(new Option('--profile <name>', 'skab: the notes\' specs; vigil: Vigil\'s configuration').choices(['skab', 'vigil']).default('vigil'))
    .addOption(new Option('--mode <mode>', 'frozen, streaming or both').choices(['frozen', 'streaming', 'both']).default('both'))
    .addOption(new Option('--alignment <a>', 'window → row alignment (default: the profile\'s)').choices(['causal', 'skab']))
    .addOption(new Option('--decision <d>', 'frozen runs: plain threshold or the live decider (default: the profile\'s)').choices(['threshold', 'decider']))
    .option('--smoothing <rows>', 'trailing mean of the score over this many rows (default: the profile\'s)', integerAtLeast(1))
    .option('--files <list>', 'only these files or groups, comma-separated (valve1/0,other/2 or valve1,valve2,...)', (v: string) => v.split(',').map((f) => f.trim()).filter((f) => f !== ''))
    .option('--epochs <n>', 'cap the training epochs (quick tries; the profiles give the real number)', integerAtLeast(1))
    .option('--seed <n>', 'seed of every weight initialisation and shuffle', integerAtLeast(0), 0)
    .option('--jobs <n>', 'worker threads running files in parallel (same results for any value)', integerAtLeast(1), 1)
    .option('--out <dir>', 'also write results.json and table.md here')
    .addHelpText('after', HELP)
    .action(async (flags: SkabFlags) => {
      await benchSkab(flags);
    });
}

export function configFromFlags(flags: Pick<SkabFlags, 'detector' | 'profile' | 'alignment' | 'decision' | 'smoothing'>): SkabConfig {
  const detector = flags.detector ?? (flags.profile === 'skab' ? 'conv-ae' : 'vigil');
  if (detector === 'vigil' && flags.profile === 'skab') {
    throw new UsageError(`--detector vigil is Vigil's own configuration and has no SKAB-spec profile; use --profile vigil, or --detector ${SKAB_DETECTORS.filter((d) => d !== 'vigil').join('|')} with --profile skab`);
  }
  const base = skabConfig(detector, flags.profile);
  return {
    ...base,
    ...(flags.alignment && { alignment: flags.alignment }),
    ...(flags.decision && { decision: flags.decision }),
    ...(flags.smoothing !== undefined && { smoothing: flags.smoothing }),
  };
}

async function benchSkab(flags: SkabFlags): Promise<void> {
  const config = configFromFlags(flags);
  const modes: SkabMode[] = flags.mode === 'both' ? ['frozen', 'streaming'] : [flags.mode];
  if (modes.includes('streaming') && config.alignment !== 'causal') {
    throw new UsageError(`--mode streaming runs causal windows (the live agent cannot look ahead); use --alignment causal or --mode frozen`);
  }
  if (config.alignment === 'skab' && config.members.length > 1) throw new UsageError('--alignment skab takes one detector; the ensemble runs causal');
  if (flags.out !== undefined) await mkdir(flags.out, { recursive: true });
  const results: SkabRunResult[] = [];
  for (const mode of modes) {
    const label = `${config.name}, ${mode}`;
    const result = await runSkab(config, mode, {
      data: flags.data, files: flags.files, jobs: flags.jobs, seed: flags.seed, epochs: flags.epochs,
      onFile: (run, done, total) => process.stderr.write(`  [${label}] ${done}/${total} ${run.name}: ${run.members.map((m) => `${m.architecture} ${m.epochs} epochs`).join(', ')}, ${(run.ms / 1000).toFixed(1)} s\n`),
    });
    process.stderr.write(`  ${runLabel(result)}: done in ${(result.ms / 1000).toFixed(0)} s\n`);
    results.push(result);
  }
  const table = skabTable(results);
  process.stdout.write(table);
  if (flags.out !== undefined) {
    await writeFile(join(flags.out, 'table.md'), table);
    const json = results.map((r) => ({
      label: runLabel(r), config: r.config, mode: r.mode, seconds: r.ms / 1000,
      outlier: r.evaluation.outlier, changepoint: r.evaluation.changepoint,
      files: r.runs.map((run, i) => ({ ...run, confusion: r.evaluation.files[i].confusion, changepoints: r.evaluation.files[i].match })),
    }));
    await writeFile(join(flags.out, 'results.json'), `${JSON.stringify({ benchmark: 'SKAB v0.9', command: process.argv.slice(2).join(' '), runs: json }, null, 1)}\n`);
  }
}
