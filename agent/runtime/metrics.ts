// Vigil's Prometheus metrics in one prom-client Registry per agent, created by createMetrics()
// and passed to whoever counts (never prom-client's global registry: two agents in one process,
// or two tests, must not share counters).
//
// Label cardinality is bounded by design: a fleet of hundreds of devices multiplies every series,
// so no metric carries a machine, sensor or topic label. Labels and their possible values:
//   source    mqtt | replay | simulator           (messages in)
//   reason    the DeadLetterReason values          (dead letters; all pre-created at 0)
//   state     raised | updated | cleared          (alerts; all pre-created with severity)
//   severity  warning | critical
//   model     the model NAME (a handful per agent) (windows scored, training, model age)
//   name, version  the loaded model (model info: exactly one series per model name)
//   kind      what the outbox dropped, e.g. alert | dead-letter (a small fixed set)
//   link      source | sink                        (MQTT reconnects)
// Per-machine detail belongs in logs and alerts, not in metrics.
//
// Process metrics (RSS, heap, CPU, GC, event-loop lag from perf_hooks.monitorEventLoopDelay) are
// prom-client's defaults under their usual names: process_resident_memory_bytes,
// nodejs_heap_size_used_bytes, nodejs_eventloop_lag_seconds, nodejs_eventloop_lag_p99_seconds ...

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type AlertState, DEAD_LETTER_REASONS, type Severity } from '../types.js';
import { systemClock, type Clock } from './clock.js';

export type MessageSource = 'mqtt' | 'replay' | 'simulator';


export { DEAD_LETTER_REASONS };

const ALERT_STATES: readonly AlertState[] = ['raised', 'updated', 'cleared'];
const SEVERITIES: readonly Severity[] = ['warning', 'critical'];

/** Seconds, from 100 µs (a small model on a fast core) to 10 s (a stalled pipeline). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface MetricsOptions {
  /** Used for model age and for observeLatency. Default: systemClock. */
  readonly clock?: Clock;
  /** Register prom-client's process and Node.js metrics (RSS, heap, event-loop lag ...). Default true. */
  readonly processMetrics?: boolean;
}

export interface VigilMetrics {
  readonly registry: Registry;
  /** The Content-Type of render()'s output. */
  readonly contentType: string;
  readonly messagesIn: Counter<'source'>;
  readonly deadLetters: Counter<'reason'>;
  readonly readings: Counter;
  readonly samples: Counter;
  readonly windowsScored: Counter<'model'>;
  readonly alerts: Counter<'state' | 'severity'>;
  /** Message receipt → decision, seconds. Prefer observeLatency(receivedAt). */
  readonly inferenceLatency: Histogram;
  readonly outboxDepth: Gauge;
  readonly outboxBytes: Gauge;
  readonly outboxDrops: Counter<'kind'>;
  readonly mqttReconnects: Counter<'link'>;
  readonly shedMessages: Counter;
  /** Sensor messages skipped because another agent of the partition owns their machine. */
  readonly notOwnedMessages: Counter;
  readonly trackedMachines: Gauge;
  readonly modelInfo: Gauge<'name' | 'version'>;
  readonly modelAge: Gauge<'model'>;
  readonly trainingSteps: Counter<'model'>;
  readonly trainingLoss: Gauge<'model'>;
  /** Records the loaded model: one model-info series per name (the old version's is removed)
   *  and its age, computed at each scrape from `trainedAt` (ms since the epoch). */
  setModel(name: string, version: string, trainedAt: number): void;
  /** Observes (clock.now() - receivedAt) in seconds; receivedAt must come from the same clock. */
  observeLatency(receivedAt: number): void;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
}

