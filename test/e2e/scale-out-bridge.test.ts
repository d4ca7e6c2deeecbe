// deploy/mosquitto/bridge.conf.example, run: a plant mosquitto with the example bridge (only the
// address, the password, the CA file and restart_timeout substituted) forwards to a central
// mosquitto that requires TLS and a login. What the agents publish on the plant broker (alerts at
// QoS 1, retained states at QoS 1, as agent/sink/alert-sink.ts does) must reach a consumer of the
// central broker:
//   - an alert and a retained state cross the bridge, the state still retained at the centre;
//   - alerts published while the central broker is DOWN are acknowledged by the plant broker,
//     queued for the bridge (cleansession false) and delivered, every one, once it is back;
//   - the same outage with `cleansession true` loses them: the setting is what keeps them.
// The central consumer holds a persistent session and the central broker persists, so nothing is
// lost on the consumer's side of the outage; only the bridge is under test.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUT_MS, e2eDir, removeE2eDirs } from '../helpers/e2e-config.js';
import { MOSQUITTO_MISSING, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { REPO } from '../helpers/daemon-process.js';
import { canConnect, freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

const EXAMPLE = join(REPO, 'deploy', 'mosquitto', 'bridge.conf.example');
const BRIDGE_USER = 'vigil-bridge-plant-a';
const BRIDGE_PASSWORD = 'bridge-e2e-pw';
const CONSUMER = { username: 'central-consumer', password: 'consumer-e2e-pw' };
const OUTAGE_ALERTS = 100;

interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  removeE2eDirs();
});

/** The example with the deployment-specific lines replaced; each must occur exactly once. */
function bridgeConfig(central: Mosquitto, extra: Record<string, string> = {}): string {
  let text = readFileSync(EXAMPLE, 'utf8');
  const replace = (line: string, by: string): void => {
    const at = text.split('\n').filter((l) => l === line).length;
    expect(at, `'${line}' in bridge.conf.example`).toBe(1);
    text = text.split('\n').map((l) => (l === line ? by : l)).join('\n');
  };
  replace('address central.example.net:8883', `address 127.0.0.1:${central.port}`);
  replace('remote_password CHANGE-ME', `remote_password ${BRIDGE_PASSWORD}`);
  replace('bridge_cafile /mosquitto/config/central-ca.pem', `bridge_cafile ${central.tls!.caFile}`);
  replace('restart_timeout 5 60', 'restart_timeout 1'); // the test's outage is seconds long
  for (const [line, by] of Object.entries(extra)) replace(line, by);
  return text;
}

/** A plant mosquitto on a free loopback port with `bridge` appended to its config; killed by PID at the end. */
async function startPlant(label: string, bridge: string): Promise<{ url: string; log: () => string }> {
  const dir = e2eDir(`bridge-${label}`);
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 10000', 'log_dest stderr', 'log_type all'];
  if (process.getuid?.() === 0) lines.push('user root');
  const file = join(dir, 'mosquitto.conf');
  writeFileSync(file, `${lines.join('\n')}\n${bridge}\n`);
  const child: ChildProcess = spawn('mosquitto', ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  await waitFor(`plant mosquitto on ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`plant mosquitto exited (${child.exitCode}):\n${output}`);
    return canConnect(port);
  }, { boundMs: 20_000 });
  return { url: `mqtt://127.0.0.1:${port}`, log: () => output };
}

/** A persistent-session consumer of the central broker (TLS, login), keeping what it receives. */
async function openConsumer(central: Mosquitto, clientId: string): Promise<{ got: Received[]; client: MqttClient }> {
  const got: Received[] = [];
  const client = mqtt.connect(central.url, {
    protocolVersion: 4, clientId, clean: false, reconnectPeriod: 200, connectTimeout: 5000,
    username: CONSUMER.username, password: CONSUMER.password, ca: readFileSync(central.tls!.caFile),
  });
  client.on('error', () => undefined); // refused while the broker is down: mqtt.js retries
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain === true }));
  await new Promise<void>((resolve, reject) =>
    client.once('connect', () => client.subscribe({ 'vigil/#': { qos: 1 }, '$SYS/broker/connection/+/state': { qos: 1 } }, (err) => (err ? reject(err) : resolve()))),
  );
  cleanups.push(() => new Promise((resolve) => client.end(true, {}, () => resolve())));
  return { got, client };
}

async function openPublisher(url: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { protocolVersion: 4, clean: true, reconnectPeriod: 200 });
  client.on('error', () => undefined);
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  cleanups.push(() => new Promise((resolve) => client.end(true, {}, () => resolve())));
  return client;
}

const publish = (c: MqttClient, topic: string, payload: string, retain = false): Promise<void> =>
  new Promise((resolve, reject) => void c.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve())));

