// runReplay: a recorded log through the live pipeline (agent/pipeline.ts), built from the
// configuration the way the daemon builds it (agent/daemon.ts), with three differences that make a
// replay an experiment that can be repeated:
//   no intake queue  nothing is shed: the reader waits for the pipeline, every message is judged;
//   event time only  a manual clock follows the log: each message's receivedAt is the event time in
//                    its payload (a payload without a readable one keeps the last), so latencies,
//                    future-skew checks, alert receivedAt and the detector's timestamps all come from
//                    the file, and the same log gives the same alerts byte for byte, every run;
//   one at a time    each window is scored as it completes (toScores flushes synchronously), and
//                    online learning, when on, runs inline: neither depends on how the file is
//                    chunked or on a worker's timing.
// Topics: a CSV log is replayed in Vigil's wire format (plant/<machine>/<channel>, sensor-wire.ts);
// a JSONL log is a recording of the wire, read with the config's topic patterns ($share/<group>/
// prefixes removed: a recording holds the plain topics) and then Vigil's own wire patterns. Its
// verbatim payloads are read with the config's payload paths (as live); its "value"/"values" lines,
// which openReplay re-encodes as {"ts", "value(s)"}, therefore need the default paths.
// Labels (anomaly columns, the simulator's labels) are collected per machine for evaluation; with
// labelWindows (--labels) every row of a machine is labelled instead, by whether its event time
// falls in one of the machine's windows (label-windows.ts), and label columns are ignored.
// onScored receives the decision trace (decision-trace.ts): one row per score with its verdict,
// thresholds and episode, taken from the pipeline's own hooks. speed paces the reader in event time
// (openReplay's speed); it changes when things happen, never what.

import { filter, lastValueFrom, map, tap, toArray } from 'rxjs';
import type { GraphDetector } from '../../models/graph-detector.js';
import type { VigilConfig } from '../config/types.js';
import { createOnlineLearner, type OnlineLearner } from '../learning/online-learner.js';
import { pipeline } from '../pipeline.js';
import type { ManualClock } from '../runtime/clock.js';
import { openReplay, type BadLine, type ReplayLabels, type ReplaySummary } from '../source/replay-source.js';
import { parseReplayTime } from '../source/replay-time.js';
import { DEFAULT_TOPIC_PREFIX } from '../source/sensor-wire.js';
import { createTopicMap, type TopicMap } from '../source/topic-map.js';
import { type AlertCounters, createAlertCounters } from '../stages/to-alerts.js';
import { type ReadingCounters, createReadingCounters } from '../stages/to-readings.js';
import { type SampleCounters, createSampleCounters } from '../stages/to-samples.js';
import { type ScoreCounters, createScoreCounters } from '../stages/to-scores.js';
import { type StreamScoreCounters, checkStreamable, createStreamScoreCounters } from '../stages/to-stream-scores.js';
import { type WindowCounters, createWindowCounters } from '../stages/to-windows.js';
import type { Alert, SensorMessage } from '../types.js';
import { type ScoredRow, createDecisionTrace } from './decision-trace.js';
import { type LabelWindows, inWindows } from './label-windows.js';
import type { SamplingPlan } from './replay-settings.js';

/** Vigil's own wire topics (sensor-wire.ts), per channel and per machine. */
export const WIRE_PATTERNS = [`${DEFAULT_TOPIC_PREFIX}/+machine/+channel`, `${DEFAULT_TOPIC_PREFIX}/+machine`] as const;

/** Label names that mean "anomalous" (≠ 0), first present wins; changepoint, fault and drift do not. */
export const ANOMALY_LABELS = ['anomaly', 'is_anomaly', 'label'] as const;

export type LearningMode = 'off' | 'inline';

export interface ReplayRunOptions {
  readonly path: string;
  readonly format: 'csv' | 'jsonl';
  readonly detector: GraphDetector;
  readonly config: VigilConfig;
  readonly sampling: SamplingPlan;
  /** The log channel feeding each model channel, in the model's order (replayChannels). */
  readonly channels: readonly string[];
  /** CSV: log channel → header name (LogScan.columns). */
  readonly columns?: ReadonlyMap<string, string>;
  /** CSV: the machine column, if any. */
  readonly machineColumn?: string;
  /** CSV without a machine column: the machine's id. Otherwise: replay only this machine. */
  readonly machine?: string;
  readonly learning: LearningMode;
  readonly clock: ManualClock;
  /** Event-time ms per wall ms (10 = ten times real time); undefined: as fast as possible. */
  readonly speed?: number;
  /** Label every row by these windows instead of the log's label columns. */
  readonly labelWindows?: LabelWindows;
  readonly onAlert?: (alert: Alert) => void;
  readonly onBadLine?: (bad: BadLine) => void;
  /** Each score with its decision, in order. */
  readonly onScored?: (row: ScoredRow) => void;
  /** The event time of each message as it enters the pipeline (for a progress bar). */
  readonly onProgress?: (time: number) => void;
}