export function createMetrics(options: MetricsOptions = {}): VigilMetrics {
  const clock = options.clock ?? systemClock;
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const messagesIn = new Counter({
    name: 'vigil_messages_received_total', help: 'Sensor messages received, by source (mqtt, replay, simulator).',
    labelNames: ['source'] as const, registers,
  });
  const deadLetters = new Counter({
    name: 'vigil_dead_letters_total', help: 'Messages rejected as dead letters, by reason.',
    labelNames: ['reason'] as const, registers,
  });
  for (const reason of DEAD_LETTER_REASONS) deadLetters.inc({ reason }, 0);
  const readings = new Counter({ name: 'vigil_readings_total', help: 'Valid readings parsed from messages.', registers });
  const samples = new Counter({ name: 'vigil_samples_total', help: 'Samples assembled (one machine, all channels, one event time).', registers });
  const windowsScored = new Counter({
    name: 'vigil_windows_scored_total', help: 'Windows scored, by model name.', labelNames: ['model'] as const, registers,
  });
  const alerts = new Counter({
    name: 'vigil_alerts_total', help: 'Alert lifecycle events, by state and severity.',
    labelNames: ['state', 'severity'] as const, registers,
  });
  for (const state of ALERT_STATES) for (const severity of SEVERITIES) alerts.inc({ state, severity }, 0);
  const inferenceLatency = new Histogram({
    name: 'vigil_inference_latency_seconds', help: 'Time from message receipt to alert decision, seconds.',
    buckets: [...LATENCY_BUCKETS], registers,
  });
  const outboxDepth = new Gauge({ name: 'vigil_outbox_depth', help: 'Messages waiting in the outbox.', registers });
  const outboxBytes = new Gauge({ name: 'vigil_outbox_bytes', help: 'Bytes waiting in the outbox.', registers });
  const outboxDrops = new Counter({
    name: 'vigil_outbox_dropped_total', help: 'Messages the outbox dropped (full or expired), by kind.',
    labelNames: ['kind'] as const, registers,
  });
  const mqttReconnects = new Counter({
    name: 'vigil_mqtt_reconnects_total', help: 'MQTT reconnections, by link (source, sink).', labelNames: ['link'] as const, registers,
  });
  const shedMessages = new Counter({ name: 'vigil_shed_messages_total', help: 'Messages shed under overload.', registers });
  const notOwnedMessages = new Counter({ name: 'vigil_messages_not_owned_total', help: 'Sensor messages skipped because another agent of the partition owns their machine.', registers });
  const trackedMachines = new Gauge({ name: 'vigil_tracked_machines', help: 'Machines with live state in the pipeline.', registers });
  const modelInfo = new Gauge({
    name: 'vigil_model_info', help: 'The loaded model: always 1, labelled with name and version.',
    labelNames: ['name', 'version'] as const, registers,
  });
  const trainedAt = new Map<string, number>();
  const modelAge = new Gauge({
    name: 'vigil_model_age_seconds', help: 'Seconds since the loaded model was trained, by model name.',
    labelNames: ['model'] as const, registers,
    collect() {
      const now = clock.now();
      for (const [model, at] of trainedAt) this.set({ model }, Math.max(0, (now - at) / 1000));
    },
  });
  const trainingSteps = new Counter({
    name: 'vigil_training_steps_total', help: 'Online training steps, by model name.', labelNames: ['model'] as const, registers,
  });
  const trainingLoss = new Gauge({
    name: 'vigil_training_loss', help: 'Loss of the last online training step, by model name.', labelNames: ['model'] as const, registers,
  });

  const versions = new Map<string, string>();
  return {
    registry,
    contentType: registry.contentType,
    messagesIn, deadLetters, readings, samples, windowsScored, alerts, inferenceLatency,
    outboxDepth, outboxBytes, outboxDrops, mqttReconnects, shedMessages, notOwnedMessages, trackedMachines,
    modelInfo, modelAge, trainingSteps, trainingLoss,
    setModel(name, version, at) {
      if (!Number.isFinite(at)) throw new RangeError(`setModel: trainedAt must be ms since the epoch, got ${at} for model ${name}`);
      const previous = versions.get(name);
      if (previous !== undefined && previous !== version) modelInfo.remove({ name, version: previous });
      versions.set(name, version);
      modelInfo.set({ name, version }, 1);
      trainedAt.set(name, at);
    },
    observeLatency(receivedAt) {
      inferenceLatency.observe(Math.max(0, (clock.now() - receivedAt) / 1000));
    },
    render: () => registry.metrics(),
  };
}
