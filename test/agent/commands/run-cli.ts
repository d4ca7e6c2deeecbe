// Runs the real entry point as a child process, `tsx agent/cli.ts ...` from the repo root: the
// binary `npx tsx` resolves to, called directly to spare npx's half second per run.

import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], options: { stdin?: string } = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = execFile(join(REPO, 'node_modules', '.bin', 'tsx'), ['agent/cli.ts', ...args], { cwd: REPO, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
    child.stdin?.end(options.stdin ?? '');
  });
}
