// Seeded MQTT traffic for the ingest fuzz test: realistic sensor messages (simulated pumps on
// plant/<machine>/<channel>) mixed with every kind of bad input, each message labelled with the outcome
// the daemon must reach: 'accepted', a dead-letter reason, or 'not-delivered' (a topic outside the
// daemon's subscription, which the broker never forwards). The labels follow toReadings' documented
// rules (agent/stages/to-readings.ts): the generator mirrors the per-(machine, channel) order state and
// the tracked-machine cap, so out-of-order, duplicate and shed outcomes are known exactly. Payloads
// whose outcome would depend on arrival time are avoided (bare numbers go to machines of their own).

import { createRng, type Rng } from '../../engine/rng.js';
import { CHANNELS, simulateSamples } from '../../agent/source/simulator.js';
import type { DeadLetterReason } from '../../agent/types.js';

export type Outcome = 'accepted' | DeadLetterReason | 'not-delivered';

export interface FuzzMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly expect: Outcome;
  readonly kind: string;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  /** Event time of the first valid sample; valid times advance periodMs per tick. */
  readonly start: number;
  readonly periodMs: number;
  /** Machines of the realistic stream (pump-01 ...). */
  readonly pumps: number;
  /** The daemon's limits.maxMachines (toReadings' maxTrackedMachines). */
  readonly maxMachines: number;
  /** The daemon's payload.maxBytes. */
  readonly maxBytes: number;
}

/** Relative weights of the kinds of message. */
const KINDS = {
  valid: 40,
  'malformed-json': 6,
  'binary-garbage': 5,
  'non-finite': 6,
  'non-numeric': 4,
  'bad-timestamp': 3,
  huge: 0.1,
  'unsubscribed-topic': 3,
  'unknown-topic': 2,
  'unknown-channel': 3,
  'out-of-order': 6,
  duplicate: 6,
  'absurd-timestamp': 5,
  'missing-timestamp': 3,
  'no-values': 3,
  'bare-number': 0.3,
  'new-machine': 0.5,
} as const;
type Kind = keyof typeof KINDS;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

