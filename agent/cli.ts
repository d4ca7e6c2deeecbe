#!/usr/bin/env node
// vigil: the command-line entry point (the package's bin, dist/agent/cli.js). Each command lives
// in agent/commands/<name>.ts and exports a factory returning a commander Command; adding one is
// one line in COMMANDS. Exit codes are agent/commands/errors.ts's: 0 done, 1 unexpected, 2 bad input.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from './commands/errors.js';
import { benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { inspectCommand } from './commands/inspect.js';
import { keygenCommand } from './commands/keygen.js';
import { predictCommand } from './commands/predict.js';
import { replayCommand } from './commands/replay.js';
import { configCommand, runCommand } from './commands/run.js';
import { signCommand } from './commands/sign.js';
import { simulateCommand } from './commands/simulate.js';
import { trainCommand } from './commands/train.js';

const COMMANDS: readonly (() => Command)[] = [
  demoCommand,
  runCommand,
  configCommand,
  trainCommand,
  predictCommand,
  replayCommand,
  inspectCommand,
  exportCommand,
  signCommand,
  keygenCommand,
  simulateCommand,
  benchCommand,
  evalCommand,
];

/** The package version, from the nearest package.json above this file (agent/ in source, dist/agent/ built). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 4; dir = dirname(dir), i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vigil' && pkg.version) return pkg.version;
    } catch {
      // not here: look one level up
    }
  }
  return 'unknown';
}

function createProgram(): Command {
  const hint = '(add --help for usage)';
  const program = new Command('vigil')
    .description('Vigil: predictive-maintenance anomaly detection at the edge')
    .version(packageVersion())
    .showHelpAfterError(hint)
    .exitOverride();
  // addCommand does not pass settings down, so each command gets them here.
  for (const make of COMMANDS) program.addCommand(make().showHelpAfterError(hint).exitOverride());
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message; help and version are not failures.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const code = exitCodeFor(err);
    const detail = process.env.VIGIL_DEBUG && err instanceof Error && err.stack ? err.stack : err instanceof Error ? err.message : String(err);
    process.stderr.write(`vigil: ${detail}\n`);
    return code;
  }
}

process.exitCode = await main(process.argv);
