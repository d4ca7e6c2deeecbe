// Scale-out, end to end on real mosquitto: several agents (startDaemon, in process, each with its own
// state directory, client ids and metrics) share one plant broker, and every agent sends its alerts
// and states to a central broker through alertBroker (the durable outbox, then the other broker).
// A test client publishes the simulated plant at QoS 1 once every agent is subscribed, so each
// agent receives every message of its subscription and the counts must balance exactly.
//   hash partition   three agents, the same plant/+machine/+channel, partition {index, count: 3}:
//                    every agent receives all N messages and accepts exactly those of the machines
//                    FNV-1a assigns it (accepted + notOwned = N for each, the accepted sum to N),
//                    nothing skipped is dead-lettered, vigil_messages_not_owned_total agrees, each
//                    machine's decider state lives in exactly its owner's state directory (the
//                    owners together cover all machines), alerts are stored only by the owner, and
//                    a fault in each partition reaches the central broker, as does every machine's state;
//   topic partition  two agents, plant/line-1/+machine/+channel and plant/line-2/...: each receives
//                    only its line (no message of the other line reaches it at all), decides
//                    exactly its line's machines, and both lines' alerts arrive centrally;
//   $share/ warning  an agent started with a shared subscription on a per-channel pattern warns
//                    that the broker would split each machine's channels; per-machine, it does not.
// One model file (the starter model, trained once in beforeAll) serves every agent.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../agent/config/resolve.js';
import { startDaemon, type Daemon } from '../../agent/daemon.js';
import { openServingModel } from '../../agent/model/serving-model.js';
import { openMqttLink, type OpenedMqttLink } from '../../agent/mqtt/mqtt-link.js';
import { partitionOf } from '../../agent/source/partition.js';
import { simulate, type FaultSpec } from '../../agent/source/simulator.js';
import type { ReadingCounters } from '../../agent/stages/to-readings.js';
import type { SensorMessage } from '../../agent/types.js';
import { E2E_TIMEOUT_MS, FAST_CONFIG, e2eDir, mergeConfig, removeE2eDirs, type ConfigObject } from '../helpers/e2e-config.js';
import { MOSQUITTO_MISSING, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { openCollector, type MqttCollector } from '../helpers/mqtt-collector.js';
import { metricSum, parseMetrics } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait-for.js';

const INTERVAL_MS = 100; // FAST_CONFIG's sampling period
const TICKS = 200; // 20 s of event time per machine
const quiet = { info() {}, warn() {} };

interface Agent {
  readonly name: string;
  readonly daemon: Daemon;
  readonly stateDir: string;
  readonly log: Record<string, unknown>[];
}

interface Counts {
  readonly notOwned: number;
  readonly readings: ReadingCounters;
}

let dir: string;
let modelPath: string;
let plant: Mosquitto | undefined;
let central: Mosquitto | undefined;
let publisher: OpenedMqttLink | undefined;
const agents: Agent[] = [];
const collectors: MqttCollector[] = [];

const counts = (a: Agent): Counts => a.daemon.counters() as unknown as Counts;

async function startAgent(name: string, over: ConfigObject): Promise<Agent> {
  const stateDir = join(dir, name);
  const config = resolveConfig({
    file: mergeConfig(FAST_CONFIG, {
      stateDir,
      http: null,
      broker: { url: plant!.url, clientId: `vigil-${name}` },
      alertBroker: { url: central!.url, clientId: `vigil-${name}-alerts` },
      simulator: { enabled: false },
      model: { path: modelPath },
      learning: { enabled: false },
      ...over,
    }),
    env: {},
  });
  const log: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void log.push(JSON.parse(line) as Record<string, unknown>) });
  const daemon = await startDaemon({ config, logger, env: {} });
  const agent = { name, daemon, stateDir, log };
  agents.push(agent);
  await waitFor(`${name} ready`, () => daemon.readiness().ready, { detail: () => JSON.stringify(daemon.readiness()) });
  return agent;
}

/**
 * Publishes `probeTopic` (a topic the agents subscribe to whose machine level is empty: every agent
 * dead-letters it as unknown-topic) until each agent has seen one. The broker then holds every
 * agent's subscription, so whatever is published next reaches all of them. Returns the probes sent.
 */
async function untilSubscribed(group: readonly Agent[], probeTopics: readonly string[]): Promise<number> {
  let sent = 0;
  await waitFor('every agent subscribed (a probe counted by each)', async () => {
    for (const t of probeTopics) await publisher!.publish(t, 'probe', { qos: 1 });
    sent++;
    return group.every((a) => counts(a).readings.byReason['unknown-topic'] > 0);
  }, { everyMs: 50, detail: () => group.map((a) => `${a.name}: ${JSON.stringify(counts(a).readings.byReason)}`).join('\n') });
  return sent;
}

/** QoS 1, all handed over at once: the link keeps its in-flight window and queues the rest in order. */
async function publishAll(messages: readonly SensorMessage[]): Promise<void> {
  await Promise.all(messages.map((m) => publisher!.publish(m.topic, m.payload, { qos: 1 })));
}

