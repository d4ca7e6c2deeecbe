// openMqttLink: MqttLink over mqtt.js 5, for MQTT 3.1.1 and 5, plain or TLS.
// - Opening checks the config and reads secrets, then connects in the background: a daemon starts
//   before its broker does. untilConnected() waits for the first session when a caller needs it.
// - One mqtt.js client per connection attempt, with mqtt.js's own reconnect off. When a connection
//   drops, the client and its in-memory stores are thrown away and every unacknowledged publish is
//   rejected at once: the durable outbox owns retries. The next attempt waits a jittered exponential
//   backoff (backoff.ts); `reconnects` counts sessions re-established after the first.
// - Subscriptions are remembered and sent again on every connection unless the broker resumed the
//   session (CONNACK session present).
// - Flow control: at most min(maxInflight, the broker's Receive Maximum) publishes in flight (QoS 0
//   until written, QoS 1 until PUBACK); the rest wait here in order and are rejected with them on a
//   drop. Measured: mqtt.js given 50,000 publishes at once with callbacks stalls for seconds (one
//   'drain' listener per write), and MQTT 5 brokers may disconnect a client exceeding their Receive
//   Maximum. For MQTT 5 we also send our own Receive Maximum (default 1000): against mosquitto
//   2.0.11 a CONNECT without one made QoS 1 delivery to us slow enough to overflow the broker's
//   1000-message queue (20,000 sent, 18,900 arrived); with one, all arrived.
// - The password never reaches a log line or an error: all text from mqtt.js passes through scrub().

import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';
import type { MqttLink, PublishOptions } from './link.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { backoffDelay } from './backoff.js';
import { type MqttLinkConfig, resolveMqttLinkConfig } from './mqtt-link-config.js';

export type { MqttLinkConfig } from './mqtt-link-config.js';

/** What the link logs through: pino's Logger fits. */
export interface LinkLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): LinkLogger;
}

export interface LinkDeps {
  /** Uniform in [0, 1), for the backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /** Stamps receivedAt on messages. Default systemClock (the one the pipeline's decisions use). */
  readonly clock?: Clock;
  /** Environment holding password.env. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface OpenedMqttLink extends MqttLink {
  readonly clientId: string;
  /** Resolves once connected (at once if already); rejects after deadlineMs naming the last error. */
  untilConnected(deadlineMs?: number): Promise<void>;
}

const silent: LinkLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

