// mqttSource with a $share/<group>/ pattern against a real mosquitto (2.0), over MQTT 3.1.1 and 5:
//   - the broker accepts the prefixed filter and delivers under the plain topic, which the TopicMap
//     matches (toReadings accepts every message: none is an unknown topic);
//   - two sources in one group together get every message exactly once;
//   - and the reason deploy/SCALE-OUT.md restricts shared subscriptions to brokers that route by
//     topic hash: mosquitto hands out a group's messages one by one, so each agent gets part of
//     EVERY machine's stream (one machine's consecutive samples land on different agents).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMqttLink, type OpenedMqttLink } from '../../../agent/mqtt/mqtt-link.js';
import { mqttSource } from '../../../agent/source/mqtt-source.js';
import { createTopicMap } from '../../../agent/source/topic-map.js';
import { createReadingCounters, divertDeadLetters, toReadings } from '../../../agent/stages/to-readings.js';
import type { Reading } from '../../../agent/types.js';
import { MOSQUITTO_MISSING, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { waitFor } from '../../helpers/wait-for.js';

// Three machines, published in turn. (With mosquitto's strict alternation between two members, an
// EVEN number of machines in a fixed order would land whole on one agent each: a coincidence of
// the publishing order that a plant's sensors do not keep.)
const MACHINES = ['m1', 'm2', 'm3'];
const PER_MACHINE = 50;

let broker: Mosquitto | undefined;
const links: OpenedMqttLink[] = [];

beforeAll(async () => {
  if (MOSQUITTO_MISSING === null) broker = await startMosquitto();
});

afterAll(async () => {
  await Promise.all(links.splice(0).map((l) => l.close(200)));
  await broker?.close();
});

async function link(clientId: string, protocolVersion: 4 | 5): Promise<OpenedMqttLink> {
  const l = await openMqttLink({ url: broker!.url, clientId, protocolVersion });
  links.push(l);
  await l.untilConnected(10_000);
  return l;
}

describe.skipIf(MOSQUITTO_MISSING !== null)('mqttSource with $share/ against mosquitto', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}: the group gets each message once, matched without the prefix; mosquitto splits every machine`, async () => {
      const group = `vigil-${protocolVersion}`;
      const topics = createTopicMap([`$share/${group}/plant/+machine`]);
      const agents = await Promise.all(['a', 'b'].map((n) => link(`shared-${protocolVersion}-${n}`, protocolVersion)));
      const got = agents.map(() => [] as Reading[]);
      const counters = agents.map(() => createReadingCounters());
      const subs = agents.map((l, i) =>
        mqttSource(l, topics)
          .pipe(toReadings({ topics, counters: counters[i] }), divertDeadLetters(() => undefined))
          .subscribe((r) => got[i].push(r)),
      );
      // The source's SUBSCRIBE went out first on each link; once this one is acknowledged, so is that.
      await Promise.all(agents.map((l) => l.subscribe(topics.filters[0], 1)));

      const publisher = await link(`shared-${protocolVersion}-pub`, 4);
      const t0 = Date.UTC(2024, 4, 1, 12);
      for (let k = 0; k < PER_MACHINE; k++) {
        for (const m of MACHINES) await publisher.publish(`plant/${m}`, JSON.stringify({ ts: t0 + k * 1000, values: { temp: k } }), { qos: 1 });
      }
      const total = MACHINES.length * PER_MACHINE;
      await waitFor(`${total} readings across the group`, () => got[0].length + got[1].length >= total, { detail: () => JSON.stringify(counters) });
      await new Promise((r) => setTimeout(r, 200)); // nothing more arrives: no message went to both

      expect(got[0].length + got[1].length).toBe(total);
      for (const c of counters) expect(c.rejected).toBe(0); // matched without the $share prefix
      const seen = new Set([...got[0], ...got[1]].map((r) => `${r.machineId}@${r.time}`));
      expect(seen.size).toBe(total); // each message exactly once
      // Per message, not per machine: both agents hold part of each machine's stream.
      for (const m of MACHINES) {
        for (const [i, readings] of got.entries()) expect(readings.some((r) => r.machineId === m), `agent ${i} got some of ${m}`).toBe(true);
      }
      subs.forEach((s) => s.unsubscribe());
    });
  }
});
