// Delivers what waits in the outbox over an MqttLink, QoS 1, and acknowledges it in the outbox.
//
// Contract:
// - Order per key: at most one record of a key is in flight; the next is published only once the
//   head is acknowledged (or dropped by the outbox). Keys proceed in parallel. So the first
//   publication of each record follows append order per key; republications repeat the same
//   record (same topic and payload, hence the same id inside it).
// - ackMode 'broker': the PUBACK acknowledges the record. 'consumer': the record stays pending
//   until a message naming its id arrives on ackTopic (subscribed at start; the link renews it on
//   reconnect). The ack payload is either JSON `{"id":"<record id>"}` or the bare id as UTF-8 text
//   (surrounding whitespace ignored). Without that ack within retryMs after the PUBACK, the record
//   is published again. Acks for ids that are not pending are ignored (duplicates are normal).
// - Link down: in-flight publishes are abandoned (the link rejects them), nothing is acknowledged,
//   delivery pauses; on reconnect every key resumes from its oldest pending record, republishing
//   what was not acknowledged. A publish rejected while connected is retried after retryMs.
// - retain is passed through as the record says (meant for 'state' records).
// - drain(deadlineMs): for shutdown; resolves when the outbox is empty or after deadlineMs, saying
//   what is left (it stays in the outbox for the next start). stop() detaches; it closes neither the
//   link nor the outbox (their owner does, after it).

import type { MqttLink } from '../mqtt/link.js';
import type { Outbox, OutboxLogger, OutboxRecord } from './outbox.js';

export interface AlertDeliveryOptions {
  readonly outbox: Outbox;
  readonly link: MqttLink;
  readonly ackMode: 'broker' | 'consumer';
  /** Required in 'consumer' mode: where consumers acknowledge records by id. */
  readonly ackTopic?: string;
  /** Wait before retrying a failed publish, and for a consumer ack before republishing. */
  readonly retryMs: number;
  readonly logger?: OutboxLogger;
}

export interface DeliveryStats {
  /** Records acknowledged through this delivery (PUBACK or consumer ack). */
  readonly delivered: number;
  /** Publish calls, first or repeated. */
  readonly published: number;
  /** Publish calls that repeated a record already published since start. */
  readonly republished: number;
  /** Records published and not yet acknowledged. */
  readonly inFlight: number;
  /** Publishes rejected while the link said it was connected. */
  readonly failures: number;
}

export interface DrainResult {
  readonly drained: boolean;
  readonly left: number;
  readonly leftByKey: Readonly<Record<string, number>>;
}

export interface AlertDelivery {
  readonly stats: DeliveryStats;
  drain(deadlineMs: number): Promise<DrainResult>;
  stop(): void;
}

/** The record id named by a consumer ack payload: JSON {"id": "..."} or the bare id. */
export function parseAckId(payload: Buffer | string): string | undefined {
  const text = payload.toString().trim();
  if (text.startsWith('{')) {
    try {
      const id = (JSON.parse(text) as { id?: unknown }).id;
      return typeof id === 'string' && id !== '' ? id : undefined;
    } catch {
      return undefined;
    }
  }
  return text === '' ? undefined : text;
}

interface Lane {
  readonly key: string;
  /** publishing: waiting for PUBACK; awaiting-ack: for the consumer; backoff: before a retry. */
  phase: 'idle' | 'publishing' | 'awaiting-ack' | 'backoff';
  current?: string;
  timer?: NodeJS.Timeout;
}