/** Machine ids in an agent's decider store, read from the states (as the store itself does). */
function decidedMachines(a: Agent): string[] {
  const deciders = join(a.stateDir, 'deciders');
  return readdirSync(deciders)
    .filter((f) => f.endsWith('.json'))
    .map((f) => (JSON.parse(readFileSync(join(deciders, f), 'utf8')) as { machineId: string }).machineId)
    .sort();
}

const storedAlertMachines = (a: Agent): Set<string> => new Set(a.log.filter((l) => l.msg === 'alert stored').map((l) => l.machineId as string));
const errorLines = (a: Agent): Record<string, unknown>[] => a.log.filter((l) => (l.level as number) >= 50);
const raisedFor = (id: string) => (m: { topic: string; payload: string }) => m.topic === `vigil/alerts/${id}` && (JSON.parse(m.payload) as { state: string }).state === 'raised';
const countBy = (messages: readonly SensorMessage[], machineOf: (topic: string) => string): Map<string, number> => {
  const out = new Map<string, number>();
  for (const m of messages) out.set(machineOf(m.topic), (out.get(machineOf(m.topic)) ?? 0) + 1);
  return out;
};
const sum = (xs: Iterable<number>): number => [...xs].reduce((a, b) => a + b, 0);

async function stopAll(): Promise<void> {
  for (const a of agents.splice(0)) expect((await a.daemon.stop(5000)).undelivered, `${a.name} undelivered`).toBe(0);
}

const skip = MOSQUITTO_MISSING !== null;

beforeAll(async () => {
  if (skip) return;
  dir = e2eDir('scale-out');
  const trainer = resolveConfig({ file: mergeConfig(FAST_CONFIG, { stateDir: join(dir, 'train') }), env: {} });
  await openServingModel(trainer, quiet);
  const models = join(dir, 'train', 'models');
  modelPath = join(models, readdirSync(models).find((f) => f.startsWith('starter-') && f.endsWith('.onnx'))!);
  // Queues far above a burst, so a busy agent is never dropped from (mosquitto's default is 1000).
  plant = await startMosquitto({ maxQueuedMessages: 100_000, maxInflightMessages: 100 });
  central = await startMosquitto({ maxQueuedMessages: 100_000 });
  publisher = await openMqttLink({ url: plant.url, clientId: 'scale-out-publisher' });
  await publisher.untilConnected(30_000);
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  for (const a of agents.splice(0)) await a.daemon.stop(1000).catch(() => undefined);
  await Promise.all(collectors.map((c) => c.close()));
  await publisher?.close(500);
  await plant?.close();
  await central?.close();
  removeE2eDirs();
});

