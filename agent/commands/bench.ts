// vigil bench <suite>: runs a public benchmark's protocol on Vigil's detectors and prints its
// official metrics beside the published leaderboard. Benchmarks are evaluations, not tests: a
// run may take minutes; each suite keeps a fast smoke test of its own under test/agent/bench/.
//
// Adding a suite is ONE line in SUITES below plus its own files agent/bench/<suite>*.ts. The
// suite's entry file exports a factory returning a commander Command named after the suite
// (`new Command('nab')`), whose action runs the whole benchmark; it throws UsageError for bad
// input (exit 2), as every command does. The line imports it in place, so nothing else changes:
//   (await import('../bench/nab-command.js')).nabBenchCommand,
// Subcommands get the CLI's settings here (commander does not pass them down).

import { Command } from 'commander';

const SUITES: readonly (() => Command)[] = [
  (await import('../bench/skab-command.js')).skabBenchCommand,
  (await import('../bench/nab-command.js')).nabBenchCommand,
];

export function benchCommand(): Command {
  const hint = '(add --help for usage)';
  const bench = new Command('bench')
    .description('run a public benchmark (its protocol and official metrics) on Vigil\'s detectors')
    .addHelpText('after', '\nEach suite prints its metrics beside the published leaderboard; `vigil bench <suite> --help` gives its options.');
  for (const make of SUITES) bench.addCommand(make().showHelpAfterError(hint).exitOverride());
  return bench;
}
