// openMqttLink over TLS against mosquitto: a CA generated at test time, a client certificate the broker
// requires, and a username whose password comes from a file (or an env var). The password must never
// appear in anything the link logs or throws, even when the broker refuses it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MqttLinkConfig, type OpenedMqttLink, openMqttLink } from '../../../agent/mqtt/mqtt-link.js';
import { MOSQUITTO_MISSING, type Mosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { type CapturedLogs, captureLogs, waitFor } from './capture-logs.js';

const SECRET = 'correct-Horse-7-battery';
const WRONG = 'wrong-Pony-3-staple';

describe.skipIf(MOSQUITTO_MISSING !== null)('openMqttLink over TLS with a client certificate and a password', () => {
  let broker: Mosquitto;
  let base: MqttLinkConfig;
  const links: OpenedMqttLink[] = [];
  const allLogs: CapturedLogs[] = [];
  async function open(config: Partial<MqttLinkConfig>, env?: NodeJS.ProcessEnv): Promise<{ link: OpenedMqttLink; logs: CapturedLogs }> {
    const logs = captureLogs();
    allLogs.push(logs);
    const link = await openMqttLink({ ...base, ...config }, logs.logger, { env });
    links.push(link);
    return { link, logs };
  }

  beforeAll(async () => {
    broker = await startMosquitto({ tls: { requireCertificate: true }, users: { 'edge-1': SECRET } });
    const tls = broker.tls!;
    writeFileSync(join(broker.dir, 'edge-1.password'), `${SECRET}\n`);
    writeFileSync(join(broker.dir, 'wrong.password'), `${WRONG}\n`);
    base = {
      url: broker.url,
      username: 'edge-1',
      password: { file: join(broker.dir, 'edge-1.password') },
      tls: { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile },
      reconnect: { initialMs: 50, maxMs: 200 },
    };
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close(100)));
    await broker.close();
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: connects, subscribes and gets a QoS 1 message; the password is not in the logs`, async () => {
      const { link: sub, logs } = await open({ protocolVersion });
      const { link: pub } = await open({ protocolVersion, password: { env: 'VIGIL_MQTT_PASSWORD' } }, { VIGIL_MQTT_PASSWORD: SECRET });
      await Promise.all([sub.untilConnected(), pub.untilConnected()]);
      const got: string[] = [];
      sub.onMessage((topic, payload) => got.push(`${topic}=${payload.toString()}`));
      await sub.subscribe('plant/#', 1);
      await pub.publish('plant/m1/temp', '22', { qos: 1 });
      await waitFor('the message', () => got.length === 1);
      expect(got).toEqual(['plant/m1/temp=22']);
      expect(logs.find('connected').length).toBe(1);
      expect(logs.lines.join('\n')).not.toContain(SECRET);
    });
  }

  it('checks the broker certificate against servername when given (DNS name localhost)', async () => {
    const { link } = await open({ tls: { ...base.tls, servername: 'localhost' } });
    await link.untilConnected();
    expect(link.connected).toBe(true);
  });

  it('refuses a broker whose certificate the configured CA did not sign', async () => {
    const { link, logs } = await open({ tls: { ...base.tls, caFile: broker.tls!.otherCaFile } });
    await expect(link.untilConnected(1000)).rejects.toThrow(/self-signed certificate in certificate chain/);
    expect(logs.find('connection attempt failed').length).toBeGreaterThan(0);
  });

  it('is refused without a client certificate when the broker requires one', async () => {
    const { link } = await open({ tls: { caFile: broker.tls!.caFile } });
    await expect(link.untilConnected(1000)).rejects.toThrow(/certificate required/);
    expect(link.connected).toBe(false);
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: a wrong password is refused, retried with backoff, and appears in no log line or error`, async () => {
      const { link, logs } = await open({ protocolVersion, password: { file: join(broker.dir, 'wrong.password') } });
      const error = await link.untilConnected(1000).then(() => null, (e: Error) => e);
      expect(error?.message).toMatch(/Bad username or password|Not authorized/);
      expect(error?.message).not.toContain(WRONG);
      expect(logs.find('reconnect scheduled').length).toBeGreaterThan(1);
      const text = logs.lines.join('\n');
      expect(text).toMatch(/Bad username or password|Not authorized/);
      expect(text).not.toContain(WRONG);
      expect(text).not.toContain(SECRET);
    });
  }

  afterAll(() => {
    // Across every link of this file: no captured line carries either password.
    for (const logs of allLogs) for (const line of logs.lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(WRONG);
    }
  });
});
