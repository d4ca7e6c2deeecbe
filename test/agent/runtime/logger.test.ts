import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../agent/runtime/clock.js';
import { createLogger, rateLimitedLog, stageLogger, type LogLevel } from '../../../agent/runtime/logger.js';

/** A destination that keeps every line, and pretends to be (or not be) a terminal. */
function capture(isTTY = false): { stream: Writable & { isTTY?: boolean }; lines: () => string[] } {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  if (isTTY) stream.isTTY = true;
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l.length > 0) };
}

function jsonLogger(level: LogLevel = 'info') {
  const out = capture();
  const logger = createLogger({ level, destination: out.stream });
  return { logger, records: () => out.lines().map((l) => JSON.parse(l) as Record<string, any>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with a level name, ISO time and the message', () => {
    const { logger, records } = jsonLogger();
    logger.info({ topic: 'plant/pump-01/vibration' }, 'subscribed');
    logger.debug('below the level: not written');
    const [rec, ...rest] = records();
    expect(rest).toHaveLength(0);
    expect(rec).toMatchObject({ level: 'info', msg: 'subscribed', topic: 'plant/pump-01/vibration' });
    expect(typeof rec.pid).toBe('number');
    expect(typeof rec.hostname).toBe('string');
    expect(new Date(rec.time).toISOString()).toBe(rec.time);
  });

  it('redacts well-known secret fields at the top level and nested', () => {
    const { logger, records } = jsonLogger();
    logger.info(
      {
        password: 'hunter2',
        token: 'tok-123',
        authorization: 'Bearer abc',
        mqtt: { username: 'vigil', password: 'pw-1', tls: { key: '-----BEGIN PRIVATE KEY-----', passphrase: 'pp', ca: 'public-ca' } },
        headers: { authorization: 'Basic Zm9v' },
      },
      'config loaded',
    );
    const line = JSON.stringify(records()[0]);
    for (const secret of ['hunter2', 'tok-123', 'Bearer abc', 'pw-1', 'BEGIN PRIVATE KEY', '"pp"', 'Zm9v']) {
      expect(line).not.toContain(secret);
    }
    const rec = records()[0];
    expect(rec.password).toBe('[Redacted]');
    expect(rec.mqtt.username).toBe('vigil');
    expect(rec.mqtt.tls.key).toBe('[Redacted]');
    expect(rec.mqtt.tls.ca).toBe('public-ca');
  });

  it('redacts any field whose name contains password or secret, at any depth, and URL passwords', () => {
    const { logger, records } = jsonLogger();
    const config = { sink: { broker: { auth: { dbPassword: 'p1', client_secret: 's1', mqttPasswordFile: '/run/pw' } } } };
    logger.warn({ config, list: [{ apiSecret: 's2' }], url: 'mqtts://vigil:hunter3@broker.local:8883' }, 'nested');
    const rec = records()[0];
    const line = JSON.stringify(rec);
    for (const secret of ['p1', 's1', '/run/pw', 's2', 'hunter3']) expect(line).not.toContain(secret);
    expect(rec.url).toBe('mqtts://vigil:[Redacted]@broker.local:8883');
    expect(rec.config.sink.broker.auth.dbPassword).toBe('[Redacted]');
    // The caller's object is not modified.
    expect(config.sink.broker.auth.dbPassword).toBe('p1');
  });

  it('redacts secrets in child bindings too', () => {
    const { logger, records } = jsonLogger();
    logger.child({ password: 'child-pw', brokerSecret: 'child-s' }).info('from child');
    const line = JSON.stringify(records()[0]);
    expect(line).not.toContain('child-pw');
    expect(line).not.toContain('child-s');
  });

  it('binds stage and machineId on stage loggers', () => {
    const { logger, records } = jsonLogger();
    stageLogger(logger, 'to-readings', 'pump-03').warn({ reason: 'non-numeric' }, 'dead letter');
    stageLogger(logger, 'outbox').info('flushed');
    const [a, b] = records();
    expect(a).toMatchObject({ stage: 'to-readings', machineId: 'pump-03', reason: 'non-numeric' });
    expect(b.stage).toBe('outbox');
    expect('machineId' in b).toBe(false);
  });

  it("pretty-prints for a terminal when pretty is 'auto', JSON otherwise", () => {
    const tty = capture(true);
    createLogger({ level: 'info', destination: tty.stream }).info({ password: 'x1' }, 'hello tty');
    const prettyText = tty.lines().join('\n');
    expect(prettyText).toContain('hello tty');
    expect(prettyText).not.toContain('x1');
    expect(() => JSON.parse(tty.lines()[0])).toThrow();

    const pipe = capture(false);
    createLogger({ level: 'info', destination: pipe.stream, pretty: 'auto' }).info('hello pipe');
    expect(JSON.parse(pipe.lines()[0]).msg).toBe('hello pipe');

    const forced = capture(false);
    createLogger({ level: 'info', destination: forced.stream, pretty: true }).info('forced');
    expect(() => JSON.parse(forced.lines()[0])).toThrow();
  });
});

describe('rateLimitedLog', () => {
  it('logs one line per key per interval and reports how many were suppressed', () => {
    const { logger, records } = jsonLogger();
    const clock = createManualClock(0);
    const limited = rateLimitedLog(logger, 10_000, { clock });
    for (let i = 0; i < 500; i++) {
      limited.warn('malformed-json', { reason: 'malformed-json', topic: `plant/m${i}/x` }, 'dead letter');
      limited.warn('non-numeric', { reason: 'non-numeric' }, 'dead letter');
      clock.advance(10); // 500 × 10 ms = 5 s: all inside one interval
    }
    expect(records()).toHaveLength(2);
    expect(records().every((r) => r.suppressed === undefined)).toBe(true);

    clock.set(10_000);
    limited.warn('malformed-json', { reason: 'malformed-json', topic: 'plant/last/x' }, 'dead letter');
    const third = records()[2];
    expect(third).toMatchObject({ reason: 'malformed-json', suppressed: 499, topic: 'plant/last/x', level: 'warn' });

    limited.flush(); // non-numeric still has 499 pending
    const fourth = records()[3];
    expect(fourth).toMatchObject({ reason: 'non-numeric', suppressed: 499 });
    limited.flush(); // nothing pending
    expect(records()).toHaveLength(4);
  });

  it('bounds the number of keys, reporting an evicted key’s pending count first', () => {
    const { logger, records } = jsonLogger();
    const clock = createManualClock(0);
    const limited = rateLimitedLog(logger, 60_000, { clock, maxKeys: 2 });
    limited.warn('a', { k: 'a' }, 'm');
    limited.warn('a', { k: 'a' }, 'm');
    limited.warn('b', { k: 'b' }, 'm');
    limited.warn('c', { k: 'c' }, 'm'); // evicts a, which had 1 suppressed
    expect(records().map((r) => [r.k, r.suppressed])).toEqual([['a', undefined], ['b', undefined], ['a', 1], ['c', undefined]]);
  });
});