const silent: OutboxLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function startAlertDelivery(options: AlertDeliveryOptions): AlertDelivery {
  const { outbox, link, ackMode, ackTopic, retryMs } = options;
  if (ackMode !== 'broker' && ackMode !== 'consumer') throw new TypeError(`ackMode must be 'broker' or 'consumer'; got ${String(ackMode)}`);
  if (ackMode === 'consumer' && !ackTopic) throw new TypeError("ackMode 'consumer' needs ackTopic: the topic consumers acknowledge record ids on");
  if (!(retryMs > 0)) throw new RangeError(`retryMs must be > 0; got ${retryMs}`);
  const log = options.logger ?? silent;
  const lanes = new Map<string, Lane>();
  const attempts = new Map<string, number>();
  const counts = { delivered: 0, published: 0, republished: 0, failures: 0 };
  let epoch = 0; // bumped on disconnect: completions of older publishes no longer steer a lane
  let stopped = false;
  let subscribed = ackMode === 'broker';
  let subscribing = false;

  function release(lane: Lane): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.current = undefined;
    lane.phase = 'idle';
  }

  function pump(key: string): void {
    if (stopped || !link.connected || !subscribed) return;
    let lane = lanes.get(key);
    if (lane && lane.phase !== 'idle') return;
    const record = outbox.head(key);
    if (!record) {
      lanes.delete(key);
      return;
    }
    if (!lane) lanes.set(key, (lane = { key, phase: 'idle' }));
    publish(lane, record);
  }

  function pumpAll(): void {
    for (const key of outbox.keys()) pump(key);
  }

  function publish(lane: Lane, record: OutboxRecord): void {
    const mine = epoch;
    const n = (attempts.get(record.id) ?? 0) + 1;
    attempts.set(record.id, n);
    counts.published++;
    if (n > 1) counts.republished++;
    lane.phase = 'publishing';
    lane.current = record.id;
    const steering = (): boolean => !stopped && mine === epoch && lane.current === record.id;
    link.publish(record.topic, record.payload, { qos: 1, retain: record.retain === true }).then(
      () => {
        const acked = ackMode === 'broker' && outbox.ack(record.id);
        if (acked) counts.delivered++;
        if (!steering()) return;
        if (ackMode === 'broker' || !outbox.has(record.id)) {
          release(lane);
          // Still pending after a PUBACK means the outbox is closed: do not publish it again.
          if (acked || !outbox.has(record.id)) pump(lane.key);
          return;
        }
        lane.phase = 'awaiting-ack';
        lane.timer = setTimeout(() => {
          log.debug({ id: record.id, key: lane.key }, 'delivery: no consumer ack in time; publishing again');
          release(lane);
          pump(lane.key);
        }, retryMs);
      },
      (err: unknown) => {
        if (!steering()) return;
        if (!link.connected) {
          release(lane); // resumed by the reconnection
          return;
        }
        counts.failures++;
        log.warn({ err, id: record.id, key: lane.key }, `delivery: publish failed while connected; retrying in ${retryMs} ms`);
        lane.phase = 'backoff';
        lane.timer = setTimeout(() => {
          release(lane);
          pump(lane.key);
        }, retryMs);
      },
    );
  }

  function subscribe(): void {
    if (subscribed || subscribing || stopped || !link.connected) return;
    subscribing = true;
    link.subscribe(ackTopic!, 1).then(
      () => {
        subscribing = false;
        subscribed = true;
        pumpAll();
      },
      (err: unknown) => {
        subscribing = false;
        log.warn({ err, ackTopic }, `delivery: subscribing to the ack topic failed; retrying in ${retryMs} ms`);
        setTimeout(subscribe, retryMs).unref();
      },
    );
  }

  const unwatch = outbox.watch((event) => {
    const { id, key } = event.record;
    if (event.type === 'append') return pump(key);
    attempts.delete(id);
    const lane = lanes.get(key);
    // Settled while the consumer ack was awaited (or dropped by the outbox): move on.
    if (lane && lane.current === id && lane.phase === 'awaiting-ack') {
      release(lane);
      pump(key);
    }
  });

  const unlisten = link.onMessage((topic, payload) => {
    if (ackMode !== 'consumer' || topic !== ackTopic) return;
    const id = parseAckId(payload);
    if (id === undefined) log.warn({ topic, payload: payload.subarray(0, 80).toString() }, 'delivery: ack message names no id; ignored');
    else if (outbox.ack(id)) counts.delivered++;
  });

  const unconnect = link.onConnectionChange((connected) => {
    if (stopped) return;
    if (!connected) {
      epoch++;
      for (const lane of lanes.values()) release(lane);
      log.info({ pending: outbox.depth }, 'delivery: link down; paused');
      return;
    }
    log.info({ pending: outbox.depth }, 'delivery: link up; resuming');
    subscribe();
    pumpAll();
  });

  subscribe();
  pumpAll();

  return {
    get stats(): DeliveryStats {
      let inFlight = 0;
      for (const l of lanes.values()) if (l.phase === 'publishing' || l.phase === 'awaiting-ack') inFlight++;
      return { ...counts, inFlight };
    },
    drain(deadlineMs) {
      return new Promise((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        let unwatchDrain = (): void => {};
        const finish = (): void => {
          clearTimeout(timer);
          unwatchDrain();
          const leftByKey: Record<string, number> = {};
          for (const key of outbox.keys()) leftByKey[key] = outbox.pending(key).length;
          resolve({ drained: outbox.depth === 0, left: outbox.depth, leftByKey });
        };
        if (outbox.depth === 0) return finish();
        unwatchDrain = outbox.watch(() => {
          if (outbox.depth === 0) finish();
        });
        timer = setTimeout(finish, deadlineMs);
        pumpAll();
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      epoch++;
      for (const lane of lanes.values()) release(lane);
      lanes.clear();
      unwatch();
      unlisten();
      unconnect();
    },
  };
}