/** One machine's labelled rows, in file order: event time and whether the row is labelled anomalous. */
export interface LabelTrack {
  readonly times: number[];
  readonly anomalous: boolean[];
}

export interface ReplayRun {
  readonly summary: ReplaySummary;
  readonly alerts: readonly Alert[];
  /** Scores (windows, or samples in stream mode) per machine. */
  readonly scored: ReadonlyMap<string, number>;
  /** Machines whose rows carry an anomaly label. */
  readonly labels: ReadonlyMap<string, LabelTrack>;
  /** Event time of the first message replayed (the earliest, in a log out of order). */
  readonly startTime: number | undefined;
  /** Event time of the last message replayed (the end of every open episode). */
  readonly endTime: number | undefined;
  readonly counters: {
    readonly readings: ReadingCounters;
    readonly samples: SampleCounters;
    readonly windows: WindowCounters | null;
    readonly scores: ScoreCounters | StreamScoreCounters;
    readonly alerts: AlertCounters;
  };
  readonly learner: OnlineLearner['stats'] | null;
  readonly scoringErrors: readonly string[];
}

export async function runReplay(o: ReplayRunOptions): Promise<ReplayRun> {
  const { config, detector, clock, sampling } = o;
  const csv = o.format === 'csv';
  const streaming = config.scoring.mode === 'stream';
  if (streaming) checkStreamable(detector);
  const topics = replayTopicMap(o.format, config.topics.sensors);
  const filterMachine = o.machine !== undefined && !(csv && o.machineColumn === undefined) ? o.machine : undefined;

  const readings = createReadingCounters();
  const samples = createSampleCounters();
  const windows = streaming ? null : createWindowCounters();
  const scores = streaming ? createStreamScoreCounters() : createScoreCounters();
  const alerts = createAlertCounters();
  const scored = new Map<string, number>();
  const labels = new Map<string, LabelTrack>();
  const scoringErrors: string[] = [];
  const onScoringError = (err: Error): void => {
    if (scoringErrors.length < 5) scoringErrors.push(err.message);
  };
  let summary: ReplaySummary | undefined;
  let startTime: number | undefined;
  let endTime: number | undefined;

  const learner = o.learning === 'inline'
    ? createOnlineLearner({
        detector,
        mode: 'inline',
        batchSize: config.learning.batchSize,
        every: config.learning.every,
        bufferWindows: config.learning.bufferWindows,
        recalibrateEvery: config.learning.recalibrateEvery,
        onError: onScoringError,
      })
    : null;

  const track = (machine: string): LabelTrack => {
    let t = labels.get(machine);
    if (!t) labels.set(machine, (t = { times: [], anomalous: [] }));
    return t;
  };
  const labelWindows = o.labelWindows;
  /** With windows: each machine's rows, once per event time, labelled by the windows. */
  const labelRow = (machine: string, time: number): void => {
    const t = track(machine);
    if (t.times.length > 0 && t.times[t.times.length - 1] === time) return; // another channel of the same row
    t.times.push(time);
    t.anomalous.push(inWindows(labelWindows!.windowsOf(machine), time));
  };
  const trace = o.onScored ? createDecisionTrace(alerts, o.onScored) : null;

  const onLabels = (l: ReplayLabels): void => {
    if (labelWindows) return;
    const machine = l.machineId ?? (l.topic !== undefined ? topics.match(l.topic)?.machineId : undefined);
    if (machine === undefined || l.time === undefined) return;
    if (filterMachine !== undefined && machine !== filterMachine) return;
    const anomaly = anomalyLabel(l.labels);
    if (anomaly === undefined) return;
    const t = track(machine);
    t.times.push(l.time);
    t.anomalous.push(anomaly);
  };

  const messages = openReplay(o.path, {
    format: o.format,
    clock,
    ...(o.speed !== undefined && { speed: o.speed }),
    onBadLine: o.onBadLine,
    onLabels,
    onEnd: (s) => (summary = s),
    ...(csv && {
      machineIdColumn: o.machineColumn,
      ...(o.machineColumn === undefined && o.machine !== undefined ? { machineId: o.machine } : {}),
      channels: o.channels.map((c) => o.columns?.get(c) ?? c),
    }),
  });
  const stamp = eventTimeReader(csv ? 'ts' : config.payload.timestampPath);
  const W = detector.meta.windowSize;

  const run = messages.pipe(
    filter((m) => filterMachine === undefined || (topics.match(m.topic)?.machineId ?? filterMachine) === filterMachine),
    map((m): SensorMessage => {
      const t = stamp(m.payload);
      if (t !== undefined) {
        clock.set(t);
        endTime = endTime === undefined || t > endTime ? t : endTime;
        startTime = startTime === undefined || t < startTime ? t : startTime;
        o.onProgress?.(t);
        if (labelWindows) {
          const machine = topics.match(m.topic)?.machineId;
          if (machine !== undefined) labelRow(machine, t);
        }
      }
      return { topic: m.topic, payload: m.payload, receivedAt: clock.now() };
    }),
    pipeline({
      readings: {
        topics,
        maxPayloadBytes: config.payload.maxBytes,
        allowBareNumbers: config.payload.allowBareNumbers,
        // A CSV is replayed in the wire format (ts, value); a JSONL recording as the config reads the wire.
        ...(csv ? {} : { timestampPath: config.payload.timestampPath, valuePath: config.payload.valuePath, valuesPath: config.payload.valuesPath }),
        maxFutureSkewMs: config.payload.maxFutureSkewMs,
        channels: o.channels,
        maxTrackedMachines: config.limits.maxMachines,
        counters: readings,
      },
      onDeadLetter: () => undefined, // counted by reason in `readings`
      samples: { channels: o.channels, periodMs: sampling.periodMs, toleranceMs: sampling.toleranceMs, maxHoldMs: sampling.maxHoldMs, maxMachines: config.limits.maxMachines, counters: samples },
      windows: { channels: o.channels, size: W, stride: config.windows.stride, maxGapMs: sampling.maxGapMs, maxMachines: config.limits.maxMachines, counters: windows ?? undefined },
      scores: {
        detectorFor: () => detector,
        maxBatch: config.scoring.maxBatch,
        schedule: (flush) => flush(),
        counters: scores as ScoreCounters,
        onError: onScoringError,
      },
      ...(streaming && {
        stream: {
          detectorFor: () => detector,
          maxGapMs: sampling.maxGapMs,
          maxMachines: config.limits.maxMachines,
          keepWindows: learner !== null || trace !== null,
          counters: scores as StreamScoreCounters,
          onError: onScoringError,
        },
      }),
      onScore: (score) => {
        scored.set(score.machineId, (scored.get(score.machineId) ?? 0) + 1);
        trace?.onScore(score);
      },
      alerts: {
        calibration: () => detector.calibration,
        policy: config.decision,
        onNormal: (score) => {
          if (score.window) learner?.offer(score.window);
        },
        maxMachines: config.limits.maxMachines,
        counters: alerts,
        ...(trace && { onState: trace.onState, snapshotIntervalMs: 0 }),
      },
    }),
    tap((alert) => o.onAlert?.(alert)),
    toArray(),
  );
  const emitted = await lastValueFrom(run);
  trace?.flush();
  return {
    summary: summary ?? { path: o.path, lines: 0, rows: 0, messages: 0, badLines: 0, badByReason: {} },
    alerts: emitted,
    scored,
    labels,
    startTime,
    endTime,
    counters: { readings, samples, windows, scores, alerts },
    learner: learner?.stats ?? null,
    scoringErrors,
  };
}

