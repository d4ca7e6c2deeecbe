// An MQTT consumer for end-to-end tests: subscribes to filters and keeps every message it receives, in
// arrival order, with its retain and dup flags. mqtt.js reconnects it every 200 ms while the broker is
// away; with clean: false and a fixed clientId it is a persistent session, so the broker keeps QoS 1
// messages for it while it is disconnected (test/helpers/mosquitto.ts with persistence keeps them
// across broker restarts too). mqtt.js acknowledges each QoS 1 message after its 'message' event.

import mqtt, { type MqttClient } from 'mqtt';
import { waitFor } from './wait-for.js';

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  readonly dup: boolean;
  readonly at: number;
}

export interface CollectorOptions {
  readonly clientId?: string;
  /** Default true. false: a persistent session (needs clientId). */
  readonly clean?: boolean;
  readonly qos?: 0 | 1;
}

export interface MqttCollector {
  readonly messages: readonly ReceivedMessage[];
  /** Successful connections so far (the first included). */
  readonly connects: number;
  readonly connected: boolean;
  /** The first message (already received or still to come) matching `match`. */
  waitForMessage(what: string, match: (m: ReceivedMessage) => boolean, boundMs?: number): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

export async function openCollector(url: string, filters: readonly string[], options: CollectorOptions = {}): Promise<MqttCollector> {
  const { clean = true, qos = 1 } = options;
  const client: MqttClient = mqtt.connect(url, {
    protocolVersion: 4,
    clean,
    reconnectPeriod: 200,
    connectTimeout: 5000,
    ...(options.clientId ? { clientId: options.clientId } : {}),
  });
  const messages: ReceivedMessage[] = [];
  let connects = 0;
  client.on('connect', () => connects++);
  client.on('error', () => undefined); // connection refused while the broker is down: mqtt.js retries
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain === true, dup: packet.dup === true, at: Date.now() });
  });
  await new Promise<void>((resolve, reject) => {
    const onConnect = (): void => {
      client.off('connect', onConnect);
      client.subscribe(Object.fromEntries(filters.map((f) => [f, { qos }])), (err) => (err ? reject(err) : resolve()));
    };
    client.on('connect', onConnect);
  });
  return {
    messages,
    get connects() {
      return connects;
    },
    get connected() {
      return client.connected;
    },
    async waitForMessage(what, match, boundMs = 60_000) {
      let found: ReceivedMessage | undefined;
      await waitFor(what, () => (found = messages.find(match)) !== undefined, {
        boundMs,
        detail: () => `received ${messages.length} messages; last: ${messages.slice(-5).map((m) => `${m.topic} ${m.payload.slice(0, 200)}`).join('\n')}`,
      });
      return found!;
    },
    close: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
}

/** The retained message on `topic` as a fresh subscriber sees it, or null if none arrives within waitMs. */
export async function readRetained(url: string, topic: string, waitMs = 1000): Promise<ReceivedMessage | null> {
  const c = await openCollector(url, [topic], { qos: 0 });
  try {
    await waitFor(`retained ${topic}`, () => c.messages.length > 0, { boundMs: waitMs }).catch(() => undefined);
    return c.messages.find((m) => m.retain) ?? null;
  } finally {
    await c.close();
  }
}
