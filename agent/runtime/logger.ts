// Vigil's structured logger: pino, one JSON object per line on stdout (for journald, Loki, ELK),
// or human-readable lines via pino-pretty when a person is watching a terminal.
// Contract:
//   - JSON by default; `pretty: 'auto'` pretty-prints only when the destination is a TTY.
//   - Secrets never reach the output: well-known names (password, passphrase, token, key, pfx,
//     authorization, cookie, ...) are censored by pino's redact paths up to three levels deep, and
//     any other field whose NAME contains "password", "passphrase", "secret" or "credential" is
//     censored at any depth up to SCRUB_DEPTH, as is the password in a URL value
//     (mqtts://user:pw@host). Text inside the message string is not inspected: log URLs and
//     options as fields, not interpolated into `msg`.
//   - Fields named `key` are treated as key material: don't use `key` for anything else.
//   - Stages log through `stageLogger(logger, stage, machineId?)`, so every line says where it came from.
//   - `rateLimitedLog` turns a flood of identical complaints into one line per key per interval.

import { hostname } from 'node:os';
import pino from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import { systemClock, type Clock } from './clock.js';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** 'auto' (default): pretty when the destination is a TTY. */
  readonly pretty?: 'auto' | boolean;
  /** Where lines go. Default: stdout through pino's asynchronous, exit-flushed writer. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** Extra fields on every line, e.g. { service: 'vigil', version }. */
  readonly base?: Readonly<Record<string, unknown>>;
}

export const CENSOR = '[Redacted]';

/** Exact field names censored wherever they appear at depth 1 to 3. */
export const SECRET_FIELDS: readonly string[] = [
  'password', 'passwd', 'passphrase', 'secret',
  'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'idToken', 'id_token',
  'apiKey', 'api_key', 'key', 'privateKey', 'private_key', 'pfx',
  'authorization', 'Authorization', 'cookie', 'Cookie',
];

export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** Field names censored by pattern (any depth up to SCRUB_DEPTH): catches dbPassword, client_secret. */
const SECRET_NAME = /password|passphrase|secret|credential/i;
/** scheme://user:password@ — the password part is censored. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:)[^/@\s]*@/i;
const SCRUB_DEPTH = 6;

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  const isTty = options.destination === undefined
    ? process.stdout.isTTY === true
    : (options.destination as { isTTY?: boolean }).isTTY === true;
  const usePretty = options.pretty === true || ((options.pretty ?? 'auto') === 'auto' && isTty);

  const common: pino.LoggerOptions = {
    level: options.level,
    base: { pid: process.pid, hostname: hostname(), ...options.base },
    redact: { paths: [...REDACT_PATHS], censor: CENSOR },
    formatters: {
      bindings: (bindings) => scrubSecrets(bindings, 0) as pino.Bindings,
      log: (object) => scrubSecrets(object, 0) as Record<string, unknown>,
    },
  };
  const logger = usePretty ? prettyLogger(common, destination, isTty) : jsonLogger(common, destination);
  // pino applies `formatters.bindings` to the root only; children inherit this wrapper (they are
  // created with Object.create(parent)), so pattern-named secrets are scrubbed from their bindings too.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) {
    return Reflect.apply(child, this, [scrubSecrets(bindings, 0), childOptions]) as Logger;
  } as unknown as Logger['child'];
  return logger;
}

function prettyLogger(common: pino.LoggerOptions, destination: NonNullable<LoggerOptions['destination']>, isTty: boolean): Logger {
  const stream = pretty({
    destination: destination as NodeJS.WritableStream,
    colorize: isTty,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return pino(common, stream);
}

function jsonLogger(common: pino.LoggerOptions, destination: NonNullable<LoggerOptions['destination']>): Logger {
  return pino(
    {
      ...common,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names ("warn"), not numbers, so log queries read as they are written.
      formatters: { ...common.formatters, level: (label) => ({ level: label }) },
    },
    destination as DestinationStream,
  );
}

/** A child logger whose every line carries { stage, machineId }. */
export function stageLogger(logger: Logger, stage: string, machineId?: string): Logger {
  return logger.child(machineId === undefined ? { stage } : { stage, machineId });
}

