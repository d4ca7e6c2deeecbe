// toStreamScores: Sample → Score, config scoring.mode 'stream'. Instead of running the LSTM over a
// whole window for every sample (toWindows → toScores), each machine keeps one stateful forecaster
// (models/streaming-forecaster.ts) that advances ONE step per sample: the cost of a message drops
// from windowSize LSTM steps to one. A score is the squared error (scaled units) of the forecast
// made at the previous sample against this one, per channel; the total is their mean, as for windows.
//   warm-up   a machine's first score comes at its windowSize-th sample (after a gap, again), judged
//             on a forecast from lookback = windowSize − horizon samples: exactly the first window's
//             score in window mode. After that the state carries on (context longer than a window).
//             With horizon > 1 only the next sample is compared.
//   gaps      a jump in event time longer than maxGapMs resets the machine's state, as toWindows
//             restarts its ring: the forecaster never bridges an outage.
//   model     a machine whose detector changes (a reload) starts a fresh stream; fine-tuning of the
//             same detector reaches every stream by itself (its version is checked per step).
//   windows   keepWindows attaches the last windowSize samples to each Score (for online learning),
//             at the price of a copy per sample; off, Score.window is absent.
// A detector that cannot stream (not a stacked-LSTM forecaster) or throws leaves its samples
// unscored, counted, and reported once per detector through onError; the stream goes on.
// Machines are capped at maxMachines (further ones counted as shed). State lives per subscription.

import type { OperatorFunction } from 'rxjs';
import type { Detector } from '../../models/detector.js';
import { createForecastStream, type ForecastStream, streamModelFor } from '../../models/streaming-forecaster.js';
import type { Sample, Score, Window } from '../types.js';
import { emitting } from './emitting.js';

export interface ToStreamScoresOptions {
  /** The detector scoring this machine, or undefined to skip it (counted as unscored). */
  readonly detectorFor: (machineId: string) => Detector | undefined;
  /** Default: Infinity (no gap detection). */
  readonly maxGapMs?: number;
  /** Default 10000. */
  readonly maxMachines?: number;
  /** Attach each score's window (the last windowSize samples). Default false. */
  readonly keepWindows?: boolean;
  readonly counters?: StreamScoreCounters;
  readonly onError?: (err: Error, samples: number) => void;
}

export interface StreamScoreCounters {
  scored: number;
  /** Samples stepped before a machine's first score (warm-up, also after gaps and model changes). */
  warming: number;
  gaps: number;
  shed: number;
  unscored: number;
  failed: number;
}

export function createStreamScoreCounters(): StreamScoreCounters {
  return { scored: 0, warming: 0, gaps: 0, shed: 0, unscored: 0, failed: 0 };
}

/** Throws, saying what to do, when the detector cannot be scored in 'stream' mode. */
export function checkStreamable(detector: Detector): void {
  try {
    streamModelFor(detector);
  } catch (err) {
    throw new Error(`scoring.mode 'stream' cannot use model '${detector.meta.name}': ${(err as Error).message}; use scoring.mode 'window' for this model`);
  }
}

interface Machine {
  detector: Detector;
  stream: ForecastStream;
  lastTime: number;
  readonly ring: Float32Array | null; // [windowSize, C], circular (keepWindows only)
  next: number;
}

export function toStreamScores(options: ToStreamScoresOptions): OperatorFunction<Sample, Score> {
  const maxGap = options.maxGapMs ?? Infinity;
  const maxMachines = options.maxMachines ?? 10_000;
  const keepWindows = options.keepWindows ?? false;
  const counters = options.counters ?? createStreamScoreCounters();
  if (!(maxGap > 0)) throw new Error(`toStreamScores: maxGapMs must be > 0, got ${maxGap}`);
  if (!(Number.isInteger(maxMachines) && maxMachines >= 1)) throw new Error(`toStreamScores: maxMachines must be a positive integer, got ${maxMachines}`);

  return emitting<Sample, Score>(() => {
    const machines = new Map<string, Machine>();
    const broken = new WeakSet<Detector>(); // reported once, then skipped

    const fail = (detector: Detector, err: Error): void => {
      counters.failed++;
      if (broken.has(detector)) return;
      broken.add(detector);
      options.onError?.(err, 1);
    };

    const open = (detector: Detector, m: Machine | undefined): Machine | null => {
      let stream: ForecastStream;
      try {
        checkStreamable(detector);
        stream = createForecastStream(detector);
      } catch (err) {
        fail(detector, err as Error);
        return null;
      }
      const { windowSize, channels } = detector.meta;
      const sameShape = m?.ring && m.ring.length === windowSize * channels.length;
      return { detector, stream, lastTime: -Infinity, ring: keepWindows ? (sameShape ? m!.ring : new Float32Array(windowSize * channels.length)) : null, next: 0 };
    };

    return (s, emit) => {
      const detector = options.detectorFor(s.machineId);
      if (!detector || broken.has(detector)) {
        counters.unscored++;
        return;
      }
      let m = machines.get(s.machineId);
      if (!m || m.detector !== detector) {
        if (!m && machines.size >= maxMachines) {
          counters.shed++;
          return;
        }
        const opened = open(detector, m);
        if (!opened) return;
        machines.set(s.machineId, (m = opened));
      }
      const { stream, ring } = m;
      const { windowSize: W, horizon, channels } = detector.meta;
      const C = channels.length;
      if (s.values.length !== C) throw new Error(`toStreamScores: sample of ${s.machineId} has ${s.values.length} channels, expected ${C}`);
      if (stream.steps > 0 && s.time - m.lastTime > maxGap) {
        counters.gaps++;
        stream.reset();
      }
      m.lastTime = s.time;
      const judged = stream.steps >= W - horizon; // the forecast being judged saw a full lookback
      let errors: Float32Array | null;
      try {
        errors = stream.step(s.values);
      } catch (err) {
        fail(detector, err as Error);
        stream.reset();
        return;
      }
      if (ring) {
        ring.set(s.values, m.next * C);
        m.next = (m.next + 1) % W;
      }
      if (!judged || !errors) {
        counters.warming++;
        return;
      }
      const perChannel: Record<string, number> = {};
      let total = 0;
      for (let c = 0; c < C; c++) {
        perChannel[channels[c]] = errors[c];
        total += errors[c];
      }
      counters.scored++;
      const { name, version } = detector.meta;
      const window = ring && stream.steps >= W ? unroll(s, ring, m.next, W, channels) : undefined;
      emit({ machineId: s.machineId, time: s.time, receivedAt: s.receivedAt, value: Math.fround(total / C), perChannel, model: { name, version }, window });
    };
  });
}

/** The ring oldest-first in a fresh buffer: the window outlives this call (online learning keeps it). */
function unroll(s: Sample, ring: Float32Array, next: number, W: number, channels: readonly string[]): Window {
  const C = channels.length;
  const data = new Float32Array(W * C);
  data.set(ring.subarray(next * C), 0);
  data.set(ring.subarray(0, next * C), (W - next) * C);
  return { machineId: s.machineId, time: s.time, channels, data, size: W, receivedAt: s.receivedAt };
}
