// mqttSource: the live sensor stream, Observable<SensorMessage>, from an MqttLink and a TopicMap.
// Subscribing registers a message listener and subscribes the map's filters (QoS 1 by default); the
// link re-subscribes them after reconnects. Hot and push-driven: MQTT has no backpressure, and what
// arrives while nobody subscribes is not kept (a persistent session keeps it at the broker instead).
// Every message the link receives is emitted as it came, matched or not: toReadings dead-letters
// topics outside the map. The one exception is `partition`: a message whose topic names a machine
// another agent owns is counted in counters.notOwned and dropped right here, in the link's message
// handler, before the intake queue and any per-machine state (it is not bad data, so never a dead
// letter). receivedAt is the link's clock at arrival. The stream errors only when the broker refuses
// a subscription (a configuration problem: the message names the filter); connection loss is the
// link's business and never ends the stream. Unsubscribing removes the listener and leaves the
// broker subscription (and the link) to its owner.

import { Observable } from 'rxjs';
import type { MqttLink } from '../mqtt/link.js';
import type { SensorMessage } from '../types.js';
import type { TopicMap } from './topic-map.js';

export interface MqttSourceOptions {
  /** Subscription QoS. Default 1: at-least-once from the broker to us. */
  readonly qos?: 0 | 1;
  /** This agent's share of the machines (createPartition); null or absent: every machine. */
  readonly partition?: { owns(machineId: string): boolean } | null;
  /** Counts updated in place (createSourceCounters). */
  readonly counters?: SourceCounters;
}

export interface SourceCounters {
  /** Messages of machines another agent owns, skipped. */
  notOwned: number;
}

export function createSourceCounters(): SourceCounters {
  return { notOwned: 0 };
}

export function mqttSource(link: MqttLink, topics: TopicMap, { qos = 1, partition = null, counters = createSourceCounters() }: MqttSourceOptions = {}): Observable<SensorMessage> {
  return new Observable<SensorMessage>((subscriber) => {
    const off = link.onMessage((topic, payload, receivedAt) => {
      if (partition) {
        const where = topics.match(topic);
        if (where && !partition.owns(where.machineId)) {
          counters.notOwned++;
          return;
        }
      }
      subscriber.next({ topic, payload, receivedAt });
    });
    for (const filter of topics.filters) {
      link.subscribe(filter, qos).catch((e: unknown) => subscriber.error(new Error(`mqtt source: cannot subscribe to '${filter}': ${e instanceof Error ? e.message : String(e)}`)));
    }
    return off;
  });
}
