import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, openEmbeddedBroker } from '../../../agent/mqtt/embedded-broker.js';
import type { MqttLink } from '../../../agent/mqtt/link.js';
import { type OpenedMqttLink, openMqttLink } from '../../../agent/mqtt/mqtt-link.js';
import { createSourceCounters, mqttSource } from '../../../agent/source/mqtt-source.js';
import { createPartition, partitionOf } from '../../../agent/source/partition.js';
import { createTopicMap } from '../../../agent/source/topic-map.js';
import { createReadingCounters, divertDeadLetters, toReadings } from '../../../agent/stages/to-readings.js';
import type { DeadLetter, Reading, SensorMessage } from '../../../agent/types.js';
import { createManualClock } from '../../../agent/runtime/clock.js';
import { waitFor } from '../mqtt/capture-logs.js';

const topics = createTopicMap(['plant/+machine/+channel', 'plant/+machine']);

/** An in-memory MqttLink: records subscriptions, lets the test inject messages and refusals. */
function fakeLink(refuse: string | null = null) {
  const listeners = new Set<(t: string, p: Buffer, r: number) => void>();
  const subscribed: string[] = [];
  const link: MqttLink = {
    connected: true,
    reconnects: 0,
    publish: async () => {},
    subscribe: async (filter) => {
      if (filter === refuse) throw new Error('broker refused the subscription (reason code 135)');
      subscribed.push(filter);
    },
    onMessage: (l) => (listeners.add(l), () => void listeners.delete(l)),
    onConnectionChange: () => () => {},
    close: async () => {},
  };
  return { link, subscribed, listeners, deliver: (t: string, p: string, r: number) => listeners.forEach((l) => l(t, Buffer.from(p), r)) };
}

describe('mqttSource', () => {
  it('subscribes every filter of the map and emits what arrives; unsubscribing removes the listener', async () => {
    const fake = fakeLink();
    const got: SensorMessage[] = [];
    const sub = mqttSource(fake.link, topics).subscribe((m) => got.push(m));
    await Promise.resolve();
    expect(fake.subscribed).toEqual(['plant/+/+', 'plant/+']);
    fake.deliver('plant/m1/temp', '1', 1000);
    expect(got).toEqual([{ topic: 'plant/m1/temp', payload: Buffer.from('1'), receivedAt: 1000 }]);
    sub.unsubscribe();
    expect(fake.listeners.size).toBe(0);
  });

  it('errors the stream, naming the filter, when the broker refuses a subscription', async () => {
    const fake = fakeLink('plant/+');
    const error = await new Promise<Error>((resolve) => mqttSource(fake.link, topics).subscribe({ error: resolve }));
    expect(error.message).toMatch(/cannot subscribe to 'plant\/\+'.*reason code 135/);
  });
});

