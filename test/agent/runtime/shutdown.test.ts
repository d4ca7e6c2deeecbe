import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../agent/runtime/logger.js';
import { createShutdown, type ShutdownOptions } from '../../../agent/runtime/shutdown.js';

function setup(overrides: Partial<ShutdownOptions> = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const signals = new EventEmitter();
  const exits: number[] = [];
  const coordinator = createShutdown({
    logger: createLogger({ level: 'info', destination }),
    signals,
    exit: (code) => exits.push(code),
    ...overrides,
  });
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
  return { coordinator, signals, exits, logs };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createShutdown', () => {
  it('runs the steps in registration order, once, on SIGTERM, then exits 0', async () => {
    const { coordinator, signals, exits } = setup();
    const order: string[] = [];
    coordinator
      .step('stop intake', () => void order.push('stop intake'))
      .step('drain pipeline', async () => {
        await tick();
        order.push('drain pipeline');
      })
      .step('flush outbox', async () => {
        await tick();
        order.push('flush outbox');
      })
      .step('save state', () => void order.push('save state'))
      .step('close connections', () => void order.push('close connections'))
      .install();
    signals.emit('SIGTERM');
    expect(coordinator.state).toBe('stopping');
    const again = coordinator.shutdown('called again');
    expect(await again).toBe(0);
    expect(order).toEqual(['stop intake', 'drain pipeline', 'flush outbox', 'save state', 'close connections']);
    expect(exits).toEqual([0]);
    expect(coordinator.state).toBe('stopped');
    expect(signals.listenerCount('SIGTERM')).toBe(0); // uninstalled when done
  });

  it('also stops on SIGINT', async () => {
    const { coordinator, signals, exits } = setup();
    let ran = 0;
    coordinator.step('only', () => void ran++).install();
    signals.emit('SIGINT');
    expect(await coordinator.shutdown('x')).toBe(0);
    expect(ran).toBe(1);
    expect(exits).toEqual([0]);
  });

  it('keeps going after a failed step, then exits 1 and names the step', async () => {
    const { coordinator, exits, logs } = setup();
    const order: string[] = [];
    coordinator
      .step('drain pipeline', () => {
        throw new Error('stuck window');
      })
      .step('flush outbox', () => void order.push('flush outbox'))
      .step('save state', async () => {
        await tick();
        order.push('save state');
      });
    expect(await coordinator.shutdown('test')).toBe(1);
    expect(order).toEqual(['flush outbox', 'save state']);
    expect(exits).toEqual([1]);
    const failure = logs().find((l) => l.msg.startsWith('shutdown step failed'));
    expect(failure).toMatchObject({ level: 'error', step: 'drain pipeline', stage: 'shutdown' });
    expect(failure!.err.message).toBe('stuck window');
  });

  it('exits 1 when the deadline passes, naming the running step and the ones that never ran', async () => {
    const { coordinator, exits, logs } = setup({ deadlineMs: 20 });
    let closed = false;
    coordinator
      .step('stop intake', () => undefined)
      .step('flush outbox', () => new Promise<void>(() => undefined)) // broker never acknowledges
      .step('save state', () => undefined)
      .step('close connections', () => void (closed = true));
    expect(await coordinator.shutdown('test')).toBe(1);
    expect(exits).toEqual([1]);
    expect(closed).toBe(false);
    expect(logs().find((l) => l.msg.startsWith('shutdown deadline passed'))).toMatchObject({
      level: 'error',
      deadlineMs: 20,
      step: 'flush outbox',
      neverRan: ['save state', 'close connections'],
    });
  });

  it('passes a minimum exit code through (stopping because of a fatal error)', async () => {
    const { coordinator, exits } = setup();
    coordinator.step('ok', () => undefined);
    expect(await coordinator.shutdown('pipeline failed', 1)).toBe(1);
    expect(exits).toEqual([1]);
  });

  it('exits 1 at once on a second stop signal while stopping', async () => {
    const { coordinator, signals, exits } = setup();
    let release!: () => void;
    coordinator.step('slow drain', () => new Promise<void>((r) => (release = r))).install();
    signals.emit('SIGTERM');
    await tick();
    signals.emit('SIGINT');
    expect(exits).toEqual([1]);
    release();
    await coordinator.shutdown('x');
  });

  it('calls the reload handler on SIGHUP, survives a failed reload, and ignores SIGHUP while stopping', async () => {
    const { coordinator, signals, exits, logs } = setup();
    let reloads = 0;
    coordinator
      .onReload(async () => {
        reloads++;
        if (reloads === 2) throw new Error('config invalid: broker.url is empty');
      })
      .step('s', () => undefined)
      .install();
    signals.emit('SIGHUP');
    await tick();
    signals.emit('SIGHUP');
    await tick();
    expect(reloads).toBe(2);
    expect(exits).toEqual([]);
    expect(coordinator.state).toBe('running');
    expect(logs().some((l) => l.msg.startsWith('reload failed') && l.err.message.includes('broker.url'))).toBe(true);

    const done = coordinator.shutdown('x');
    signals.emit('SIGHUP');
    await done;
    expect(reloads).toBe(2);
  });

  it('refuses steps added after shutdown started', async () => {
    const { coordinator } = setup();
    const done = coordinator.shutdown('x');
    expect(() => coordinator.step('late', () => undefined)).toThrow(/register steps at startup/);
    await done;
  });
});
