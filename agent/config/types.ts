// Vigil's configuration: every setting of the daemon, typed, with the defaults that make
// `vigil run` with no file at all run the whole product on this machine (embedded broker,
// simulated pumps, a starter model trained on simulated healthy data).

import type { MqttLinkConfig } from '../mqtt/mqtt-link-config.js';
import type { DecisionPolicy } from '../../models/scoring/decision-policy.js';
import type { FaultSpec } from '../source/simulated-machine.js';
import type { Architecture, DetectorRole } from '../../models/detector.js';

export const SCORING_MODES = ['window', 'stream'] as const;
export type ScoringMode = (typeof SCORING_MODES)[number];

export interface VigilConfig {
  /** Where the outbox, decision state and fine-tuned models live. */
  readonly stateDir: string;
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'; readonly pretty: 'auto' | boolean };
  /** Health and metrics endpoint; port 0 picks a free port, null disables it. */
  readonly http: { readonly host: string; readonly port: number } | null;
  /** The sensor broker; null starts the embedded one. */
  readonly broker: MqttLinkConfig | null;
  readonly embeddedBroker: { readonly host: string; readonly port: number };
  /** Where alerts go; null: the sensor broker. */
  readonly alertBroker: MqttLinkConfig | null;
  /**
   * This agent's share of the machines when several agents subscribe to the same sensor topics:
   * it keeps machine m exactly when FNV-1a-32(m) mod count === index (agent/source/partition.ts),
   * and skips the others' messages before any per-machine state. null: every machine it receives.
   */
  readonly partition: { readonly index: number; readonly count: number } | null;
  readonly simulator: {
    /** Default: on exactly when the broker is embedded. */
    readonly enabled: boolean;
    readonly machines: number;
    readonly seed: number;
    readonly intervalMs: number;
    readonly faults: readonly FaultSpec[];
  };
  readonly topics: {
    /** Patterns with named wildcards: +machine, +channel. */
    readonly sensors: readonly string[];
    /** {machine} is replaced by the machine id. */
    readonly alerts: string;
    readonly state: string;
    readonly deadLetters: string | null;
    /** When set, alerts stay in the outbox until a consumer acknowledges them here. */
    readonly ack: string | null;
  };
  readonly payload: {
    readonly maxBytes: number;
    readonly timestampPath: string;
    readonly valuePath: string;
    readonly valuesPath: string;
    readonly allowBareNumbers: boolean;
    readonly maxFutureSkewMs: number;
  };
  readonly model: {
    /** A model file; null trains a starter model on simulated data (needs the simulator). */
    readonly path: string | null;
    readonly requireSignature: boolean;
    readonly publicKeyFile: string | null;
    /** For ONNX files from other tools (no Vigil metadata). */
    readonly channels: readonly string[] | null;
    readonly role: DetectorRole | null;
    readonly windowSize: number | null;
    readonly name: string | null;
    /** The model trained at first start when no model file is given (simulated healthy pumps). */
    readonly starter: {
      readonly architecture: Exclude<Architecture, 'onnx'>;
      readonly windowSize: number;
      readonly hidden: number;
      readonly layers: number;
      readonly trainHours: number;
      readonly epochs: number;
      /** Stride between training windows. */
      readonly stride: number;
    };
  };
  readonly sampling: { readonly periodMs: number; readonly toleranceMs: number; readonly maxHoldMs: number };
  readonly windows: { readonly stride: number; readonly maxGapMs: number };
  readonly scoring: {
    /** 'window': the model scores each machine's last windowSize samples (any architecture).
     *  'stream': an LSTM forecaster advances one step per sample with its state kept per machine:
     *  one LSTM step per message instead of windowSize, for high message rates (lstm-forecaster only). */
    readonly mode: ScoringMode;
    /** Windows scored per model call ('window' mode). */
    readonly maxBatch: number;
  };
  readonly decision: DecisionPolicy;
  readonly learning: {
    readonly enabled: boolean;
    readonly batchSize: number;
    readonly every: number;
    readonly bufferWindows: number;
    readonly recalibrateEvery: number;
    readonly saveEveryMs: number;
  };
  readonly outbox: { readonly maxBytes: number; readonly maxAgeMs: number; readonly retryMs: number };
  readonly limits: { readonly maxMachines: number; readonly maxQueuedMessages: number };
  readonly shutdown: { readonly deadlineMs: number };
}

export const DEFAULT_CONFIG: VigilConfig = {
  stateDir: '.vigil',
  log: { level: 'info', pretty: 'auto' },
  http: { host: '127.0.0.1', port: 9464 },
  broker: null,
  embeddedBroker: { host: '127.0.0.1', port: 1883 },
  alertBroker: null,
  partition: null,
  simulator: {
    enabled: true,
    machines: 3,
    seed: 1,
    intervalMs: 1000,
    // pump-03 develops cavitation two minutes in, so a first run shows the whole alert lifecycle.
    faults: [{ machineId: 'pump-03', kind: 'cavitation', onsetAfterMs: 120_000, rampMs: 30_000 }],
  },
  topics: { sensors: ['plant/+machine/+channel'], alerts: 'vigil/alerts/{machine}', state: 'vigil/state/{machine}', deadLetters: null, ack: null },
  payload: { maxBytes: 65_536, timestampPath: 'ts', valuePath: 'value', valuesPath: 'values', allowBareNumbers: true, maxFutureSkewMs: 300_000 },
  model: {
    path: null,
    requireSignature: false,
    publicKeyFile: null,
    channels: null,
    role: null,
    windowSize: null,
    name: null,
    starter: { architecture: 'lstm-forecaster', windowSize: 31, hidden: 16, layers: 1, trainHours: 24, epochs: 4, stride: 12 },
  },
  sampling: { periodMs: 1000, toleranceMs: 500, maxHoldMs: 3000 },
  windows: { stride: 1, maxGapMs: 10_000 },
  scoring: { mode: 'window', maxBatch: 64 },
  decision: {},
  learning: { enabled: true, batchSize: 32, every: 64, bufferWindows: 1024, recalibrateEvery: 50, saveEveryMs: 600_000 },
  outbox: { maxBytes: 64 * 1024 * 1024, maxAgeMs: 7 * 86_400_000, retryMs: 5000 },
  limits: { maxMachines: 1000, maxQueuedMessages: 50_000 },
  // Under Docker's default 10 s stop grace, with room for the process to exit.
  shutdown: { deadlineMs: 8_000 },
};