interface Pending {
  readonly send: () => void;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export async function openMqttLink(config: MqttLinkConfig, logger: LinkLogger = silent, deps: LinkDeps = {}): Promise<OpenedMqttLink> {
  const cfg = resolveMqttLinkConfig(config, deps.env);
  const { scrub, safeUrl } = cfg;
  const random = deps.random ?? Math.random;
  const clock = deps.clock ?? systemClock;
  const log = logger.child({ stage: 'mqtt', broker: safeUrl, clientId: cfg.clientId });

  let client: MqttClient | null = null;
  let connected = false;
  let closed = false;
  let everConnected = false;
  let reconnects = 0;
  let failures = 0; // consecutive failed attempts, the backoff exponent
  let lastError = 'no attempt yet';
  let timer: NodeJS.Timeout | null = null;
  let sendWindow = cfg.maxInflight; // publishes allowed in flight on this connection
  const inFlight = new Set<Pending>(); // handed to mqtt.js, awaiting PUBACK (QoS 1) or the write (QoS 0)
  let waiting: Pending[] = []; // publishes beyond the window, in order, from waitHead on
  let waitHead = 0; // (Array.shift is O(n) on a long queue)
  const filters = new Map<string, 0 | 1>(); // what we want subscribed
  const inSession = new Set<string>(); // what the broker's current session holds
  const messageListeners = new Set<(topic: string, payload: Buffer, receivedAt: number) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  const connectWaiters = new Set<() => void>();
  let drained: (() => void) | null = null;

  const errorText = (e: unknown): string => scrub(e instanceof Error ? e.message : String(e)).trim();
  const errorCode = (e: unknown): unknown => (e as { code?: unknown })?.code;

  function notify(up: boolean): void {
    for (const l of connectionListeners) {
      try {
        l(up);
      } catch (e) {
        log.error({ err: errorText(e) }, 'connection listener threw');
      }
    }
  }

  function settle(p: Pending, err: Error | null): void {
    if (!inFlight.delete(p)) return; // already rejected by a drop or close
    if (err) p.reject(err);
    else p.resolve();
    while (waitHead < waiting.length && inFlight.size < sendWindow && connected) start(waiting[waitHead++]);
    if (waitHead > 1024 && waitHead * 2 > waiting.length) {
      waiting = waiting.slice(waitHead);
      waitHead = 0;
    }
    if (drained && inFlight.size === 0 && waitHead === waiting.length) drained();
  }

  function start(p: Pending): void {
    inFlight.add(p);
    p.send();
  }

  function rejectAll(why: string): void {
    const all = [...inFlight, ...waiting.slice(waitHead)];
    waiting = [];
    waitHead = 0;
    inFlight.clear();
    for (const p of all) p.reject(new Error(why));
    if (all.length > 0) log.warn({ count: all.length }, `rejected unacknowledged publishes: ${why}`);
    drained?.();
  }

  function subscribeOn(c: MqttClient, wanted: [string, 0 | 1][]): Promise<void> {
    return new Promise((resolve, reject) => {
      c.subscribe(Object.fromEntries(wanted.map(([f, qos]) => [f, { qos }])), (err, granted) => {
        if (c !== client || !connected) return resolve(); // dropped: sent again on the next connection
        if (err) return reject(new Error(`subscribe to ${wanted.map((w) => `'${w[0]}'`).join(', ')} failed: ${errorText(err)}`));
        for (const g of granted ?? []) {
          if (g.qos >= 0x80) return reject(new Error(`broker refused the subscription to '${g.topic}' (reason code ${g.qos}); check the filter and the broker's ACL for this user`));
          inSession.add(g.topic);
        }
        resolve();
      });
    });
  }

  function onConnect(c: MqttClient, connack: IConnackPacket): void {
    if (c !== client || closed) return;
    connected = true;
    failures = 0;
    if (everConnected) reconnects++;
    everConnected = true;
    const brokerMax = cfg.protocolVersion === 5 ? connack.properties?.receiveMaximum ?? 65535 : Infinity;
    sendWindow = Math.min(cfg.maxInflight, brokerMax);
    const resumed = connack.sessionPresent === true && !cfg.clean;
    if (!resumed) inSession.clear();
    log.info({ sessionPresent: connack.sessionPresent, reconnects, inflightWindow: sendWindow }, 'connected');
    const missing = [...filters].filter(([f]) => !inSession.has(f));
    if (missing.length > 0) {
      subscribeOn(c, missing).then(
        () => log.debug({ filters: missing.map((m) => m[0]) }, resumed ? 'subscribed (new since the session began)' : 'subscribed'),
        (e) => log.error({ err: errorText(e) }, 'subscription failed'),
      );
    } else if (filters.size > 0) {
      log.debug({ filters: [...filters.keys()] }, 'session resumed: the broker kept our subscriptions');
    }
    notify(true);
    for (const w of connectWaiters) w();
  }

  function onClose(c: MqttClient): void {
    if (c !== client) return;
    client = null;
    const was = connected;
    connected = false;
    c.end(true); // discard the client and its in-memory stores
    rejectAll(`connection to ${safeUrl} lost before the broker acknowledged`);
    if (was) {
      log.warn({ reconnects }, 'disconnected');
      notify(false);
    }
    if (!closed) schedule();
  }

  function schedule(): void {
    const delayMs = backoffDelay(failures, cfg.backoff, random);
    log.debug({ attempt: failures + 1, delayMs, lastError }, 'reconnect scheduled');
    failures++;
    timer = setTimeout(attempt, delayMs);
  }

  function attempt(): void {
    timer = null;
    if (closed) return;
    log.debug({}, 'connecting');
    const c = mqtt.connect(cfg.url, { ...cfg.clientOptions });
    client = c;
    c.on('connect', (connack) => onConnect(c, connack));
    c.on('close', () => onClose(c));
    c.on('error', (e) => {
      lastError = errorText(e);
      if (c === client) log.warn({ err: lastError, code: errorCode(e) }, connected ? 'connection error' : 'connection attempt failed');
    });
    c.on('disconnect', (packet) => log.warn({ reasonCode: packet.reasonCode }, 'broker sent DISCONNECT'));
    c.on('message', (topic, payload) => {
      const receivedAt = clock.now();
      for (const l of messageListeners) {
        try {
          l(topic, payload, receivedAt);
        } catch (e) {
          log.error({ err: errorText(e), topic }, 'message listener threw');
        }
      }
    });
  }

  const link: OpenedMqttLink = {
    clientId: cfg.clientId,
    get connected() {
      return connected;
    },
    get reconnects() {
      return reconnects;
    },

    publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
      if (closed) return Promise.reject(new Error(`mqtt link to ${safeUrl} is closed`));
      const c = client;
      if (!connected || !c) return Promise.reject(new Error(`not connected to ${safeUrl}; retry later`));
      const qos = options.qos === 1 ? 1 : 0;
      return new Promise<void>((resolve, reject) => {
        const p: Pending = {
          resolve,
          reject,
          send: () => c.publish(topic, payload, { qos, retain: options.retain ?? false }, (err) => settle(p, err ? new Error(`publish to '${topic}' failed: ${errorText(err)}`) : null)),
        };
        if (inFlight.size >= sendWindow || waitHead < waiting.length) waiting.push(p);
        else start(p);
      });
    },

    subscribe(filter: string, qos: 0 | 1): Promise<void> {
      if (typeof filter !== 'string' || filter === '') return Promise.reject(new Error('subscribe: the filter must be a non-empty topic filter'));
      if (closed) return Promise.reject(new Error(`mqtt link to ${safeUrl} is closed`));
      filters.set(filter, qos === 1 ? 1 : 0);
      // Not connected: recorded, and sent when the next session starts.
      if (!connected || !client) return Promise.resolve();
      return subscribeOn(client, [[filter, qos === 1 ? 1 : 0]]).catch((e: unknown) => {
        filters.delete(filter); // refused: do not repeat it on every reconnect
        throw e;
      });
    },

    onMessage(listener) {
      messageListeners.add(listener);
      return () => void messageListeners.delete(listener);
    },

    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => void connectionListeners.delete(listener);
    },