describe('mqttSource with a partition', () => {
  // Four machines split between two agents (the first test checks that each agent owns some).
  const ids = ['press-1', 'press-2', 'press-3', 'press-4'];

  it('emits only the machines this agent owns and counts the others; topics outside the map still pass', async () => {
    const owners = ids.map((id) => partitionOf(id, 2));
    expect(new Set(owners).size).toBe(2); // both agents own something
    for (const index of [0, 1]) {
      const fake = fakeLink();
      const counters = createSourceCounters();
      const got: string[] = [];
      const sub = mqttSource(fake.link, topics, { partition: createPartition({ index, count: 2 }), counters }).subscribe((m) => got.push(m.topic));
      for (const id of ids) fake.deliver(`plant/${id}/temp`, '1', 1000);
      fake.deliver('elsewhere/x', '1', 1000); // no pattern matches: toReadings' business (unknown-topic)
      fake.deliver('plant//temp', '1', 1000); // empty machine level: no pattern matches either
      const mine = ids.filter((_, i) => owners[i] === index);
      expect(got).toEqual([...mine.map((id) => `plant/${id}/temp`), 'elsewhere/x', 'plant//temp']);
      expect(counters.notOwned).toBe(ids.length - mine.length);
      sub.unsubscribe();
    }
  });

  it('without a partition every message passes and nothing is counted', () => {
    const fake = fakeLink();
    const counters = createSourceCounters();
    const got: string[] = [];
    const sub = mqttSource(fake.link, topics, { partition: null, counters }).subscribe((m) => got.push(m.topic));
    for (const id of ids) fake.deliver(`plant/${id}/temp`, '1', 1000);
    expect(got).toHaveLength(ids.length);
    expect(counters.notOwned).toBe(0);
    sub.unsubscribe();
  });

  it('skipped messages never reach toReadings: no dead letter, no order state, the owned readings unchanged', () => {
    const fake = fakeLink();
    const source = createSourceCounters();
    const readingCounters = createReadingCounters();
    const readings: Reading[] = [];
    const dead: DeadLetter[] = [];
    const index = partitionOf('press-1', 2);
    const sub = mqttSource(fake.link, topics, { partition: createPartition({ index, count: 2 }), counters: source })
      .pipe(toReadings({ topics, counters: readingCounters, maxTrackedMachines: 1 }), divertDeadLetters((d) => dead.push(d)))
      .subscribe((r) => readings.push(r));
    const ts = Date.UTC(2024, 4, 1, 12);
    // Other agents' machines, some with garbage payloads: skipped before the payload is read.
    for (const id of ids.filter((x) => partitionOf(x, 2) !== index)) {
      fake.deliver(`plant/${id}/temp`, JSON.stringify({ ts, value: 1 }), ts);
      fake.deliver(`plant/${id}/temp`, 'not json', ts);
    }
    fake.deliver('plant/press-1/temp', JSON.stringify({ ts, value: 70 }), ts);
    expect(readings).toEqual([{ machineId: 'press-1', time: ts, values: { temp: 70 }, receivedAt: ts }]);
    // maxTrackedMachines 1 was enough: the skipped machines took no order-tracking slot.
    expect(dead).toEqual([]);
    expect(readingCounters).toMatchObject({ accepted: 1, rejected: 0 });
    expect(source.notOwned).toBe(2 * ids.filter((x) => partitionOf(x, 2) !== index).length);
    sub.unsubscribe();
  });
});

describe('mqttSource → toReadings over the embedded broker', () => {
  let broker: EmbeddedBroker;
  let sensorLink: OpenedMqttLink;
  let agentLink: OpenedMqttLink;
  const clock = createManualClock(Date.UTC(2024, 4, 1, 12));
  beforeAll(async () => {
    broker = await openEmbeddedBroker();
    sensorLink = await openMqttLink({ url: broker.url });
    agentLink = await openMqttLink({ url: broker.url }, undefined, { clock });
    await Promise.all([sensorLink.untilConnected(), agentLink.untilConnected()]);
  });
  afterAll(async () => {
    await Promise.all([sensorLink.close(100), agentLink.close(100)]);
    await broker.close();
  });

  it('turns live MQTT traffic into readings and dead letters, stamped by the injected clock', async () => {
    const counters = createReadingCounters();
    const readings: Reading[] = [];
    const dead: DeadLetter[] = [];
    const sub = mqttSource(agentLink, topics)
      .pipe(toReadings({ topics, counters }), divertDeadLetters((d) => dead.push(d)))
      .subscribe((r) => readings.push(r));
    // SUBACKs come in order: once these resolve, the source's own subscriptions are in place too.
    await Promise.all(topics.filters.map((f) => agentLink.subscribe(f, 1)));
    const ts = clock.now() - 1000;
    await sensorLink.publish('plant/press-1/temp', JSON.stringify({ ts, value: 71.5 }), { qos: 1 });
    await sensorLink.publish('plant/press-1', JSON.stringify({ ts, values: { vib: 0.2, rpm: 1480 } }), { qos: 1 });
    await sensorLink.publish('plant/press-1/temp', 'NaN', { qos: 1 });
    await waitFor('three messages', () => counters.accepted + counters.rejected === 3);
    expect(readings).toEqual([
      { machineId: 'press-1', time: ts, values: { temp: 71.5 }, receivedAt: clock.now() },
      { machineId: 'press-1', time: ts, values: { vib: 0.2, rpm: 1480 }, receivedAt: clock.now() },
    ]);
    expect(dead.map((d) => d.reason)).toEqual(['non-finite']);
    sub.unsubscribe();
  });
});
