// vigil eval <benchmark>: scores a detector's results on a public benchmark the way the benchmark's
// official code does, and prints the scores as JSON.
//   vigil eval nab --results DIR --data DIR --labels FILE [--profiles FILE] [--thresholds FILE]
//                  [--detector NAME] [--verbose]
// The NAB scoring is models/eval/nab (numenta/NAB's sweeper, optimizer and runner); the folders are
// read by agent/eval/nab-files.ts. Exit codes: 0 scored, 2 a bad option, file, row or label (the
// message names the file and line), 1 anything unexpected.

import { Command } from 'commander';
import { NAB_PROFILES, NabInputError, type NabProfileScore, scoreCorpus } from '../../models/eval/nab/index.js';
import {
  findNabResults, readNabData, readNabProfiles, readNabResults, readNabThresholds, readNabWindows,
} from '../eval/nab-files.js';
import { UsageError } from './errors.js';

export interface NabEvalOptions {
  /** A NAB results folder: <category>/<detector>_<file>.csv (or NAB's results root with `detector`). */
  readonly results: string;
  /** NAB's data folder. */
  readonly data: string;
  /** labels/combined_windows.json. */
  readonly labels: string;
  /** config/profiles.json; default NAB's three profiles. */
  readonly profiles?: string;
  /** config/thresholds.json; default: thresholds optimised over the corpus. */
  readonly thresholds?: string;
  readonly detector?: string;
  /** Include the per-file rows (NAB's <detector>_<profile>_scores.csv). */
  readonly verbose?: boolean;
}

export interface NabEvalReport {
  readonly benchmark: 'NAB';
  readonly detector: string;
  /** 'optimized', or the thresholds file the thresholds came from. */
  readonly thresholds: string;
  readonly corpus: { readonly files: number; readonly rows: number; readonly scoredRows: number; readonly windows: number };
  /** Per profile; perFile only with `verbose`. */
  readonly profiles: Readonly<Record<string, Omit<NabProfileScore, 'perFile'> & { perFile?: NabProfileScore['perFile'] }>>;
}

/** Everything `vigil eval nab` does but printing; NabInputError becomes UsageError (exit 2). */
export async function evalNab(opts: NabEvalOptions): Promise<NabEvalReport> {
  try {
    const [data, windows] = await Promise.all([readNabData(opts.data), readNabWindows(opts.labels)]);
    const profiles = opts.profiles === undefined ? undefined : await readNabProfiles(opts.profiles);
    const folder = await findNabResults(opts.results, data, opts.detector);
    const thresholds = opts.thresholds === undefined ? undefined : await readNabThresholds(opts.thresholds, folder.detector, profiles ?? NAB_PROFILES);
    const files = await readNabResults(folder, data);
    const result = scoreCorpus({ files, windows, profiles, thresholds });
    const out: Record<string, NabEvalReport['profiles'][string]> = {};
    for (const [name, p] of Object.entries(result.profiles)) {
      const { perFile, ...totals } = p;
      out[name] = opts.verbose ? { ...totals, perFile } : totals;
    }
    const any = Object.values(result.profiles)[0];
    return {
      benchmark: 'NAB',
      detector: folder.detector,
      thresholds: opts.thresholds ?? 'optimized',
      corpus: {
        files: files.length,
        rows: files.reduce((sum, f) => sum + f.scores.length, 0),
        scoredRows: any ? any.total : 0,
        windows: Object.values(windows).reduce((sum, w) => sum + w.length, 0),
      },
      profiles: out,
    };
  } catch (err) {
    if (err instanceof NabInputError) throw new UsageError(err.message);
    throw err;
  }
}

const NAB_HELP = `
Scores a detector's results the way numenta/NAB's own code does (sweeper.py, optimizer.py,
runner.py): probation (the first 15% of each file, at most 750 rows) never scored; a detection is
a row with anomaly_score >= the threshold; the earliest detection in a window earns the scaled
sigmoid of its position (1 at the first row), a missed window costs fnWeight, a detection outside
costs fpWeight scaled by its distance past the previous window. One threshold per profile for the
whole corpus: from --thresholds (NAB's config/thresholds.json: {detector: {profile: {threshold}}}),
or else the best over the corpus (ties to the highest threshold). normalized = 100·(raw − null) /
(perfect − null): 0 for the null detector, 100 for one detection on the first row of every window.

The results folder is NAB's: <category>/<detector>_<file>.csv for every data file, with an
anomaly_score column in [0, 1] and one row per data row; the detector is the name before the first
'_' (or --detector, which may also pick <DIR>/<detector>/ inside NAB's results root).

Output: JSON with, per profile, threshold, raw, normalized, nullRaw, perfect and the TP/TN/FP/FN row
counts of scored rows; --verbose adds the per-file rows (NAB's <detector>_<profile>_scores.csv).

Example (NAB checked out in ../NAB):
  vigil eval nab --results ../NAB/results/numenta --data ../NAB/data \\
    --labels ../NAB/labels/combined_windows.json --thresholds ../NAB/config/thresholds.json`;

function nabCommand(): Command {
  return new Command('nab')
    .description('score a NAB results folder (Numenta Anomaly Benchmark) as NAB does')
    .requiredOption('--results <dir>', 'the detector\'s results folder: <category>/<detector>_<file>.csv')
    .requiredOption('--data <dir>', 'NAB\'s data folder (<category>/<file>.csv)')
    .requiredOption('--labels <file>', 'NAB\'s labels/combined_windows.json')
    .option('--profiles <file>', 'NAB\'s config/profiles.json (default: standard, reward_low_FP_rate, reward_low_FN_rate)')
    .option('--thresholds <file>', 'NAB\'s config/thresholds.json (default: optimise over the corpus)')
    .option('--detector <name>', 'the detector to score (default: the only one in the folder)')
    .option('--verbose', 'add the per-file rows', false)
    .addHelpText('after', NAB_HELP)
    .action(async (opts: NabEvalOptions) => {
      const report = await evalNab(opts);
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    });
}

export function evalCommand(): Command {
  const hint = '(add --help for usage)';
  return new Command('eval')
    .description('score detector results on a public benchmark as its official code does (nab)')
    // cli.ts sets these on top-level commands only; subcommands need their own.
    .addCommand(nabCommand().showHelpAfterError(hint).exitOverride());
}