/**
 * How a replay's topics name machines and channels: CSV rows become Vigil's per-channel wire topics;
 * a JSONL recording is read with the config's patterns as a recording holds them ($share/<group>/
 * removed), then Vigil's own wire patterns.
 */
export function replayTopicMap(format: 'csv' | 'jsonl', sensors: readonly string[]): TopicMap {
  if (format === 'csv') return createTopicMap([WIRE_PATTERNS[0]]);
  const plain = sensors.map((p) => p.replace(/^\$share\/[^/]+\//, ''));
  return createTopicMap([...new Set([...plain, ...WIRE_PATTERNS])]);
}

/** The row's anomaly label as a flag, or undefined when it carries none. */
export function anomalyLabel(labels: Readonly<Record<string, number>>): boolean | undefined {
  for (const name of ANOMALY_LABELS) {
    for (const k in labels) if (k.toLowerCase() === name) return labels[k] !== 0;
  }
  return undefined;
}

/**
 * Event time (epoch ms) of a payload at `path`, read as the replay files write times (numbers by
 * magnitude, date-times); undefined when it has none. The wire format's {"ts":<number>, ...} is read
 * without a JSON parse.
 */
function eventTimeReader(path: string): (payload: Buffer) => number | undefined {
  const keys = path.split('.');
  const fast = path === 'ts' ? /^\{"ts":(\d+(?:\.\d+)?)[,}]/ : null;
  return (payload) => {
    const text = payload.toString('utf8');
    const m = fast?.exec(text);
    if (m) return parseReplayTime(Number(m[1]));
    if (!text.trimStart().startsWith('{')) return undefined;
    try {
      let v: unknown = JSON.parse(text);
      for (const k of keys) v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
      return parseReplayTime(v);
    } catch {
      return undefined;
    }
  };
}
