// Seeded fuzz: 100,000 generated payloads, good and bad, through toReadings. Proves the operator
// never throws or errors the stream, accounts for every message exactly once, gives every rejection a
// known reason and a detail, and that what it accepts is sane (finite values, believable, ordered time).
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Rng, createRng } from '../../../engine/rng.js';
import { createTopicMap } from '../../../agent/source/topic-map.js';
import { DEAD_LETTER_REASONS, createReadingCounters, isDeadLetter, toReadings } from '../../../agent/stages/to-readings.js';
import type { DeadLetter, Reading, SensorMessage } from '../../../agent/types.js';

const R0 = Date.UTC(2024, 4, 1);
const MIN_TIME = Date.UTC(2000, 0, 1);
const SKEW = 300_000;
const topics = createTopicMap(['plant/+machine/+channel', 'factory/+machine/telemetry', '+site/+machine/bulk/#']);
const options = { topics, maxPayloadBytes: 2048, channels: ['temp', 'vib', 'rpm', 'amps', 'constructor', '__proto__'], maxTrackedMachines: 40 };

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

function randomText(rng: Rng, n: number): string {
  const alphabet = '{}[]":,.-+eE0123456789 abcNaInfty\\/\n\t\u00e9\u2603\ud83d';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

function timestamp(rng: Rng, receivedAt: number): unknown {
  const t = rng.int(4) === 0 ? receivedAt - rng.int(60_000) : receivedAt; // mostly in order, sometimes late
  switch (rng.int(20)) {
    case 0: return new Date(t).toISOString();
    case 1: return t / 1000;
    case 2: return Math.floor(t / 1000);
    case 3: return new Date(t).toISOString().replace('Z', '+00:00');
    case 4: return new Date(t).toISOString().replace('Z', ''); // no zone
    case 5: return pick(rng, [null, true, 'NaN', '', 'soon', [], {}, -1, 0, 1e300, -1e300, 8.64e15 + 1]);
    case 6: return receivedAt + SKEW + 1 + rng.int(1e9); // future
    case 7: return `${pick(rng, ['2024-02-30', '2023-13-01', '1999-12-31', '0099-01-01', '9999-12-31'])}T10:00:00Z`;
    case 8: return String(Math.floor(t / 1000));
    default: return t;
  }
}

function value(rng: Rng): unknown {
  switch (rng.int(30)) {
    case 0: return pick(rng, ['NaN', 'Infinity', '-inf', 'nan', '42', 'hot', '', ' 1 ']);
    case 1: return pick(rng, [null, true, false, [], [1], {}, { v: 1 }]);
    case 2: return pick(rng, [Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -0]);
    default: return rng.normal() * 100;
  }
}

function goodish(rng: Rng, receivedAt: number): SensorMessage {
  const machine = `m${rng.int(44)}`; // more machines than the cap: some are shed
  const channel = rng.int(4) ? pick(rng, ['temp', 'vib', 'rpm', 'amps']) : pick(rng, ['oil', 'constructor', '__proto__', '']);
  const ts = timestamp(rng, receivedAt);
  switch (rng.int(12)) {
    case 0: case 6: case 7: case 8: return { topic: `plant/${machine}/${channel}`, payload: Buffer.from(JSON.stringify({ ts, value: value(rng) })), receivedAt };
    case 1: return { topic: `plant/${machine}/${channel}`, payload: Buffer.from(String(value(rng))), receivedAt };
    case 2: case 9: case 10: {
      const values: Record<string, unknown> = {};
      for (let i = rng.int(4); i >= 0; i--) values[pick(rng, ['temp', 'vib', 'rpm', 'amps', rng.int(10) ? 'vib' : 'oil'])] = value(rng);
      const body = rng.int(10) === 0 ? `{"ts":${JSON.stringify(ts)},"values":{"__proto__":1,"temp":2}}` : JSON.stringify({ ts, values });
      return { topic: `factory/${machine}/telemetry`, payload: Buffer.from(body), receivedAt };
    }
    case 3: return { topic: `lyon/${machine}/bulk/${'x/'.repeat(rng.int(4))}y`, payload: Buffer.from(JSON.stringify({ ts, values: value(rng) })), receivedAt };
    case 4: return { topic: pick(rng, ['plant/m1', 'plant//temp', '', 'other', '$SYS/x', 'plant/m1/temp/extra']), payload: Buffer.from('1'), receivedAt };
    default: return { topic: `plant/${machine}/temp`, payload: Buffer.from(JSON.stringify({ meta: { ts }, value: 1 })), receivedAt };
  }
}

function mangled(rng: Rng, receivedAt: number): SensorMessage {
  const base = goodish(rng, receivedAt);
  const text = base.payload.toString('utf8');
  let payload: Uint8Array;
  switch (rng.int(7)) {
    case 0: payload = Buffer.from(text.slice(0, rng.int(text.length + 1))); break; // truncated
    case 1: { // one random byte replaced
      const b = Buffer.from(text);
      if (b.length) b[rng.int(b.length)] = rng.int(256);
      payload = b;
      break;
    }
    case 2: payload = Buffer.from(randomText(rng, rng.int(80))); break;
    case 3: payload = Uint8Array.from({ length: rng.int(64) }, () => rng.int(256)); break; // raw bytes, not a Buffer
    case 4: payload = Buffer.from(`{"ts":${R0},"values":${'['.repeat(1000)}`); break; // deep nesting
    case 5: payload = Buffer.alloc(2049 + rng.int(5000), 0x7b); break; // oversized
    default: payload = Buffer.from(`{"ts":${JSON.stringify(timestamp(rng, receivedAt))},"value":${pick(rng, ['1e999', '-1e999', '0x10', '.5', '01', 'NaN', '1', '"1"'])}}`);
  }
  return { topic: base.topic, payload: payload as Buffer, receivedAt };
}

function generate(seed: number, n: number): SensorMessage[] {
  const rng = createRng(seed);
  const out: SensorMessage[] = [];
  for (let i = 0; i < n; i++) {
    const receivedAt = R0 + i * 10 + rng.int(10);
    const u = rng.next();
    if (u < 0.05 && i > 0) out.push({ ...out[i - 1 - rng.int(Math.min(i, 20))], receivedAt }); // a redelivery
    else out.push(u < 0.7 ? goodish(rng, receivedAt) : mangled(rng, receivedAt));
  }
  return out;
}

function run(messages: SensorMessage[]) {
  const counters = createReadingCounters();
  const outputs: (Reading | DeadLetter)[] = [];
  let error: unknown = null;
  let complete = false;
  from(messages).pipe(toReadings({ ...options, counters })).subscribe({
    next: (x) => outputs.push(x),
    error: (e) => { error = e; },
    complete: () => { complete = true; },
  });
  return { counters, outputs, error, complete };
}

describe('toReadings fuzz (seeded)', () => {
  const N = 100_000;
  const messages = generate(20240501, N);
  const { counters, outputs, error, complete } = run(messages);

  it('never errors the stream and emits exactly one output per message', () => {
    expect(error).toBeNull();
    expect(complete).toBe(true);
    expect(outputs.length).toBe(N);
    expect(counters.accepted + counters.rejected).toBe(N);
  });

  it('gives every rejection a known reason, a detail and the message topic; counters agree', () => {
    const tally: Record<string, number> = {};
    const problems: string[] = [];
    const known = new Set<string>(DEAD_LETTER_REASONS);
    outputs.forEach((o, i) => {
      if (!isDeadLetter(o)) return;
      if (!known.has(o.reason)) problems.push(`#${i}: unknown reason ${o.reason}`);
      if (typeof o.detail !== 'string' || o.detail.length === 0) problems.push(`#${i}: no detail`);
      if (o.topic !== messages[i].topic || o.receivedAt !== messages[i].receivedAt) problems.push(`#${i}: topic or receivedAt not carried over`);
      tally[o.reason] = (tally[o.reason] ?? 0) + 1;
    });
    expect(problems.slice(0, 10)).toEqual([]);
    expect(outputs.filter(isDeadLetter).length).toBe(counters.rejected);
    for (const r of DEAD_LETTER_REASONS) expect(counters.byReason[r], r).toBe(tally[r] ?? 0);
    // The generator reaches every reason and still lets plenty through.
    for (const r of DEAD_LETTER_REASONS) expect(tally[r] ?? 0, `no '${r}' generated`).toBeGreaterThan(0);
    expect(counters.accepted).toBeGreaterThan(N / 10);
  });

  it('accepts only sane readings: finite values of known channels, believable and strictly increasing time', () => {
    const last = new Map<string, number>();
    const problems: string[] = [];
    outputs.forEach((o, i) => {
      if (isDeadLetter(o)) return;
      const m = messages[i];
      if (o.machineId.length === 0) problems.push(`#${i}: empty machine`);
      if (!(o.time >= MIN_TIME && o.time <= m.receivedAt + SKEW)) problems.push(`#${i}: time ${o.time} out of bounds`);
      if (Object.getPrototypeOf(o.values) !== Object.prototype) problems.push(`#${i}: values prototype changed`);
      const channels = Object.keys(o.values);
      if (channels.length === 0) problems.push(`#${i}: no channels`);
      for (const ch of channels) {
        if (!options.channels.includes(ch) || ch === '__proto__') problems.push(`#${i}: channel ${ch}`);
        if (!Number.isFinite(o.values[ch])) problems.push(`#${i}: ${ch} = ${o.values[ch]}`);
        const key = `${o.machineId}/${ch}`;
        if (!(o.time > (last.get(key) ?? -Infinity))) problems.push(`#${i}: ${key} not increasing`);
        last.set(key, o.time);
      }
    });
    expect(problems.slice(0, 10)).toEqual([]);
    expect(new Set(outputs.filter((o): o is Reading => !isDeadLetter(o)).map((o) => o.machineId)).size).toBeLessThanOrEqual(options.maxTrackedMachines);
  });

  it('is deterministic: the same seed gives the same outcome', () => {
    const again = run(generate(20240501, N));
    expect(again.counters).toEqual(counters);
  });
});