/**
 * Returns `value` itself when it holds nothing to censor (no copy on the common path), else a
 * copy with secret-named fields replaced by CENSOR and URL passwords masked. Walks plain objects
 * and arrays only: Errors, Buffers and class instances are left to pino's serializers.
 */
export function scrubSecrets(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.includes('@') && URL_PASSWORD.test(value) ? value.replace(URL_PASSWORD, `$1${CENSOR}@`) : value;
  }
  if (value === null || typeof value !== 'object' || depth >= SCRUB_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const scrubbed = scrubSecrets(value[i], depth + 1);
      if (scrubbed !== value[i]) (copy ??= value.slice())[i] = scrubbed;
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(record)) {
    const v = record[k];
    const scrubbed = SECRET_NAME.test(k) && v !== undefined ? CENSOR : scrubSecrets(v, depth + 1);
    if (scrubbed !== v) (copy ??= { ...record })[k] = scrubbed;
  }
  return copy ?? value;
}

export type RateLimitedLevel = 'error' | 'warn' | 'info' | 'debug';

export interface RateLimitedLog {
  /** Logs now if `key` was not logged within the interval (adding `suppressed` when > 0); else counts it. */
  log(level: RateLimitedLevel, key: string, fields: Readonly<Record<string, unknown>>, msg: string): void;
  warn(key: string, fields: Readonly<Record<string, unknown>>, msg: string): void;
  error(key: string, fields: Readonly<Record<string, unknown>>, msg: string): void;
  info(key: string, fields: Readonly<Record<string, unknown>>, msg: string): void;
  /** Logs the latest line of every key with suppressed repeats pending, then resets. Call at shutdown. */
  flush(): void;
}

interface KeyState {
  lastLoggedAt: number;
  suppressed: number;
  level: RateLimitedLevel;
  fields: Readonly<Record<string, unknown>>;
  msg: string;
}

/**
 * One line per key (e.g. a dead-letter reason) per `perKeyIntervalMs`: the first occurrence is
 * logged at once, repeats inside the interval are counted, and the next line logged for that key
 * carries `suppressed: <count since the last line>`. Keys are bounded by `maxKeys` (default 1024):
 * the oldest key is flushed and forgotten when a new one arrives, so topic-derived keys cannot
 * grow memory without bound. Suppressed counts are reported on the key's next line or on flush().
 */
export function rateLimitedLog(
  logger: Logger,
  perKeyIntervalMs: number,
  options: { readonly clock?: Clock; readonly maxKeys?: number } = {},
): RateLimitedLog {
  if (!(perKeyIntervalMs >= 0)) throw new RangeError(`rateLimitedLog: perKeyIntervalMs must be >= 0, got ${perKeyIntervalMs}`);
  const clock = options.clock ?? systemClock;
  const maxKeys = options.maxKeys ?? 1024;
  const keys = new Map<string, KeyState>();

  const emit = (state: KeyState, now: number): void => {
    const fields = state.suppressed > 0 ? { ...state.fields, suppressed: state.suppressed } : state.fields;
    logger[state.level](fields, state.msg);
    state.lastLoggedAt = now;
    state.suppressed = 0;
  };

  const log = (level: RateLimitedLevel, key: string, fields: Readonly<Record<string, unknown>>, msg: string): void => {
    const now = clock.now();
    const state = keys.get(key);
    if (state === undefined) {
      if (keys.size >= maxKeys) {
        const [oldestKey, oldest] = keys.entries().next().value as [string, KeyState];
        if (oldest.suppressed > 0) emit(oldest, now);
        keys.delete(oldestKey);
      }
      const fresh: KeyState = { lastLoggedAt: now, suppressed: 0, level, fields, msg };
      keys.set(key, fresh);
      emit(fresh, now);
      return;
    }
    state.level = level;
    state.fields = fields;
    state.msg = msg;
    if (now - state.lastLoggedAt >= perKeyIntervalMs) emit(state, now);
    else state.suppressed++;
  };

  return {
    log,
    warn: (key, fields, msg) => log('warn', key, fields, msg),
    error: (key, fields, msg) => log('error', key, fields, msg),
    info: (key, fields, msg) => log('info', key, fields, msg),
    flush() {
      const now = clock.now();
      for (const state of keys.values()) if (state.suppressed > 0) emit(state, now);
    },
  };
}
