// A real pino logger at debug level whose every line is kept in memory, so tests can read what the
// link logged (and prove what it never logs).
import { pino, type Logger } from 'pino';

export interface CapturedLogs {
  readonly logger: Logger;
  readonly lines: string[];
  /** Parsed records whose msg equals `msg`. */
  find(msg: string): Record<string, unknown>[];
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return {
    logger,
    lines,
    find: (msg) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.msg === msg),
  };
}

/** Polls until `check` is true; fails naming what it waited for instead of hanging. */
export async function waitFor(what: string, check: () => boolean, boundMs = 30_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
