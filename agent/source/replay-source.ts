// Replays a recorded sensor log through the same pipeline as live traffic: openReplay(path) is a
// cold Observable<SensorMessage> that streams the file line by line (readline; memory stays flat
// for files of any size) and completes at the end of the file. Each subscription reads the file anew.
//   CSV    a header and one row per instant (replay-csv.ts): NAB's `timestamp,value`, SKAB's
//          `datetime;...;anomaly;changepoint`. Rows become messages in the sensor-wire.ts format,
//          per channel (default) or per machine, with `ts` in epoch ms. Naive times are UTC.
//   JSONL  one message per line (replay-jsonl.ts): {topic, ts, value} | {topic, ts, values} | {topic, payload}.
// Pace: as fast as the consumer takes it (default), or `speed` × event time (1 = as recorded,
// 60 = an hour a minute) on `scheduler`. receivedAt comes from `clock` when a message is emitted.
// Bad lines (corrupt rows, unreadable times, torn JSON) are NOT messages and never end the stream:
// each is counted, passed to onBadLine with its line number and skipped, because a file error is
// about the file (fix line 1234), not about a sensor; the totals arrive in onEnd's summary.
// Payloads recorded verbatim in JSONL ({topic, payload}) are replayed as they are, so wire-level
// bad data is dead-lettered downstream exactly as it was live.
// Label columns (anomaly, changepoint, label, is_anomaly) are not channels; each row's labels go to
// onLabels, just before that row's messages, for evaluation.
// The stream errors only when the file cannot be read at all (missing, unreadable, a header
// without the timestamp column): that is a configuration error, and the message names the fix.

