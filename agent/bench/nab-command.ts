// vigil bench nab: the Numenta Anomaly Benchmark on Vigil's streaming detectors, by NAB's rules
// (benchmarks.md §1): every file in one causal pass, one configuration for the whole corpus, the
// probationary rows (min(15 %, 750)) for learning only; NAB's own scoring (corpus-wide threshold
// per profile, normalised scores) printed beside the published scoreboard. --out DIR writes NAB's
// results layout (DIR/<detector>/<category>/<detector>_<file>.csv) and DIR/<detector>/summary.json.
// Progress goes to stderr, the table to stdout.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { UsageError, integerAtLeast } from '../commands/errors.js';
import { NAB_DETECTOR_NAMES, NAB_DETECTORS, type NabDetectorConfig, type NabDetectorName } from './nab-config.js';
import { nabNormalized, nabTable } from './nab-report.js';
import { writeNabResults } from './nab-results.js';
import { runNab } from './nab-run.js';

interface NabFlags {
  data: string;
  detector: NabDetectorName;
  out?: string;
  name?: string;
  set: string[];
  seed?: number;
  jobs: number;
  files?: string[];
}

const HELP = `
Rules (benchmarks.md §1): each file is read once, in order; nothing is tuned per file. The first
min(floor(0.15·n), 750) rows are NAB's probation: the detector fits on them (input statistics,
weights, the likelihood's history) and NAB never scores them. After that every row is scored from
the rows before it, and the detector keeps learning, only from rows it did not flag.
Scores: NAB's scorer (models/eval/nab), threshold optimised over the corpus per profile.

Detectors (agent/bench/nab-config.ts): ${NAB_DETECTOR_NAMES.join(', ')}.
--set KEY=VALUE changes one setting of the chosen detector for the whole corpus (repeatable):
top-level keys (rawScale=4, spatial=null, restFraction=0.2), likelihood.KEY, members.I.KEY
(members.0.hidden=32, members.0.inputs=["lag","diff"]). Values are JSON.`;

export function nabBenchCommand(): Command {
  return new Command('nab')
    .description('NAB: 58 series, one causal pass each, scored by NAB\'s own procedure beside the scoreboard')
    .requiredOption('--data <dir>', 'the NAB root (data/ and labels/combined_windows.json), e.g. ../shared/datasets/nab')
    .addOption(new Option('--detector <name>', 'the configuration to run').choices(NAB_DETECTOR_NAMES).default('ensemble'))
    .option('--out <dir>', 'write NAB\'s results layout and summary.json under this directory')
    .option('--name <name>', 'the detector name in results files (default: the configuration\'s; no \'_\')')
    .option('--set <key=value>', 'override one setting for the whole corpus (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--seed <n>', 'base seed of every weight initialisation', integerAtLeast(0))
    .option('--jobs <n>', 'worker threads running files in parallel (same numbers for any value)', integerAtLeast(1), 2)
    .option('--files <list>', 'only these files (relPath substrings, comma-separated): a quick try, not NAB\'s score', (v: string) => v.split(',').map((f) => f.trim()).filter((f) => f !== ''))
    .addHelpText('after', HELP)
    .action(async (flags: NabFlags) => {
      await benchNab(flags);
    });
}

export function nabConfigFromFlags(flags: Pick<NabFlags, 'detector' | 'name' | 'set' | 'seed'>): NabDetectorConfig {
  let config: NabDetectorConfig = structuredClone(NAB_DETECTORS[flags.detector]) as NabDetectorConfig;
  for (const kv of flags.set) config = applySetting(config, kv);
  if (flags.seed !== undefined) config = { ...config, seed: flags.seed };
  if (flags.name !== undefined) config = { ...config, name: flags.name };
  if (!/^[A-Za-z0-9-]+$/.test(config.name)) throw new UsageError(`--name ${config.name}: NAB detector names are letters, digits and '-' (NAB cuts the name at the first '_')`);
  return config;
}

function applySetting(config: NabDetectorConfig, kv: string): NabDetectorConfig {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${kv}: expected KEY=VALUE, e.g. --set rawScale=3`);
  const path = kv.slice(0, eq).split('.');
  let value: unknown;
  try {
    value = JSON.parse(kv.slice(eq + 1));
  } catch {
    throw new UsageError(`--set ${kv}: the value must be JSON (a number, true/false, null, ["lag"])`);
  }
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const [i, key] of path.entries()) {
    if (!(key in at)) throw new UsageError(`--set ${kv}: '${path.slice(0, i + 1).join('.')}' is not a setting of ${config.name}; the settings are ${Object.keys(at).join(', ')}`);
    if (i === path.length - 1) {
      const old = at[key];
      if (old !== null && value !== null && typeof old !== typeof value) throw new UsageError(`--set ${kv}: '${path.join('.')}' is a ${typeof old}, got ${JSON.stringify(value)}`);
      at[key] = value;
    } else {
      at = at[key] as Record<string, unknown>;
      if (typeof at !== 'object' || at === null) throw new UsageError(`--set ${kv}: '${path.slice(0, i + 1).join('.')}' has no sub-settings`);
    }
  }
  return copy as unknown as NabDetectorConfig;
}

async function benchNab(flags: NabFlags): Promise<void> {
  const config = nabConfigFromFlags(flags);
  const only = flags.files && ((relPath: string) => flags.files!.some((f) => relPath.includes(f)));
  const result = await runNab(config, {
    data: flags.data,
    only,
    jobs: flags.jobs,
    onFile: (run, done, total) => process.stderr.write(`  [${config.name}] ${done}/${total} ${run.relPath}: ${run.scores.length} rows, ${(run.ms / 1000).toFixed(1)} s\n`),
  });
  const label = `Vigil ${config.name}${flags.files ? ` (${result.files.length} files only: not NAB's score)` : ''}`;
  const table = nabTable(result, label);
  process.stdout.write(table);
  if (flags.out !== undefined) {
    const folder = await writeNabResults(flags.out, config.name, result.files, result.runs);
    await mkdir(folder, { recursive: true });
    const [standard, lowFP, lowFN] = nabNormalized(result);
    const summary = {
      benchmark: 'NAB', command: `vigil bench ${process.argv.slice(3).join(' ')}`, detector: config.name, config,
      normalized: { standard, reward_low_FP_rate: lowFP, reward_low_FN_rate: lowFN },
      thresholds: Object.fromEntries(Object.entries(result.score.profiles).map(([k, p]) => [k, p.threshold])),
      seconds: result.ms / 1000, files: result.files.length,
    };
    await writeFile(join(folder, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
    process.stderr.write(`  results: ${folder}\n`);
  }
}
