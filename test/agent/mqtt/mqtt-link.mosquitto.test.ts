// openMqttLink against a real mosquitto 2.0, MQTT 3.1.1 and MQTT 5: acknowledgements, drops, backoff,
// re-subscription and persistent sessions. Each test that stops or kills a broker starts its own.
import { afterAll, describe, expect, it } from 'vitest';
import { type LinkDeps, type MqttLinkConfig, type OpenedMqttLink, openMqttLink } from '../../../agent/mqtt/mqtt-link.js';
import { MOSQUITTO_MISSING, type Mosquitto, type MosquittoOptions, startMosquitto } from '../../helpers/mosquitto.js';
import { captureLogs, waitFor } from './capture-logs.js';

const brokers: Mosquitto[] = [];
const links: OpenedMqttLink[] = [];
afterAll(async () => {
  await Promise.all(links.map((l) => l.close(100)));
  await Promise.all(brokers.map((b) => b.close()));
});
async function broker(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const b = await startMosquitto(options);
  brokers.push(b);
  return b;
}
async function link(config: MqttLinkConfig, logs = captureLogs(), deps: LinkDeps = {}): Promise<OpenedMqttLink> {
  const l = await openMqttLink(config, logs.logger, deps);
  links.push(l);
  return l;
}
function collect(l: OpenedMqttLink): string[] {
  const got: string[] = [];
  l.onMessage((topic, payload) => got.push(`${topic}=${payload.toString()}`));
  return got;
}

for (const protocolVersion of [4, 5] as const) {
  describe.skipIf(MOSQUITTO_MISSING !== null)(`openMqttLink against mosquitto, MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`, () => {
    it('QoS 1 publish resolves on PUBACK; the subscriber gets the message', async () => {
      const b = await broker();
      const sub = await link({ url: b.url, protocolVersion });
      const pub = await link({ url: b.url, protocolVersion });
      await Promise.all([sub.untilConnected(), pub.untilConnected()]);
      const got = collect(sub);
      await sub.subscribe('plant/+/temp', 1);
      await pub.publish('plant/m1/temp', '21.5', { qos: 1 });
      await waitFor('the message', () => got.length === 1);
      expect(got).toEqual(['plant/m1/temp=21.5']);
    });

    it('a publish awaiting PUBACK rejects as soon as the broker dies, not later and not never', async () => {
      const b = await broker();
      const pub = await link({ url: b.url, protocolVersion, reconnect: { initialMs: 50, maxMs: 200 } });
      await pub.untilConnected();
      b.pause(); // the broker hangs: the PUBLISH is written, no PUBACK can come
      let outcome = 'pending';
      const p = pub.publish('plant/m1/temp', '1', { qos: 1 }).then(() => (outcome = 'resolved'), (e: Error) => (outcome = `rejected: ${e.message}`));
      await new Promise((r) => setTimeout(r, 200));
      expect(outcome).toBe('pending');
      await b.kill(); // the kernel closes the broker's sockets
      await p;
      // Rejected by the link's drop handling or by mqtt.js flushing the packet on close: either way, at once.
      expect(outcome).toMatch(/^rejected: (connection to mqtt:\/\/127\.0\.0\.1:\d+ lost before the broker acknowledged|publish to 'plant\/m1\/temp' failed: Connection closed)$/);
      await expect(pub.publish('plant/m1/temp', '2', { qos: 1 })).rejects.toThrow(/not connected/);
    });

    it('reconnects with jittered exponential backoff after a stop and restart, counts it, and re-subscribes', async () => {
      const b = await broker(); // no persistence: the restarted broker has forgotten every subscription
      const logs = captureLogs();
      const policy = { initialMs: 100, maxMs: 800, factor: 2 };
      const sub = await link({ url: b.url, protocolVersion, reconnect: policy }, logs, { random: () => 0.999 });
      const pub = await link({ url: b.url, protocolVersion, reconnect: policy });
      await Promise.all([sub.untilConnected(), pub.untilConnected()]);
      const got = collect(sub);
      const changes: boolean[] = [];
      sub.onConnectionChange((up) => changes.push(up));
      await sub.subscribe('plant/#', 1);

      await b.stop();
      await waitFor('the link to notice', () => !sub.connected);
      await waitFor('five failed attempts', () => logs.find('reconnect scheduled').length >= 5);
      await expect(pub.publish('plant/m1/temp', 'lost', { qos: 1 })).rejects.toThrow(/not connected/);
      await b.start();
      await Promise.all([sub.untilConnected(), pub.untilConnected()]);

      // random() = 0.999 puts each delay just under its cap: 100, 200, 400, 800, 800 ... ms.
      const delays = logs.find('reconnect scheduled').map((r) => r.delayMs);
      expect(delays.slice(0, 5)).toEqual([99, 199, 399, 799, 799]);
      expect(sub.reconnects).toBe(1);
      expect(changes).toEqual([false, true]);
      await waitFor('re-subscription on the new connection', () => logs.find('subscribed').length === 1);
      await pub.publish('plant/m1/temp', 'after-restart', { qos: 1 });
      await waitFor('the message after the restart', () => got.length === 1);
      expect(got).toEqual(['plant/m1/temp=after-restart']);
    });

    it('persistent session: QoS 1 messages published while the subscriber was away arrive when it returns', async () => {
      const b = await broker({ maxQueuedMessages: 1000 });
      const session: MqttLinkConfig = { url: b.url, protocolVersion, clean: false, clientId: `vigil-sub-v${protocolVersion}`, sessionExpirySeconds: 300 };
      const first = await link(session);
      await first.untilConnected();
      await first.subscribe('plant/#', 1);
      await first.close();

      const pub = await link({ url: b.url, protocolVersion });
      await pub.untilConnected();
      for (let i = 0; i < 50; i++) await pub.publish(`plant/m1/temp`, String(i), { qos: 1 });

      const logs = captureLogs();
      const back = await link(session, logs);
      const got = collect(back); // no subscribe() call: the broker kept the subscription
      await waitFor('50 queued messages', () => got.length === 50);
      expect(got.map((g) => g.split('=')[1])).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
      expect(logs.find('connected')[0]).toMatchObject({ sessionPresent: true });
    });

    it('persistent session survives a broker restart when the broker persists (autosave explicit)', async () => {
      const b = await broker({ persistence: true, autosaveIntervalS: 1 });
      const session: MqttLinkConfig = { url: b.url, protocolVersion, clean: false, clientId: `vigil-keep-v${protocolVersion}` };
      const first = await link(session);
      await first.untilConnected();
      await first.subscribe('plant/#', 1);
      await first.close();
      const pub = await link({ url: b.url, protocolVersion, reconnect: { initialMs: 50, maxMs: 200 } });
      await pub.untilConnected();
      for (let i = 0; i < 20; i++) await pub.publish('plant/m2/vib', String(i), { qos: 1 });
      await b.stop(); // SIGTERM: mosquitto writes its database on the way out
      await b.start();
      const back = await link(session);
      const got = collect(back);
      await waitFor('20 messages kept across the restart', () => got.length === 20);
      expect(got[19]).toBe('plant/m2/vib=19');
    });
  });
}

