import { afterEach, describe, expect, it } from 'vitest';
import { parseAckId, startAlertDelivery, type AlertDelivery } from '../../../agent/sink/alert-delivery.js';
import { openOutbox, type Outbox, type OutboxRecord } from '../../../agent/sink/outbox.js';
import { createRng } from '../../../engine/rng.js';
import { FakeLink, type Publication } from './fake-link.js';
import { removeTempDirs, tempDir } from './outbox-helpers.js';

const open: { box?: Outbox; delivery?: AlertDelivery }[] = [];
afterEach(async () => {
  for (const { box, delivery } of open.splice(0)) {
    delivery?.stop();
    await box?.close();
  }
  await removeTempDirs();
});

async function setup(link: FakeLink, mode: 'broker' | 'consumer' = 'broker', retryMs = 1) {
  const box = await openOutbox({ dir: await tempDir(), maxBytes: 1 << 26, maxAgeMs: 1e15 });
  const delivery = startAlertDelivery({ outbox: box, link, ackMode: mode, ackTopic: mode === 'consumer' ? 'vigil/acks' : undefined, retryMs });
  open.push({ box, delivery });
  return { box, delivery };
}

const alert = (key: string, n: number): OutboxRecord => ({
  id: `${key}:${n}`,
  key,
  kind: 'alert',
  topic: `vigil/alerts/${key}`,
  payload: JSON.stringify({ id: `${key}:${n}`, machineId: key, seq: n }),
  createdAt: Date.now(),
});

const state = (key: string, n: number): OutboxRecord => ({
  ...alert(key, n),
  id: `${key}:s${n}`,
  kind: 'state',
  topic: `vigil/state/${key}`,
  payload: JSON.stringify({ id: `${key}:s${n}`, machineId: key, status: 'running' }),
  retain: true,
});

const idOf = (p: Publication): string => (JSON.parse(p.payload.toString()) as { id: string }).id;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Waits (polling every few ms, no limit on how fast) until `cond` holds; fails after many tries. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`gave up waiting for: ${what}`);
}

describe('alert delivery, broker acks', () => {
  it('delivers every alert of several machines through many disconnects: per-key order kept, duplicates identical, nothing left', async () => {
    const link = new FakeLink();
    const { box, delivery } = await setup(link);
    const rng = createRng(42);
    const keys = ['press-1', 'press-2', 'lathe-1', 'pump-9'];
    const appended: OutboxRecord[] = [];
    // The stream and the chaos interleave: after each tick's appends, 0-3 chaos steps. Some records
    // are retained machine states, which coalesce: a state superseded in flight is dropped.
    for (let n = 0; n < 120; n++) {
      const batch = keys.filter(() => rng.next() < 0.8).map((k) => (rng.next() < 0.15 ? state(k, n) : alert(k, n)));
      appended.push(...batch);
      await Promise.all(batch.map((r) => box.append(r))); // appends of one tick share an fsync
      for (let step = rng.int(4); step > 0; step--) {
        for (let i = rng.int(30); i > 0; i--) await tick();
        const roll = rng.next();
        if (roll < 0.6) link.connected ? link.down() : link.up();
        else link.dropAcks = !link.dropAcks;
      }
    }
    link.dropAcks = false;
    link.down(); // release publishes whose PUBACK was dropped
    link.up();
    const result = await delivery.drain(60_000);

    expect(result).toEqual({ drained: true, left: 0, leftByKey: {} });
    expect(box.depth).toBe(0);
    expect(link.reconnects).toBeGreaterThan(20);
    expect(delivery.stats.republished).toBeGreaterThan(0);
    expect(link.published.length).toBe(delivery.stats.published);
    const superseded = box.stats.dropped.state.superseded;
    expect(superseded).toBeGreaterThan(0);
    expect(delivery.stats.delivered).toBe(appended.length - superseded);
    const byId = new Map(appended.map((r) => [r.id, r]));
    for (const p of link.published) {
      const r = byId.get(idOf(p))!; // every publication is an appended record, unchanged
      expect([p.topic, p.payload.toString(), p.qos, p.retain]).toEqual([r.topic, r.payload, 1, r.kind === 'state']);
    }
    for (const key of keys) {
      const mine = appended.filter((r) => r.key === key);
      const firsts = [...new Set(link.published.map(idOf).filter((id) => byId.get(id)!.key === key))];
      // First publications follow append order; every alert and the last state are among them.
      expect(firsts).toEqual(mine.map((r) => r.id).filter((id) => firsts.includes(id)));
      expect(mine.filter((r) => r.kind === 'alert' && !firsts.includes(r.id))).toEqual([]);
      expect(firsts).toContain(mine.filter((r) => r.kind === 'state').at(-1)?.id ?? firsts[0]);
    }
    const keyOf = (topic: string): string => topic.split('/').at(-1)!;
    expect(link.published.filter((p) => p.awaiting.some((t) => keyOf(t) === keyOf(p.topic)))).toEqual([]); // one in flight per key
    expect(Math.max(...link.published.map((p) => p.awaiting.length))).toBeGreaterThan(0); // keys in parallel
  });

  it('publishes nothing while down, then everything that waited on reconnect, honouring retain', async () => {
    const link = new FakeLink(false);
    const { box, delivery } = await setup(link);
    await box.append(alert('m1', 1));
    await box.append({ ...alert('m1', 2), kind: 'state', retain: true, topic: 'vigil/state/m1' });
    await box.append(alert('m2', 1));
    for (let i = 0; i < 20; i++) await tick();
    expect(link.published).toEqual([]);
    link.up();
    expect((await delivery.drain(60_000)).drained).toBe(true);
    expect(link.published.map((p) => [idOf(p), p.retain])).toEqual([['m1:1', false], ['m2:1', false], ['m1:2', true]]);
  });

  it('retries a publish the broker refuses while connected, without passing the head of the key', async () => {
    const link = new FakeLink();
    link.failNext = 3;
    const { box, delivery } = await setup(link);
    await Promise.all([box.append(alert('m1', 1)), box.append(alert('m1', 2))]);
    expect((await delivery.drain(60_000)).drained).toBe(true);
    expect(delivery.stats.failures).toBe(3);
    expect(link.published.map(idOf)).toEqual(['m1:1', 'm1:2']);
  });

  it('drain reports what is left when the deadline passes with the link down', async () => {
    const link = new FakeLink(false);
    const { box, delivery } = await setup(link);
    for (const r of [alert('m1', 1), alert('m1', 2), alert('m2', 1)]) await box.append(r);
    expect(await delivery.drain(20)).toEqual({ drained: false, left: 3, leftByKey: { m1: 2, m2: 1 } });
    expect(box.depth).toBe(3);
  });
});

