// Where the demo's agent logs, so stdout stays a readable story: every JSON line goes to a file
// (<state dir>/vigil.log, rewritten at each run), and errors also get one short line on stderr
// pointing at it. The file is written asynchronously and flushed at exit (pino's file destination).

import pino from 'pino';
import { createLogger, type Logger } from '../runtime/logger.js';

export interface DemoLog {
  readonly logger: Logger;
  readonly file: string;
}

export function openDemoLog(file: string, stderr: NodeJS.WritableStream = process.stderr): DemoLog {
  const errors = {
    write(line: string): void {
      let o: { msg?: string; err?: unknown };
      try {
        o = JSON.parse(line) as typeof o;
      } catch {
        o = { msg: line.trim() };
      }
      const err = typeof o.err === 'string' ? `: ${o.err}` : '';
      stderr.write(`vigil demo: error: ${o.msg ?? 'see the log'}${err} (details in ${file})\n`);
    },
  };
  const destination = pino.multistream([
    { level: 'info', stream: pino.destination({ dest: file, append: false, mkdir: true, sync: false }) },
    { level: 'error', stream: errors },
  ]);
  return { logger: createLogger({ level: 'info', pretty: false, destination }), file };
}
