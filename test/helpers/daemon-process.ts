// `vigil run --config FILE` as a child process, for end-to-end tests: the real entry point, from source.
// It runs as `node --import tsx agent/cli.ts run ...`, which is what node_modules/.bin/tsx runs too, minus
// tsx's wrapper process: the wrapper relays SIGTERM but cannot relay SIGKILL, so killing it would leave
// the daemon running as an orphan on the same state directory. Here the PID is the daemon's own.
// stdout is pino JSON, one object per line: every line is parsed and kept (non-JSON lines as { raw }),
// and listeners see each line the moment it arrives (to act at a precise point, e.g. kill right after
// 'alert stored'). An exit hook SIGKILLs daemons a failed test left running.

import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type LogLine = Record<string, unknown> & { readonly msg?: string; readonly level?: string };

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface DaemonProcess {
  readonly pid: number;
  /** Every stdout line so far, parsed. */
  readonly lines: readonly LogLine[];
  stderr(): string;
  /** Lines whose msg is `msg`. */
  find(msg: string): LogLine[];
  /** Calls `listener` for every line from now on; returns an unsubscribe function. */
  onLine(listener: (line: LogLine) => void): () => void;
  /** The first line (already seen or still to come) matching `match`. */
  waitForLine(what: string, match: (line: LogLine) => boolean, boundMs?: number): Promise<LogLine>;
  readonly exited: Promise<DaemonExit>;
  /** Null while running. */
  readonly exit: DaemonExit | null;
  kill(signal: NodeJS.Signals): void;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Environment for the child: VIGIL_* variables of the test runner's shell must not reconfigure it. */
function childEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VIGIL_')) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

export function spawnDaemon(configFile: string, extraArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}): DaemonProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'agent/cli.ts', 'run', '--config', configFile, ...extraArgs], {
    cwd: REPO,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: LogLine[] = [];
  const listeners = new Set<(line: LogLine) => void>();
  let partial = '';
  let stderr = '';
  let exit: DaemonExit | null = null;
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const text of parts) {
      if (text.trim() === '') continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { raw: text };
      }
      lines.push(line);
      for (const l of listeners) l(line);
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<DaemonExit>((done) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      exit = { code, signal };
      done(exit);
    });
  });
  return {
    pid: child.pid!,
    lines,
    stderr: () => stderr,
    find: (msg) => lines.filter((l) => l.msg === msg),
    onLine(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async waitForLine(what, match, boundMs = 90_000) {
      let found: LogLine | undefined;
      await waitFor(what, () => {
        found = lines.find(match);
        if (!found && exit) throw new Error(`daemon exited (${JSON.stringify(exit)}) while waiting for: ${what}\nstderr:\n${stderr}\nlast lines:\n${lines.slice(-20).map((l) => JSON.stringify(l)).join('\n')}`);
        // The CLI reports a failed command as 'vigil: <message>' on stderr just before it returns its exit code.
        if (!found && /^vigil: /m.test(stderr)) throw new Error(`the command failed (${exit ? `exit ${JSON.stringify(exit)}` : 'and the process has not exited'}) while waiting for: ${what}\nstderr:\n${stderr}\nlast lines:\n${lines.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
        return found !== undefined;
      }, { boundMs, detail: () => `last lines:\n${lines.slice(-10).map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${stderr}` });
      return found!;
    },
    exited,
    get exit() {
      return exit;
    },
    kill(signal) {
      if (exit === null) child.kill(signal);
    },
  };
}