export function generateFuzzMessages(o: FuzzOptions): FuzzMessage[] {
  const rng = createRng(o.seed);
  const kinds = Object.keys(KINDS) as Kind[];
  const total = kinds.reduce((a, k) => a + KINDS[k], 0);
  const pumps = Array.from({ length: o.pumps }, (_, i) => `pump-${String(i + 1).padStart(2, '0')}`);
  // Realistic values: each pump a simulated healthy machine of its own (its own seed), tick by tick,
  // its channels in order; pumps interleave at random.
  const plants = pumps.map((id, i) => simulateSamples({ seed: o.seed * 1000 + i, machines: [id], intervalMs: o.periodMs, start: o.start }));
  const current = new Map<string, { time: number; values: Partial<Record<string, number>>; channel: number }>();
  const nextValid = (machine: string): { time: number; channel: string; value: number } => {
    let cur = current.get(machine);
    if (!cur || cur.channel >= CHANNELS.length) {
      const s = plants[pumps.indexOf(machine)].next().value!;
      current.set(machine, (cur = { time: s.time, values: s.values, channel: 0 }));
    }
    const channel = CHANNELS[cur.channel++];
    return { time: cur.time, channel, value: cur.values[channel]! };
  };

  // toReadings' state, mirrored: last accepted time per machine and channel; tracked machines.
  const last = new Map<string, Map<string, number>>();
  const accept = (machine: string, channel: string, time: number): Outcome => {
    let m = last.get(machine);
    if (!m) {
      if (last.size >= o.maxMachines) return 'shed';
      last.set(machine, (m = new Map()));
    }
    const prev = m.get(channel);
    if (prev === time) return 'duplicate';
    if (prev !== undefined && prev > time) return 'out-of-order';
    m.set(channel, time);
    return 'accepted';
  };
  const seen = (): [string, string, number] | null => {
    const machine = pick(rng, pumps);
    const m = last.get(machine);
    if (!m || m.size === 0) return null;
    const channel = pick(rng, [...m.keys()]);
    return [machine, channel, m.get(channel)!];
  };

  const ts = (t: number): unknown => {
    switch (rng.int(3)) {
      case 0: return t; // epoch ms
      case 1: return new Date(t).toISOString();
      default: return String(t * 1000); // epoch µs as a digit string
    }
  };
  const validTime = (): number => o.start + rng.int(600) * o.periodMs; // always after 2000, never ahead of now
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const text = (s: string): Buffer => Buffer.from(s);
  let bareN = 0;
  let newN = 0;

  const out: FuzzMessage[] = [];
  const push = (kind: string, topic: string, payload: Buffer, expect: Outcome): void => void out.push({ kind, topic, payload, expect });
  while (out.length < o.count) {
    let r = rng.next() * total;
    let kind = kinds[0];
    for (const k of kinds) if ((r -= KINDS[k]) < 0) { kind = k; break; }
    const machine = pick(rng, pumps);
    const channel = pick(rng, CHANNELS);
    const topic = `plant/${machine}/${channel}`;
    switch (kind) {
      case 'valid': {
        const v = nextValid(machine);
        push(kind, `plant/${machine}/${v.channel}`, json({ ts: ts(v.time), value: v.value }), accept(machine, v.channel, v.time));
        break;
      }
      case 'malformed-json': {
        const p = pick(rng, ['{"ts":', '{ts: 1, value: 2}', '{"ts": 1700000000000, "value": 1,}', '[1, 2, 3]', 'null', "{'ts': 1}", '', '   ', 'hello', '12abc', '-', '{"ts": 17000000000', 'true', '{"a":"\\x"}']);
        push(kind, topic, text(p), 'malformed-json');
        break;
      }
      case 'binary-garbage': {
        // 0xFF never occurs in UTF-8: the text starts with U+FFFD, neither JSON, a number nor whitespace.
        const b = Buffer.alloc(1 + rng.int(512));
        for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
        b[0] = 0xff;
        push(kind, topic, b, 'malformed-json');
        break;
      }
      case 'non-finite': {
        const p = pick(rng, [
          () => text(pick(rng, ['NaN', 'nan', '-inf', '+Infinity', 'INF', ' infinity '])),
          () => text(pick(rng, ['1e999', '-1e999'])),
          () => text(`{"ts": ${validTime()}, "value": 1e999}`),
          () => text(`{"ts": ${validTime()}, "value": -1e400}`),
          () => json({ ts: validTime(), value: pick(rng, ['NaN', 'Infinity', '-inf']) }),
        ])();
        push(kind, topic, p, 'non-finite');
        break;
      }
      case 'non-numeric':
        push(kind, topic, json({ ts: validTime(), value: pick(rng, ['12.5', true, null, [1], {}, 'high', '']) }), 'non-numeric');
        break;
      case 'bad-timestamp':
        push(kind, topic, json({ ts: pick(rng, ['yesterday', '2024-05-01T12:00:00', '2024-13-45T00:00:00Z', true, [1], {}, '12:00', '2024-02-30T00:00:00Z']), value: 1 }), 'bad-timestamp');
        break;
      case 'huge': {
        const size = o.maxBytes + 1 + rng.int(4 * o.maxBytes);
        push(kind, topic, Buffer.from(JSON.stringify({ ts: validTime(), value: 1, pad: 'x'.repeat(size) })), 'oversized');
        break;
      }
      case 'unsubscribed-topic':
        push(kind, pick(rng, [`factory/${machine}/${channel}`, `plant/${machine}`, `plant/${machine}/${channel}/raw`, `plantx/${machine}/${channel}`, 'plant', `vigil/in/${machine}`]), json({ ts: validTime(), value: 1 }), 'not-delivered');
        break;
      case 'unknown-topic':
        // Inside the subscription filter plant/+/+, but an empty machine or channel level matches no pattern.
        push(kind, pick(rng, [`plant//${channel}`, `plant/${machine}/`, 'plant//']), json({ ts: validTime(), value: 1 }), 'unknown-topic');
        break;
      case 'unknown-channel':
        push(kind, `plant/${machine}/${pick(rng, ['humidity', 'rpm', 'Vibration', 'constructor', '__proto__'])}`, json({ ts: validTime(), value: 1 }), 'unknown-channel');
        break;
      case 'out-of-order': {
        const s = seen();
        if (!s || s[2] - o.periodMs < o.start) continue;
        const t = s[2] - o.periodMs * (1 + rng.int(Math.min(50, (s[2] - o.start) / o.periodMs)));
        push(kind, `plant/${s[0]}/${s[1]}`, json({ ts: ts(t), value: 1 }), 'out-of-order');
        break;
      }
      case 'duplicate': {
        const s = seen();
        if (!s) continue;
        push(kind, `plant/${s[0]}/${s[1]}`, json({ ts: ts(s[2]), value: 2 }), 'duplicate');
        break;
      }
      case 'absurd-timestamp':
        push(kind, topic, json({ ts: pick(rng, [1000, -5, '1970-01-01T00:00:00Z', 32_503_680_000_000, 1e30, '2999-01-01T00:00:00Z', '1999-12-31T23:59:59Z']), value: 1 }), 'absurd-timestamp');
        break;
      case 'missing-timestamp':
        push(kind, topic, json(pick(rng, [{ value: 1 }, { ts: null, value: 1 }, { time: validTime(), value: 1 }])), 'missing-timestamp');
        break;
      case 'no-values':
        push(kind, topic, json(pick(rng, [{ ts: validTime() }, { ts: validTime(), values: { vibration: 1 } }, { ts: validTime(), val: 3 }])), 'no-values');
        break;
      case 'bare-number': {
        // A bare number is timed at receipt: on a machine of its own, its order outcome cannot depend on timing.
        const m = `bare-${String(++bareN).padStart(4, '0')}`;
        push(kind, `plant/${m}/vibration`, text(String(1 + rng.int(100) / 10)), last.size < o.maxMachines ? (last.set(m, new Map([['vibration', NaN]])), 'accepted') : 'shed');
        break;
      }
      case 'new-machine': {
        const m = `flood-${String(++newN).padStart(5, '0')}`;
        const t = validTime();
        push(kind, `plant/${m}/${channel}`, json({ ts: ts(t), value: 1 }), accept(m, channel, t));
        break;
      }
    }
  }
  return out;
}
