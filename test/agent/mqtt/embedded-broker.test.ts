// The embedded broker (aedes, MQTT 3.1.1) with openMqttLink: what Vigil runs when no broker is configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, openEmbeddedBroker } from '../../../agent/mqtt/embedded-broker.js';
import { type OpenedMqttLink, openMqttLink } from '../../../agent/mqtt/mqtt-link.js';
import { captureLogs, waitFor } from './capture-logs.js';

describe('openEmbeddedBroker + openMqttLink (MQTT 3.1.1)', () => {
  let broker: EmbeddedBroker;
  const links: OpenedMqttLink[] = [];
  const open = async (...args: Parameters<typeof openMqttLink>): Promise<OpenedMqttLink> => {
    const link = await openMqttLink(...args);
    links.push(link);
    return link;
  };
  beforeAll(async () => {
    broker = await openEmbeddedBroker();
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close(100)));
    await broker.close();
  });

  it('listens on a free loopback port and reports its URL', () => {
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
  });

  it('delivers QoS 1 messages; publish resolves once the broker acknowledged (PUBACK)', async () => {
    const sub = await open({ url: broker.url });
    const pub = await open({ url: broker.url });
    await Promise.all([sub.untilConnected(), pub.untilConnected()]);
    const got: string[] = [];
    const times: number[] = [];
    sub.onMessage((topic, payload, receivedAt) => {
      times.push(receivedAt);
      got.push(`${topic}=${payload.toString()}`);
    });
    await sub.subscribe('plant/+/temp', 1);
    for (let i = 0; i < 100; i++) await pub.publish('plant/m1/temp', String(i), { qos: 1 });
    await waitFor('100 messages', () => got.length === 100);
    expect(got[0]).toBe('plant/m1/temp=0');
    expect(got[99]).toBe('plant/m1/temp=99');
    expect(times.every((t, i) => t > 0 && (i === 0 || t >= times[i - 1]))).toBe(true);
  });

  it('moves 20,000 QoS 1 messages without loss through a 100-message in-flight window', async () => {
    const sub = await open({ url: broker.url });
    const pub = await open({ url: broker.url, maxInflight: 100 });
    await Promise.all([sub.untilConnected(), pub.untilConnected()]);
    let got = 0;
    sub.onMessage(() => void got++);
    await sub.subscribe('bulk/#', 1);
    await Promise.all(Array.from({ length: 20_000 }, (_, i) => pub.publish('bulk/x', `{"i":${i}}`, { qos: 1 })));
    await waitFor('20,000 messages', () => got === 20_000);
  });

  it('refuses MQTT 5 (aedes speaks 3.1.1 only) and says so in the log', async () => {
    const logs = captureLogs();
    const link = await open({ url: broker.url, protocolVersion: 5, reconnect: { initialMs: 50, maxMs: 100 } }, logs.logger);
    await expect(link.untilConnected(500)).rejects.toThrow(/Unacceptable protocol version/);
    expect(link.connected).toBe(false);
    expect(logs.find('connection attempt failed').length).toBeGreaterThan(0);
  });

  it('close() disconnects clients; publishing afterwards rejects at once instead of queueing', async () => {
    const own = await openEmbeddedBroker();
    const link = await open({ url: own.url, reconnect: { initialMs: 20, maxMs: 50 } });
    await link.untilConnected();
    const changes: boolean[] = [];
    link.onConnectionChange((up) => changes.push(up));
    await own.close();
    await waitFor('disconnect', () => !link.connected);
    expect(changes).toEqual([false]);
    await expect(link.publish('a/b', 'x', { qos: 1 })).rejects.toThrow(/not connected/);
    await expect(link.publish('a/b', 'x', { qos: 0 })).rejects.toThrow(/not connected/);
  });
});
