// A seeded plant of rotating machines (VFD-driven pumps; physics in simulated-machine.ts) for the
// embedded default source and for tests. Same seed and config → the same messages, byte for byte.
// Event time comes from the simulation clock (start + k·intervalMs), never from Date.now.
// Drivers:
//   simulateSamples(config)  generator of SimulatedSample (values + active faults and drifts: ground truth)
//   simulate(config)         generator of SensorMessages in event-time order: pure, as fast as pulled
//   runSimulator(config, publish, scheduler?)  the same messages in scaled real time (config.speed)
//   fromSimulator(config, scheduler?)          runSimulator as an Observable<SensorMessage>
// Messages follow sensor-wire.ts: per-channel `plant/<machineId>/<channel>` {"ts","value"} (default)
// or per-machine `plant/<machineId>` {"ts","values"}. Within one tick the order is machine by machine,
// channel by channel in CHANNELS order. Machine ids are pump-01, pump-02 ... unless given.

import { Observable, asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { SensorMessage } from '../types.js';
import type { Clock } from '../runtime/clock.js';
import { systemClock } from '../runtime/clock.js';
import {
  CHANNELS, FAULT_KINDS, LEVEL_SHIFT_RANGE, createSimulatedMachine, subSeed, type Channel, type FaultKind, type FaultSpec,
} from './simulated-machine.js';
import { DRIFT_DEFAULTS, DRIFT_KINDS, type DriftKind, type DriftSpec } from './simulated-drift.js';
import { DEFAULT_TOPIC_PREFIX, channelMessage, machineMessage, type MessageLayout } from './sensor-wire.js';

export { CHANNELS, FAULT_KINDS, HEALTHY_BANDS, LEVEL_SHIFT_DEFAULT, LEVEL_SHIFT_RANGE } from './simulated-machine.js';
export type { Channel, FaultKind, FaultSpec } from './simulated-machine.js';
export { DRIFT_DEFAULTS, DRIFT_KINDS } from './simulated-drift.js';
export type { DriftKind, DriftSpec } from './simulated-drift.js';

export interface SimulatorConfig {
  readonly seed: number;
  /** How many machines (ids pump-01, pump-02 ...) or their ids. */
  readonly machines: number | readonly string[];
  /** Event time of the first sample, ms since the epoch. Default: 2024-01-01T00:00:00Z for
   *  simulate(); the current time (rounded down to the interval) for runSimulator(). */
  readonly start?: number;
  /** Event time between samples. Default 1000. */
  readonly intervalMs?: number;
  /** Stop after this much event time. Default: never (take what you need). */
  readonly durationMs?: number;
  /** Default 'per-channel'. */
  readonly layout?: MessageLayout;
  /** Default 'plant'. */
  readonly topicPrefix?: string;
  readonly faults?: readonly FaultSpec[];
  /** Benign, labelled drifts (simulated-drift.ts). */
  readonly drifts?: readonly DriftSpec[];
  /** Period of the load and ambient cycle. Default one day. */
  readonly loadCycleMs?: number;
  /** runSimulator only: event-time ms per wall-clock ms (60 = an hour a minute). Default 1.
   *  Above 1 event time runs ahead of the wall clock: start far enough in the past, or
   *  downstream checks will call the timestamps absurd. Infinity = as fast as possible. */
  readonly speed?: number;
  /** Source of `receivedAt`. Default: the event time for simulate(), systemClock for runSimulator(). */
  readonly clock?: Clock;
}

export interface SimulatedSample {
  readonly machineId: string;
  readonly time: number;
  /** Channels measured this tick; a dropped-out channel is absent. */
  readonly values: Readonly<Partial<Record<Channel, number>>>;
  /** Faults active at this time (their onset has passed): the ground truth for evaluation. */
  readonly faults: readonly FaultKind[];
  /** Drifts active at this time: benign changes, not faults. */
  readonly drifts: readonly DriftKind[];
}

export const DEFAULT_SIMULATION_START = Date.UTC(2024, 0, 1);

interface Resolved {
  readonly ids: readonly string[];
  readonly start: number;
  readonly intervalMs: number;
  readonly end: number;
  readonly layout: MessageLayout;
  readonly prefix: string;
}

function resolve(config: SimulatorConfig, defaultStart: number): Resolved {
  const fail = (why: string): never => {
    throw new Error(`simulator config: ${why}`);
  };
  if (!Number.isInteger(config.seed)) fail(`seed must be an integer, got ${config.seed}`);
  const ids = typeof config.machines === 'number'
    ? Array.from({ length: config.machines }, (_, i) => `pump-${String(i + 1).padStart(2, '0')}`)
    : [...config.machines];
  if (typeof config.machines === 'number' && !(Number.isInteger(config.machines) && config.machines >= 1)) {
    fail(`machines must be a positive integer or a list of ids, got ${config.machines}`);
  }
  if (ids.length === 0) fail('machines is an empty list: give at least one id');
  if (new Set(ids).size !== ids.length) fail(`machine ids must be unique, got ${ids.join(', ')}`);
  for (const id of ids) if (!/^[A-Za-z0-9_.-]+$/.test(id)) fail(`machine id '${id}' must be topic-safe: letters, digits, '_', '.', '-'`);
  const intervalMs = config.intervalMs ?? 1000;
  if (!(intervalMs > 0)) fail(`intervalMs must be > 0, got ${intervalMs}`);
  const start = config.start ?? defaultStart;
  if (!Number.isFinite(start)) fail(`start must be ms since the epoch, got ${start}`);
  const duration = config.durationMs ?? Infinity;
  if (!(duration >= 0)) fail(`durationMs must be >= 0, got ${duration}`);
  if (!((config.loadCycleMs ?? 1) > 0)) fail(`loadCycleMs must be > 0, got ${config.loadCycleMs}`);
  for (const f of config.faults ?? []) {
    const where = `fault ${JSON.stringify(f)}`;
    if (!ids.includes(f.machineId)) fail(`${where}: machineId is not one of ${ids.join(', ')}`);
    if (!FAULT_KINDS.includes(f.kind)) fail(`${where}: kind must be one of ${FAULT_KINDS.join(', ')}`);
    if (!(f.onsetAfterMs >= 0)) fail(`${where}: onsetAfterMs must be >= 0 (ms after start)`);
    if (f.severity !== undefined && !(f.severity >= 0 && f.severity <= 1)) fail(`${where}: severity must be in 0..1`);
    if (f.rampMs !== undefined && !(f.rampMs >= 0)) fail(`${where}: rampMs must be >= 0`);
    if (f.durationMs !== undefined && !(f.durationMs > 0)) fail(`${where}: durationMs must be > 0 (omit it for a fault that lasts)`);
    if (f.channel !== undefined && !CHANNELS.includes(f.channel)) fail(`${where}: channel must be one of ${CHANNELS.join(', ')}`);
    if (f.magnitude !== undefined) {
      if (f.kind !== 'level-shift') fail(`${where}: magnitude is for level-shift; ${f.kind} takes a severity in 0..1`);
      const [lo, hi] = LEVEL_SHIFT_RANGE;
      if (!(f.magnitude >= lo && f.magnitude <= hi)) fail(`${where}: magnitude must be a relative step in ${lo}..${hi} (0.25 = 25 % higher)`);
    }
  }
  for (const d of config.drifts ?? []) {
    const where = `drift ${JSON.stringify(d)}`;
    if (!ids.includes(d.machineId)) fail(`${where}: machineId is not one of ${ids.join(', ')}`);
    if (!DRIFT_KINDS.includes(d.kind)) fail(`${where}: kind must be one of ${DRIFT_KINDS.join(', ')}`);
    if (!(d.onsetAfterMs >= 0)) fail(`${where}: onsetAfterMs must be >= 0 (ms after start)`);
    if (d.rampMs !== undefined && !(d.rampMs >= 0)) fail(`${where}: rampMs must be >= 0`);
    const { range, unit } = DRIFT_DEFAULTS[d.kind];
    if (d.magnitude !== undefined && !(d.magnitude >= range[0] && d.magnitude <= range[1])) fail(`${where}: magnitude must be in ${range[0]}..${range[1]} (${unit})`);
    if (d.channel !== undefined) {
      if (d.kind !== 'calibration') fail(`${where}: channel is for calibration drift; ${d.kind} acts on the whole machine`);
      if (!CHANNELS.includes(d.channel)) fail(`${where}: channel must be one of ${CHANNELS.join(', ')}`);
    }
  }
  return { ids, start, intervalMs, end: start + duration, layout: config.layout ?? 'per-channel', prefix: config.topicPrefix ?? DEFAULT_TOPIC_PREFIX };
}

function* ticks(config: SimulatorConfig, r: Resolved): Generator<SimulatedSample[]> {
  const machines = r.ids.map((id, i) =>
    createSimulatedMachine(
      id, subSeed(config.seed, i), r.start, r.intervalMs, config.loadCycleMs ?? 86_400_000,
      (config.faults ?? []).filter((f) => f.machineId === id),
      (config.drifts ?? []).filter((d) => d.machineId === id),
    ),
  );
  for (let k = 0; ; k++) {
    const time = r.start + k * r.intervalMs;
    if (time >= r.end) return;
    yield machines.map((m) => {
      const { values, faults, drifts } = m.step(time);
      return { machineId: m.id, time, values, faults, drifts };
    });
  }
}

function encode(sample: SimulatedSample, r: Resolved, receivedAt: number, out: SensorMessage[]): void {
  if (r.layout === 'per-machine') {
    if (Object.keys(sample.values).length > 0) out.push(machineMessage(r.prefix, sample.machineId, sample.time, sample.values as Record<string, number>, receivedAt));
    return;
  }
  for (const ch of CHANNELS) {
    const v = sample.values[ch];
    if (v !== undefined) out.push(channelMessage(r.prefix, sample.machineId, ch, sample.time, v, receivedAt));
  }
}

/** Every machine's sample at every tick, in event-time order, with the faults active then. */
export function* simulateSamples(config: SimulatorConfig): Generator<SimulatedSample> {
  for (const tick of ticks(config, resolve(config, DEFAULT_SIMULATION_START))) yield* tick;
}

/** The simulated plant as SensorMessages in event-time order, as fast as they are pulled. */
export function* simulate(config: SimulatorConfig): Generator<SensorMessage> {
  const r = resolve(config, DEFAULT_SIMULATION_START);
  const out: SensorMessage[] = [];
  for (const tick of ticks(config, r)) {
    for (const sample of tick) encode(sample, r, config.clock?.now() ?? sample.time, out);
    yield* out;
    out.length = 0;
  }
}

export interface SimulatorRun {
  /** Resolves when the simulation ends (durationMs reached or close()); rejects if publish threw. */
  readonly done: Promise<void>;
  /** Stops before the next tick. */
  close(): void;
}

/**
 * Publishes the simulation in scaled real time: tick k is due at the run's start on `scheduler`
 * plus k·intervalMs/speed. All of a tick's messages go out together; when publish returns a
 * promise the next tick waits for it (a slow broker slows the simulation instead of queueing).
 */
export function runSimulator(
  config: SimulatorConfig,
  publish: (message: SensorMessage) => void | Promise<void>,
  scheduler: SchedulerLike = asyncScheduler,
): SimulatorRun {
  const clock = config.clock ?? systemClock;
  const speed = config.speed ?? 1;
  if (!(speed > 0)) throw new Error(`simulator config: speed must be > 0 (Infinity for as fast as possible), got ${speed}`);
  const intervalMs = config.intervalMs ?? 1000;
  const r = resolve(config, Math.floor(clock.now() / intervalMs) * intervalMs);
  const source = ticks(config, r);
  const wallStart = scheduler.now();
  const out: SensorMessage[] = [];
  let pending: Subscription | undefined;
  let closed = false;
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    finish = res;
    fail = rej;
  });

  const scheduleNext = (): void => {
    if (closed) return finish();
    const next = source.next();
    if (next.done) return finish();
    const due = wallStart + (next.value[0].time - r.start) / speed;
    pending = scheduler.schedule(() => {
      pending = undefined;
      if (closed) return finish();
      try {
        const receivedAt = clock.now();
        for (const sample of next.value) encode(sample, r, receivedAt, out);
        const waits: Promise<void>[] = [];
        for (const m of out) {
          const result = publish(m);
          if (result instanceof Promise) waits.push(result);
        }
        out.length = 0;
        if (waits.length === 0) scheduleNext();
        else Promise.all(waits).then(scheduleNext, fail);
      } catch (err) {
        fail(err);
      }
    }, Number.isFinite(due) ? Math.max(0, due - scheduler.now()) : 0);
  };
  scheduleNext();

  return {
    done,
    close() {
      closed = true;
      pending?.unsubscribe();
      pending = undefined;
      finish();
    },
  };
}

/** runSimulator as a cold Observable: each subscription runs its own simulation; unsubscribe stops it. */
export function fromSimulator(config: SimulatorConfig, scheduler: SchedulerLike = asyncScheduler): Observable<SensorMessage> {
  return new Observable<SensorMessage>((subscriber) => {
    const run = runSimulator(config, (m) => subscriber.next(m), scheduler);
    run.done.then(() => subscriber.complete(), (err: unknown) => subscriber.error(err));
    return () => run.close();
  });
}