describe.skipIf(skip)('scale-out: agents sharing one plant broker, alerts to a central broker', () => {
  it('hash partition: three agents on the same topics, every machine scored by exactly its owner', async () => {
    const COUNT = 3;
    const ids = Array.from({ length: 12 }, (_, i) => `pump-${String(i + 1).padStart(2, '0')}`);
    const owned = [0, 1, 2].map((p) => ids.filter((id) => partitionOf(id, COUNT) === p));
    for (const o of owned) expect(o.length, 'every partition owns a machine').toBeGreaterThan(0);
    // One faulty machine per partition, so every agent has an alert to send.
    const faulty = owned.map((o) => o[0]);
    const faults: FaultSpec[] = faulty.map((machineId) => ({ machineId, kind: 'cavitation', onsetAfterMs: 5000, rampMs: 2000 }));
    const central$ = await openCollector(central!.url, ['vigil/alerts/+', 'vigil/state/+']);
    collectors.push(central$);

    const group = await Promise.all([0, 1, 2].map((index) => startAgent(`hash-${index}`, { partition: { index, count: COUNT } })));
    await untilSubscribed(group, ['plant//probe']);
    const start = Math.floor((Date.now() - 600_000) / INTERVAL_MS) * INTERVAL_MS;
    const messages = [...simulate({ seed: 7, machines: ids, intervalMs: INTERVAL_MS, durationMs: TICKS * INTERVAL_MS, start, faults })];
    const perMachine = countBy(messages, (t) => t.split('/')[1]);
    const N = messages.length;
    await publishAll(messages);

    await waitFor(`each agent judging or skipping all ${N} messages`, () => group.every((a) => counts(a).readings.accepted + counts(a).notOwned >= N), {
      everyMs: 100,
      detail: () => group.map((a) => `${a.name}: ${JSON.stringify(counts(a))}`).join('\n'),
    });
    for (const [p, a] of group.entries()) {
      const c = counts(a);
      const mine = sum(owned[p].map((id) => perMachine.get(id)!));
      expect(c.readings.accepted, `${a.name} accepted`).toBe(mine);
      expect(c.notOwned, `${a.name} skipped`).toBe(N - mine);
      // Only the probes were dead-lettered: nothing skipped became a dead letter.
      expect(c.readings.rejected).toBe(c.readings.byReason['unknown-topic']);
    }
    expect(sum(group.map((a) => counts(a).readings.accepted))).toBe(N);

    // Every agent's fault reaches the central broker, and every machine's state does.
    for (const id of faulty) await central$.waitForMessage(`a raised alert for ${id} at the central broker`, raisedFor(id));
    for (const id of ids) await central$.waitForMessage(`vigil/state/${id} at the central broker`, (m) => m.topic === `vigil/state/${id}`);

    const stopped = [...group];
    await stopAll();
    for (const [p, a] of stopped.entries()) {
      // Decider states: exactly the owned machines, so together all machines, each once.
      expect(decidedMachines(a), `${a.name} decided`).toEqual([...owned[p]].sort());
      // Alerts come only from the owner.
      for (const id of storedAlertMachines(a)) expect(owned[p], `${a.name} stored an alert for ${id}`).toContain(id);
      expect(storedAlertMachines(a).has(faulty[p])).toBe(true);
      const metrics = parseMetrics(await a.daemon.metrics.render());
      expect(metricSum(metrics, 'vigil_messages_not_owned_total')).toBe(counts(a).notOwned);
      expect(errorLines(a)).toEqual([]);
      expect(a.log.find((l) => l.msg === 'pipeline running')?.partition).toEqual({ index: p, count: COUNT });
    }
    console.log(`scale-out (hash): ${N} messages, ${ids.length} machines; ` + stopped.map((a, p) => `${a.name} owns ${owned[p].length}, accepted ${counts(a).readings.accepted}, skipped ${counts(a).notOwned}`).join('; '));
  }, E2E_TIMEOUT_MS);

  it('topic partition: two agents, one line each; neither receives the other line at all', async () => {
    const lines = [
      { prefix: 'plant/line-1', ids: ['press-11', 'press-12', 'press-13'] },
      { prefix: 'plant/line-2', ids: ['press-21', 'press-22', 'press-23'] },
    ];
    const central$ = await openCollector(central!.url, ['vigil/alerts/+', 'vigil/state/+']);
    collectors.push(central$);
    const group = await Promise.all(lines.map((l, i) => startAgent(`line-${i + 1}`, { topics: { sensors: [`${l.prefix}/+machine/+channel`] } })));
    const probes = await untilSubscribed(group, lines.map((l) => `${l.prefix}//probe`));

    const start = Math.floor((Date.now() - 600_000) / INTERVAL_MS) * INTERVAL_MS;
    const perLine = lines.map((l) => [
      ...simulate({ seed: 11, machines: l.ids, topicPrefix: l.prefix, intervalMs: INTERVAL_MS, durationMs: TICKS * INTERVAL_MS, start, faults: [{ machineId: l.ids[0], kind: 'cavitation', onsetAfterMs: 5000, rampMs: 2000 }] }),
    ]);
    await publishAll(perLine.flat());

    await waitFor('each agent judging its line', () => group.every((a, i) => counts(a).readings.accepted >= perLine[i].length), {
      everyMs: 100,
      detail: () => group.map((a) => `${a.name}: ${JSON.stringify(counts(a))}`).join('\n'),
    });
    for (const l of lines) await central$.waitForMessage(`a raised alert for ${l.ids[0]}`, raisedFor(l.ids[0]));
    const stopped = [...group];
    await stopAll();
    for (const [i, a] of stopped.entries()) {
      const c = counts(a);
      expect(c.readings.accepted).toBe(perLine[i].length);
      expect(c.notOwned).toBe(0);
      // Its only dead letters are its own line's probes: the other line's thousands of messages
      // never reached it (they would be unknown-topic here).
      expect(c.readings.rejected).toBe(c.readings.byReason['unknown-topic']);
      expect(c.readings.byReason['unknown-topic']).toBeLessThanOrEqual(probes);
      expect(perLine[1 - i].length).toBeGreaterThan(probes);
      expect(decidedMachines(a)).toEqual([...lines[i].ids].sort());
      for (const id of storedAlertMachines(a)) expect(lines[i].ids).toContain(id);
      expect(errorLines(a)).toEqual([]);
    }
  }, E2E_TIMEOUT_MS);

  it('warns at start when a shared subscription would split machines (per-channel topics), not when it cannot', async () => {
    const perChannel = await startAgent('shared-per-channel', { topics: { sensors: ['$share/vigil/plant/+machine/+channel'] } });
    const perMachine = await startAgent('shared-per-machine', { topics: { sensors: ['$share/vigil-m/plant/+machine'] } });
    const warning = (a: Agent) => a.log.filter((l) => l.level === 40 && String(l.msg).startsWith('shared subscription on a pattern where one machine publishes on several topics'));
    expect(warning(perChannel).map((l) => l.patterns)).toEqual([['$share/vigil/plant/+machine/+channel']]);
    expect(String(warning(perChannel)[0].msg)).toMatch(/spreads the group per message or per topic splits each machine's messages across the group's agents/);
    expect(warning(perMachine)).toEqual([]);
    await stopAll();
  }, E2E_TIMEOUT_MS);
});