    untilConnected(deadlineMs = 30_000): Promise<void> {
      if (connected) return Promise.resolve();
      if (closed) return Promise.reject(new Error(`mqtt link to ${safeUrl} is closed`));
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(t);
          connectWaiters.delete(done);
          resolve();
        };
        const t = setTimeout(() => {
          connectWaiters.delete(done);
          reject(new Error(`no connection to ${safeUrl} within ${deadlineMs} ms (last error: ${lastError})`));
        }, deadlineMs);
        connectWaiters.add(done);
      });
    },

    async close(deadlineMs = 5000): Promise<void> {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (inFlight.size > 0 || waitHead < waiting.length) {
        let t: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          drained = resolve;
          t = setTimeout(resolve, deadlineMs);
        });
        clearTimeout(t);
      }
      const forced = inFlight.size > 0 || waitHead < waiting.length; // the deadline passed
      rejectAll(`mqtt link to ${safeUrl} closed before the broker acknowledged`);
      const c = client;
      client = null;
      if (c) {
        // A clean DISCONNECT when connected (a kept session then lasts sessionExpirySeconds), else drop.
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => c.end(true, {}, () => resolve()), Math.max(deadlineMs, 100));
          c.end(forced || !connected, {}, () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      if (connected) {
        connected = false;
        notify(false);
      }
      log.info({ reconnects }, 'closed');
    },
  };

  attempt();
  return link;
}