describe.skipIf(MOSQUITTO_MISSING !== null)('close()', () => {
  it('waits for in-flight acknowledgements, then sends DISCONNECT', async () => {
    const b = await broker();
    const pub = await link({ url: b.url });
    await pub.untilConnected();
    const acks = Array.from({ length: 200 }, (_, i) => pub.publish('plant/m1/temp', String(i), { qos: 1 }));
    await pub.close(10_000);
    await expect(Promise.all(acks)).resolves.toHaveLength(200);
    expect(pub.connected).toBe(false);
    await waitFor('mosquitto to log the clean disconnect', () => /Client \S+ disconnected\./.test(b.log()));
  });

  it('gives up at the deadline: what is still unacknowledged rejects, close resolves', async () => {
    const b = await broker();
    const pub = await link({ url: b.url });
    await pub.untilConnected();
    b.pause();
    const p = pub.publish('plant/m1/temp', '1', { qos: 1 }).then(() => 'resolved', (e: Error) => e.message);
    await pub.close(200);
    expect(await p).toMatch(/closed before the broker acknowledged/);
    b.resume();
  });

  it('stops reconnecting: a link to a dead broker makes no attempt after close', async () => {
    const b = await broker();
    await b.kill();
    const logs = captureLogs();
    const l = await link({ url: b.url, reconnect: { initialMs: 20, maxMs: 40 } }, logs);
    await waitFor('a few attempts', () => logs.find('connecting').length >= 3);
    await l.close();
    const attempts = logs.find('connecting').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(logs.find('connecting').length).toBe(attempts);
    await expect(l.publish('a', 'b', { qos: 1 })).rejects.toThrow(/is closed/);
  });
});

describe.skipIf(MOSQUITTO_MISSING !== null)('MQTT 5 QoS 1 throughput against mosquitto defaults (receive maximum 20, queue 1000)', () => {
  it('20,000 QoS 1 messages all arrive: the link sends a receive maximum and honours the broker\'s', async () => {
    const b = await broker();
    const logs = captureLogs();
    const sub = await link({ url: b.url, protocolVersion: 5 });
    const pub = await link({ url: b.url, protocolVersion: 5 }, logs);
    await Promise.all([sub.untilConnected(), pub.untilConnected()]);
    let got = 0;
    sub.onMessage(() => void got++);
    await sub.subscribe('bulk/#', 1);
    await Promise.all(Array.from({ length: 20_000 }, (_, i) => pub.publish('bulk/x', `{"i":${i}}`, { qos: 1 })));
    await waitFor('20,000 messages', () => got === 20_000);
    expect(logs.find('connected')[0]).toMatchObject({ inflightWindow: 20 }); // mosquitto's receive maximum
  });
});
