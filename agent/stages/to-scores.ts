// toScores: Window → Score. Micro-batched inference across machines: windows that arrive in the
// same turn of the event loop (a burst of MQTT packets, a replay) are scored together, up to
// maxBatch per detector call, then flushed at the end of the turn, so batching raises throughput
// without holding any window back for a timer. Batched and single scoring give identical numbers
// (the detector contract), so batching never changes a result.
// A detector that throws (a bug, a corrupt model) costs that batch, counted and reported through
// onError; the stream goes on.

import { Observable, type OperatorFunction } from 'rxjs';
import type { Detector } from '../../models/detector.js';
import type { Score, Window } from '../types.js';

export interface ToScoresOptions {
  /** The detector scoring this machine's windows, or undefined to skip it (counted as unscored). */
  readonly detectorFor: (machineId: string) => Detector | undefined;
  /** Default 64. */
  readonly maxBatch?: number;
  /** Schedules the end-of-turn flush. Default queueMicrotask; tests inject a synchronous or virtual one. */
  readonly schedule?: (flush: () => void) => void;
  readonly counters?: ScoreCounters;
  readonly onError?: (err: Error, windows: number) => void;
}

export interface ScoreCounters {
  scored: number;
  batches: number;
  unscored: number;
  failed: number;
}

export function createScoreCounters(): ScoreCounters {
  return { scored: 0, batches: 0, unscored: 0, failed: 0 };
}

interface Batch {
  readonly detector: Detector;
  readonly windows: Window[];
}

export function toScores(options: ToScoresOptions): OperatorFunction<Window, Score> {
  const maxBatch = options.maxBatch ?? 64;
  const schedule = options.schedule ?? queueMicrotask;
  const counters = options.counters ?? createScoreCounters();

  return (source) =>
    new Observable<Score>((subscriber) => {
      const pending = new Map<Detector, Batch>();
      let flushScheduled = false;
      let buffers = new Float32Array(0);

      const run = (batch: Batch): void => {
        const { detector, windows } = batch;
        const B = windows.length;
        const W = detector.meta.windowSize, C = detector.meta.channels.length;
        const per = W * C;
        if (buffers.length < B * per) buffers = new Float32Array(B * per);
        for (let b = 0; b < B; b++) buffers.set(windows[b].data, b * per);
        let result;
        try {
          result = detector.score(buffers.subarray(0, B * per), B);
        } catch (err) {
          counters.failed += B;
          options.onError?.(err as Error, B);
          return;
        }
        counters.batches++;
        counters.scored += B;
        const channels = detector.meta.channels;
        const model = { name: detector.meta.name, version: detector.meta.version };
        for (let b = 0; b < B; b++) {
          const w = windows[b];
          const perChannel: Record<string, number> = {};
          for (let c = 0; c < C; c++) perChannel[channels[c]] = result.perChannel[b * C + c];
          subscriber.next({ machineId: w.machineId, time: w.time, receivedAt: w.receivedAt, value: result.total[b], perChannel, model, window: w });
        }
      };

      const flush = (): void => {
        flushScheduled = false;
        const batches = [...pending.values()];
        pending.clear();
        for (const b of batches) run(b);
      };

      return source.subscribe({
        next: (w) => {
          const detector = options.detectorFor(w.machineId);
          if (!detector) {
            counters.unscored++;
            return;
          }
          if (w.size !== detector.meta.windowSize || w.channels.length !== detector.meta.channels.length) {
            counters.unscored++;
            options.onError?.(new Error(`window of ${w.machineId} is [${w.size}, ${w.channels.length}] but model '${detector.meta.name}' takes [${detector.meta.windowSize}, ${detector.meta.channels.length}]`), 1);
            return;
          }
          let batch = pending.get(detector);
          if (!batch) pending.set(detector, (batch = { detector, windows: [] }));
          batch.windows.push(w);
          if (batch.windows.length >= maxBatch) {
            pending.delete(detector);
            run(batch);
          } else if (!flushScheduled) {
            flushScheduled = true;
            schedule(flush);
          }
        },
        error: (err: unknown) => {
          flush();
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
    });
}
