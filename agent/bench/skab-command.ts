// vigil bench skab: the SKAB benchmark (v0.9, 34 anomalous files) on Vigil's detectors.
// Work in progress: for now it loads the corpus and prints what the protocol will evaluate.

import { Command } from 'commander';
import { UsageError } from '../commands/errors.js';
import { loadSkab } from './skab-data.js';

interface SkabFlags {
  data: string;
  files?: string[];
}

export function skabBenchCommand(): Command {
  return new Command('skab')
    .description('SKAB: per-file fit on the first 400 rows, outlier (F1/FAR/MAR) and changepoint (NAB, ADD) metrics on the rest')
    .requiredOption('--data <dir>', 'the SKAB dataset (its root, e.g. ../shared/datasets/skab, or its data/ directory)')
    .option('--files <list>', 'only these files, comma-separated (valve1/0,other/2,...)', (v: string) => v.split(',').map((f) => f.trim()).filter((f) => f !== ''))
    .action(async (flags: SkabFlags) => {
      const files = await loadSkab(flags.data, flags.files).catch((err: Error) => {
        throw new UsageError(err.message);
      });
      const rows = files.reduce((s, f) => s + f.train.rows + f.test.rows, 0);
      const test = files.reduce((s, f) => s + f.test.rows, 0);
      const anomalous = files.reduce((s, f) => s + f.test.anomaly.reduce((a, b) => a + b, 0), 0);
      const cps = files.reduce((s, f) => s + f.test.changepoint.reduce((a, b) => a + b, 0), 0);
      process.stdout.write(`SKAB: ${files.length} files, ${rows} rows; test ${test} rows, ${anomalous} anomalous, ${cps} changepoints\n`);
    });
}