/** Waits for the bridge's own notification at the centre: the retained state '1' (connected). */
async function bridgeUp(consumer: { got: Received[] }, since = 0): Promise<void> {
  await waitFor('the bridge connected to the central broker', () => consumer.got.slice(since).some((m) => m.topic === `$SYS/broker/connection/${BRIDGE_USER}/state` && m.payload === '1'), { boundMs: 30_000 });
}

const alertSeqs = (got: readonly Received[], machine: string): number[] =>
  got.filter((m) => m.topic === `vigil/alerts/${machine}`).map((m) => (JSON.parse(m.payload) as { seq: number }).seq);

describe.skipIf(MOSQUITTO_MISSING !== null)('deploy/mosquitto/bridge.conf.example: plant broker → central broker', () => {
  it('forwards alerts and retained states, and delivers alerts queued during a central-broker outage', async () => {
    const central = await startMosquitto({ tls: true, users: { [BRIDGE_USER]: BRIDGE_PASSWORD, [CONSUMER.username]: CONSUMER.password }, persistence: true });
    cleanups.push(() => central.close());
    const consumer = await openConsumer(central, 'central-consumer-1');
    const plant = await startPlant('queued', bridgeConfig(central));
    await bridgeUp(consumer);
    const agent = await openPublisher(plant.url);

    // An alert and the retained state, as an agent publishes them.
    await publish(agent, 'vigil/alerts/pump-01', JSON.stringify({ schema: 'vigil.alert/1', machineId: 'pump-01', state: 'raised', seq: 1 }));
    await publish(agent, 'vigil/state/pump-01', JSON.stringify({ schema: 'vigil.state/1', machineId: 'pump-01', phase: 'alerting' }), true);
    await waitFor('alert and state at the centre', () => alertSeqs(consumer.got, 'pump-01').length === 1 && consumer.got.some((m) => m.topic === 'vigil/state/pump-01'), { detail: () => JSON.stringify(consumer.got) });
    const late = await openConsumer(central, 'central-consumer-late');
    await waitFor('the retained state for a new central subscriber', () => late.got.some((m) => m.topic === 'vigil/state/pump-01'));
    expect(late.got.find((m) => m.topic === 'vigil/state/pump-01')!.retain).toBe(true);

    // The central broker goes away; the plant broker keeps acknowledging the agent's alerts.
    await central.stop();
    for (let seq = 1; seq <= OUTAGE_ALERTS; seq++) {
      await publish(agent, 'vigil/alerts/pump-02', JSON.stringify({ schema: 'vigil.alert/1', machineId: 'pump-02', state: 'updated', seq }));
    }
    expect(alertSeqs(consumer.got, 'pump-02')).toEqual([]);
    const before = consumer.got.length;
    await central.start();
    await bridgeUp(consumer, before);
    await waitFor(`all ${OUTAGE_ALERTS} alerts of the outage at the centre`, () => new Set(alertSeqs(consumer.got, 'pump-02')).size === OUTAGE_ALERTS, {
      detail: () => `got ${alertSeqs(consumer.got, 'pump-02').length}; plant log tail:\n${plant.log().slice(-2000)}`,
    });
    // In order, at least once (QoS 1 may repeat one across a reconnect, never reorder here).
    const seqs = alertSeqs(consumer.got, 'pump-02');
    expect([...new Set(seqs)]).toEqual(Array.from({ length: OUTAGE_ALERTS }, (_, i) => i + 1));
  }, E2E_TIMEOUT_MS);

  it('with cleansession true instead, the alerts of the outage are lost', async () => {
    const central = await startMosquitto({ tls: true, users: { [BRIDGE_USER]: BRIDGE_PASSWORD, [CONSUMER.username]: CONSUMER.password }, persistence: true });
    cleanups.push(() => central.close());
    const consumer = await openConsumer(central, 'central-consumer-2');
    const plant = await startPlant('clean', bridgeConfig(central, { 'cleansession false': 'cleansession true', 'local_cleansession false': 'local_cleansession true' }));
    await bridgeUp(consumer);
    const agent = await openPublisher(plant.url);
    await central.stop();
    for (let seq = 1; seq <= 10; seq++) await publish(agent, 'vigil/alerts/pump-03', JSON.stringify({ seq }));
    const before = consumer.got.length;
    await central.start();
    await bridgeUp(consumer, before);
    // Markers published once the bridge is back arrive (in order after anything queued before
    // them); the outage's alerts never do.
    let marker = 10;
    await waitFor('a marker at the centre', async () => {
      await publish(agent, 'vigil/alerts/pump-03', JSON.stringify({ seq: ++marker }));
      return alertSeqs(consumer.got, 'pump-03').length > 0;
    }, { everyMs: 200 });
    expect(alertSeqs(consumer.got, 'pump-03')[0]).toBeGreaterThan(10);
    expect(alertSeqs(consumer.got, 'pump-03').filter((s) => s <= 10)).toEqual([]);
  }, E2E_TIMEOUT_MS);
});