describe('alert delivery, consumer acks', () => {
  it('keeps records pending after PUBACK until the consumer acks them by id, republishing meanwhile', async () => {
    const link = new FakeLink();
    const { box, delivery } = await setup(link, 'consumer', 20);
    expect(link.subscriptions).toEqual(['vigil/acks']);
    await Promise.all([box.append(alert('m1', 1)), box.append(alert('m1', 2)), box.append(alert('m2', 1))]);
    await until(() => delivery.stats.republished >= 2, 'republication of unacknowledged heads');
    expect(box.depth).toBe(3);
    expect(new Set(link.published.map(idOf))).toEqual(new Set(['m1:1', 'm2:1'])); // m1:2 waits behind m1:1
    expect(delivery.stats.inFlight).toBe(2);

    link.deliver('vigil/acks', JSON.stringify({ id: 'm1:1' }));
    link.deliver('vigil/acks', '{"nope":1}'); // names no id: ignored
    link.deliver('vigil/acks', '{"id":"unknown"}'); // not pending: ignored
    expect(box.pending().map((r) => r.id)).toEqual(['m1:2', 'm2:1']);
    await until(() => link.published.some((p) => idOf(p) === 'm1:2'), 'm1:2 published once m1:1 is acked');
    link.deliver('vigil/acks', ' m2:1\n');
    link.deliver('vigil/acks', 'm1:2');
    expect(await delivery.drain(60_000)).toEqual({ drained: true, left: 0, leftByKey: {} });
    expect(delivery.stats.delivered).toBe(3);
  });

  it('subscribes once the link comes up, and republishes unacknowledged records after a reconnect', async () => {
    const link = new FakeLink(false);
    const { box, delivery } = await setup(link, 'consumer', 60_000);
    await box.append(alert('m1', 1));
    link.up();
    await until(() => link.published.length === 1, 'first publication');
    expect(link.subscriptions).toEqual(['vigil/acks']);
    link.down();
    link.up();
    await until(() => link.published.length === 2, 'republication after reconnect');
    expect(delivery.stats.republished).toBe(1);
    expect(box.depth).toBe(1);
    link.deliver('vigil/acks', 'm1:1');
    expect(box.depth).toBe(0);
  });

  it('parses ack payloads: JSON {id} or the bare id', () => {
    expect(parseAckId(Buffer.from('{"id":"a:1"}'))).toBe('a:1');
    expect(parseAckId(' a:1 \n')).toBe('a:1');
    expect(parseAckId('{"id":7}')).toBeUndefined();
    expect(parseAckId('{broken')).toBeUndefined();
    expect(parseAckId('  ')).toBeUndefined();
  });

  it('refuses consumer mode without an ack topic, saying what to set', async () => {
    const box = await openOutbox({ dir: await tempDir(), maxBytes: 1 << 20, maxAgeMs: 1e9 });
    open.push({ box });
    expect(() => startAlertDelivery({ outbox: box, link: new FakeLink(), ackMode: 'consumer', retryMs: 10 })).toThrow(/needs ackTopic/);
  });
});
