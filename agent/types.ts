// The nouns of the flow, in order:
//   SensorMessage → Reading → Sample → Window → Score → Decision → Alert
// plus DeadLetter, the value that bad input becomes instead of an exception.
// Times are milliseconds since the Unix epoch. `time` is event time (from the sensor);
// `receivedAt` is when Vigil got the message (wall clock, for latency and staleness).

/** One raw message as it came off the wire (MQTT, a replay file, the simulator). */
export interface SensorMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly receivedAt: number;
}

/** A parsed, validated message: one machine, one instant, one or several channels. */
export interface Reading {
  readonly machineId: string;
  readonly time: number;
  readonly values: Readonly<Record<string, number>>;
  readonly receivedAt: number;
}

/** One machine's channels assembled at one event time, in the model's channel order. */
export interface Sample {
  readonly machineId: string;
  readonly time: number;
  readonly values: Float32Array; // [channels]
  readonly receivedAt: number;
}

/** The last `size` samples of one machine, oldest first. */
export interface Window {
  readonly machineId: string;
  /** Event time of the newest sample. */
  readonly time: number;
  readonly channels: readonly string[];
  readonly data: Float32Array; // [size, channels], row-major
  readonly size: number;
  readonly receivedAt: number;
}

/** A detector's verdict on one window: total and per-channel anomaly score. */
export interface Score {
  readonly machineId: string;
  readonly time: number;
  readonly receivedAt: number;
  readonly value: number;
  readonly perChannel: Readonly<Record<string, number>>;
  readonly model: { readonly name: string; readonly version: string };
  /** The scored window, so windows later judged normal can feed online learning. */
  readonly window?: Window;
}

export type Severity = 'warning' | 'critical';
export type AlertState = 'raised' | 'updated' | 'cleared';

/** A maintenance alert: one lifecycle event of one anomaly episode on one machine. */
export interface Alert {
  /** Stable across every event of one episode and across redeliveries. */
  readonly id: string;
  readonly machineId: string;
  readonly state: AlertState;
  readonly severity: Severity;
  readonly score: number;
  readonly threshold: number;
  /** With decision.likelihood: the anomaly likelihood's log score, what `threshold` judged (absent otherwise). */
  readonly likelihoodScore?: number;
  /** Channels that contribute most to the score, largest first; share = score / sum of all channels' scores. */
  readonly topChannels: readonly { readonly channel: string; readonly score: number; readonly share?: number }[];
  /** Event time of the window that caused this event. */
  readonly time: number;
  readonly receivedAt: number;
  /** When the episode was first raised (event time). */
  readonly startedAt: number;
  readonly model: { readonly name: string; readonly version: string };
  /** Per-machine sequence number, increasing across restarts: consumers order and de-duplicate by it. */
  readonly seq: number;
}

/** Why a message was refused; every reason is a counter (and a metrics series) from the start. */
export const DEAD_LETTER_REASONS = [
  'oversized', 'malformed-json', 'unknown-topic', 'missing-timestamp', 'bad-timestamp', 'absurd-timestamp',
  'out-of-order', 'duplicate', 'non-numeric', 'non-finite', 'no-values', 'unknown-channel', 'shed',
] as const;

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** Bad input as a value: counted by reason, optionally published, never thrown. */
export interface DeadLetter {
  readonly reason: DeadLetterReason;
  readonly detail: string;
  readonly topic: string;
  readonly receivedAt: number;
  /** The first bytes of the payload, for the dead-letter topic and logs. */
  readonly preview: string;
}
