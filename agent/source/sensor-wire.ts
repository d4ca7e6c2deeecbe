// The wire format Vigil's own sources emit (the simulator and replay), which is also what the
// default topic patterns expect from real sensors:
//   per-channel  topic `<prefix>/<machineId>/<channel>`  payload {"ts":<epoch ms>,"value":<number>}
//   per-machine  topic `<prefix>/<machineId>`            payload {"ts":<epoch ms>,"values":{"<channel>":<number>,...}}
// `ts` is event time in epoch milliseconds (a number, so there is no time-zone question);
// `receivedAt` is the caller's clock. Names are made topic-safe by topicSafe().

import type { SensorMessage } from '../types.js';

export type MessageLayout = 'per-channel' | 'per-machine';

export const DEFAULT_TOPIC_PREFIX = 'plant';

/** One channel's value at one event time. */
export function channelMessage(prefix: string, machineId: string, channel: string, ts: number, value: number, receivedAt: number): SensorMessage {
  return {
    topic: `${prefix}/${machineId}/${channel}`,
    payload: Buffer.from(`{"ts":${ts},"value":${JSON.stringify(value)}}`),
    receivedAt,
  };
}

/** All of one machine's channels at one event time. */
export function machineMessage(
  prefix: string, machineId: string, ts: number, values: Readonly<Record<string, number>>, receivedAt: number,
): SensorMessage {
  return {
    topic: `${prefix}/${machineId}`,
    payload: Buffer.from(JSON.stringify({ ts, values })),
    receivedAt,
  };
}

/**
 * A name usable as one topic level and as a config key: every character outside
 * [A-Za-z0-9_.-] becomes '_' ("Volume Flow RateRMS" → "Volume_Flow_RateRMS"), so no name can
 * inject a level ('/') or an MQTT wildcard ('+', '#').
 */
export function topicSafe(name: string): string {
  const safe = name.trim().replace(/[^A-Za-z0-9_.-]/g, '_');
  return safe === '' ? '_' : safe;
}
