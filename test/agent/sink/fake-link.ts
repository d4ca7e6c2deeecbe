// An in-memory MqttLink for delivery tests. The "broker" logs every publish it receives (even
// when the PUBACK is then lost) and answers in publish order: it reorders nothing.
// Knobs: down()/up() (down rejects every publish awaiting its PUBACK, as the real link does),
// dropAcks (the broker gets the message but the PUBACK never comes), failNext (reject publishes
// while connected), deliver() (a message arrives on a subscribed topic).

import type { MqttLink, PublishOptions } from '../../../agent/mqtt/link.js';

export interface Publication {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
  readonly qos: 0 | 1;
  /** Topics of the publishes still awaiting their PUBACK when this one was sent. */
  readonly awaiting: readonly string[];
}

interface Awaiting {
  readonly topic: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class FakeLink implements MqttLink {
  connected: boolean;
  reconnects = 0;
  readonly published: Publication[] = [];
  readonly subscriptions: string[] = [];
  /** The broker receives publishes but their PUBACKs are lost (until set back to false). */
  dropAcks = false;
  /** Reject this many publishes while connected. */
  failNext = 0;
  private readonly awaiting = new Set<Awaiting>();
  private readonly messageListeners = new Set<(topic: string, payload: Buffer, receivedAt: number) => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();

  constructor(connected = true) {
    this.connected = connected;
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('not connected'));
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('publish refused'));
    }
    const awaiting = [...this.awaiting].map((a) => a.topic);
    this.published.push({ topic, payload: Buffer.from(payload), retain: options.retain === true, qos: options.qos, awaiting });
    return new Promise((resolve, reject) => {
      const a: Awaiting = { topic, resolve, reject };
      this.awaiting.add(a);
      if (this.dropAcks || options.qos === 0) {
        if (options.qos === 0) resolve();
        return;
      }
      setImmediate(() => {
        if (this.awaiting.delete(a)) resolve();
      });
    });
  }

  async subscribe(filter: string): Promise<void> {
    if (!this.connected) throw new Error('not connected');
    this.subscriptions.push(filter);
  }

  onMessage(listener: (topic: string, payload: Buffer, receivedAt: number) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** A message from the broker on a topic someone subscribed to (exact filters only). */
  deliver(topic: string, payload: string | Buffer): void {
    if (!this.connected || !this.subscriptions.includes(topic)) return;
    for (const l of this.messageListeners) l(topic, Buffer.from(payload), Date.now());
  }

  down(): void {
    if (!this.connected) return;
    this.connected = false;
    for (const a of this.awaiting) a.reject(new Error('connection lost'));
    this.awaiting.clear();
    for (const l of this.connectionListeners) l(false);
  }

  up(): void {
    if (this.connected) return;
    this.connected = true;
    this.reconnects++;
    for (const l of this.connectionListeners) l(true);
  }

  async close(): Promise<void> {
    this.down();
  }
}