import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { Observable, asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { SensorMessage } from '../types.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { createCsvParser } from './replay-csv.js';
import { parseJsonlLine } from './replay-jsonl.js';
import type { BadLineReason, LineParser } from './replay-lines.js';
import { DEFAULT_TOPIC_PREFIX, channelMessage, machineMessage, topicSafe, type MessageLayout } from './sensor-wire.js';

export type { BadLineReason } from './replay-lines.js';
export { DEFAULT_LABEL_COLUMNS } from './replay-csv.js';

export interface ReplayOptions {
  /** Default: 'jsonl' for .jsonl/.ndjson files, else 'csv'. */
  readonly format?: 'csv' | 'jsonl';
  /** CSV: ',' ';' or '\t'. Default: the one the header uses most. */
  readonly separator?: string;
  /** CSV: default the first of timestamp, datetime, time, ts, date (any case), else the first column. */
  readonly timestampColumn?: string;
  /** CSV: take the machine id from this column ... */
  readonly machineIdColumn?: string;
  /** CSV: ... or use this one for every row. Default: the file name without extension, topic-safe. */
  readonly machineId?: string;
  /** CSV: columns that are labels, not channels. Default anomaly, changepoint, label, is_anomaly. */
  readonly labelColumns?: readonly string[];
  /** CSV: replay only these channel columns (header names). Default: all but time, machine, labels. */
  readonly channels?: readonly string[];
  /** CSV: one message per channel (default) or one per row. */
  readonly layout?: MessageLayout;
  /** CSV: default 'plant'. */
  readonly topicPrefix?: string;
  /** Event-time ms per wall ms. Default: no pacing, as fast as the consumer takes messages. */
  readonly speed?: number;
  /** Where pacing waits. Default asyncScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Source of receivedAt. Default systemClock. */
  readonly clock?: Clock;
  readonly onBadLine?: (bad: BadLine) => void;
  readonly onLabels?: (labels: ReplayLabels) => void;
  readonly onEnd?: (summary: ReplaySummary) => void;
}

export interface BadLine {
  readonly path: string;
  /** 1-based line number in the file. */
  readonly line: number;
  readonly reason: BadLineReason;
  readonly detail: string;
  /** The start of the line, for the log. */
  readonly text: string;
}

export interface ReplayLabels {
  readonly line: number;
  /** Event time of the row or message (undefined for a JSONL line without one). */
  readonly time: number | undefined;
  /** CSV rows: the machine. */
  readonly machineId?: string;
  /** JSONL lines: the topic. */
  readonly topic?: string;
  readonly labels: Readonly<Record<string, number>>;
}

export interface ReplaySummary {
  readonly path: string;
  /** Lines read, header and blank lines included. */
  readonly lines: number;
  /** Lines that became messages. */
  readonly rows: number;
  readonly messages: number;
  readonly badLines: number;
  readonly badByReason: Readonly<Partial<Record<BadLineReason, number>>>;
}

const PREVIEW_CHARS = 160;

export function openReplay(path: string, options: ReplayOptions = {}): Observable<SensorMessage> {
  const format = options.format ?? (['.jsonl', '.ndjson'].includes(extname(path).toLowerCase()) ? 'jsonl' : 'csv');
  if (format !== 'csv' && format !== 'jsonl') throw new Error(`openReplay: format must be 'csv' or 'jsonl', got '${String(format)}'`);
  const layout = options.layout ?? 'per-channel';
  if (layout !== 'per-channel' && layout !== 'per-machine') throw new Error(`openReplay: layout must be 'per-channel' or 'per-machine', got '${String(layout)}'`);
  const { speed } = options;
  if (speed !== undefined && !(speed > 0)) throw new Error(`openReplay: speed must be > 0 (1 = as recorded; omit it for as fast as possible), got ${speed}`);
  if (options.separator !== undefined && options.separator.length === 0) throw new Error('openReplay: separator must not be empty');
  const machineId = topicSafe(options.machineId ?? basename(path, extname(path)));
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? asyncScheduler;
  const paced = speed !== undefined && Number.isFinite(speed);

  return new Observable<SensorMessage>((subscriber) => {
    const input = createReadStream(path, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    let stopped = false;
    let wait: Subscription | undefined;
    let wake: (() => void) | undefined;
    const parse: LineParser = format === 'csv'
      ? createCsvParser({ ...options, machineId })
      : (text) => parseJsonlLine(text);
    const summary = { path, lines: 0, rows: 0, messages: 0, badLines: 0, badByReason: {} as Partial<Record<BadLineReason, number>> };
    let firstTime: number | undefined;
    let firstWall = 0;

    /** Waits until event time `time` is due at the replay speed. */
    const pace = (time: number | undefined): Promise<void> | undefined => {
      if (!paced || time === undefined) return undefined;
      if (firstTime === undefined) {
        firstTime = time;
        firstWall = scheduler.now();
        return undefined;
      }
      const delay = firstWall + (time - firstTime) / (speed as number) - scheduler.now();
      if (!(delay > 0)) return undefined;
      return new Promise<void>((resolve) => {
        wake = resolve;
        wait = scheduler.schedule(() => resolve(), delay);
      });
    };

    const emit = (message: SensorMessage): void => {
      summary.messages++;
      subscriber.next(message);
    };

    const run = async (): Promise<void> => {
      for await (const text of lines) {
        if (stopped) return;
        const lineNo = ++summary.lines;
        const result = parse(text, lineNo);
        if (result.kind === 'skip') continue;
        if (result.kind === 'bad') {
          summary.badLines++;
          summary.badByReason[result.reason] = (summary.badByReason[result.reason] ?? 0) + 1;
          options.onBadLine?.({ path, line: lineNo, reason: result.reason, detail: result.detail, text: text.slice(0, PREVIEW_CHARS) });
          continue;
        }
        const waiting = pace(result.time);
        if (waiting) await waiting;
        if (stopped) return;
        summary.rows++;
        if (result.labels && options.onLabels) {
          const where = result.kind === 'row' ? { machineId: result.machineId } : { topic: result.topic };
          options.onLabels({ line: lineNo, time: result.time, ...where, labels: result.labels });
        }
        const receivedAt = clock.now();
        if (result.kind === 'message') {
          emit({ topic: result.topic, payload: result.payload, receivedAt });
        } else if (layout === 'per-machine') {
          emit(machineMessage(prefix, result.machineId, result.time, result.values, receivedAt));
        } else {
          for (const ch in result.values) emit(channelMessage(prefix, result.machineId, ch, result.time, result.values[ch], receivedAt));
        }
      }
      if (stopped) return;
      options.onEnd?.({ ...summary, badByReason: { ...summary.badByReason } });
      subscriber.complete();
    };

    input.once('error', (err) => {
      if (!stopped) subscriber.error(new Error(`replay ${path}: cannot read the file (${err.message}); check the path and permissions`));
    });
    run().catch((err: unknown) => {
      if (!stopped) subscriber.error(err instanceof Error ? new Error(`replay ${path}: ${err.message}`, { cause: err }) : err);
    });

    return () => {
      stopped = true;
      wait?.unsubscribe();
      wake?.();
      lines.close();
      input.destroy();
    };
  });
}
