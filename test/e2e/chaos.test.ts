// Chaos: at-least-once alert delivery survives broker restarts and daemon crashes.
// A real mosquitto (persistence on, autosave every second, a deep queue for offline clients) carries
// both the simulated sensors and the alerts. `vigil run` is a child process with the simulator on and
// an alert-happy decision policy (warning at the median score, raise on 1 of 1, clear after 1 window,
// no cooldown, an update every window above warning), so four pumps, two of them faulty, produce many
// alert events a second. A consumer with a persistent session (clean false, fixed clientId, QoS 1)
// collects vigil/alerts/+. While the stream runs the script below stops and restarts mosquitto
// (SIGTERM: it saves its database, so nothing it acknowledged is lost) and SIGKILLs the daemon, then
// restarts it on the same state directory: right after it logs 'alert stored', while the broker is
// paused (alerts appended but unacknowledged), and while the broker is down (alerts pending in the
// outbox). After a final recovery, a SIGTERM and a drain, it checks:
//   - every eventId any life logged as 'alert stored' (fsynced in the outbox) reached the consumer;
//   - all receipts of one eventId carry the identical payload;
//   - per machine, first receipts come in strictly increasing seq (consumers order and de-duplicate
//     by seq: agent/types.ts);
//   - every life ended by our SIGKILL or, the last one, with exit code 0 after SIGTERM; no fatal lines.
// (Killing mosquitto with SIGKILL instead would lose what it acknowledged since its last autosave:
// a broker acknowledgement is not durability, see /work/shared/notes/mqtt.md. That is not Vigil's to
// fix, so the broker here only ever stops gracefully or pauses.)

import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type DaemonExit, type DaemonProcess, type LogLine } from '../helpers/daemon-process.js';
import { E2E_TIMEOUT_MS, e2eDir, removeE2eDirs, writeDaemonConfig } from '../helpers/e2e-config.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { openCollector, type MqttCollector } from '../helpers/mqtt-collector.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

/** New alert events a life must store before the next blow (proof the flow recovered). */
const PROGRESS = 25;

interface Life {
  readonly n: number;
  readonly daemon: DaemonProcess;
  /** Set when the test kills it: the only acceptable non-zero ending. */
  killedByUs: boolean;
}

let mosquitto: Mosquitto | undefined;
let consumer: MqttCollector | undefined;
const lives: Life[] = [];

afterAll(async () => {
  for (const l of lives) l.daemon.kill('SIGKILL');
  await Promise.all(lives.map((l) => l.daemon.exited));
  await consumer?.close();
  await mosquitto?.close();
  removeE2eDirs();
});

describe('chaos: broker restarts and daemon crashes', () => {
  it('delivers every stored alert at least once, duplicates identical, in seq order per machine', async () => {
    const t0 = Date.now();
    const mq = (mosquitto = await startMosquitto({ persistence: true, autosaveIntervalS: 1, maxQueuedMessages: 100_000, maxInflightMessages: 100 }));
    const c = (consumer = await openCollector(mq.url, ['vigil/alerts/+'], { clientId: 'vigil-chaos-consumer', clean: false, qos: 1 }));
    const dir = e2eDir('chaos');
    const configFile = writeDaemonConfig(dir, {
      broker: { url: mq.url, clientId: 'vigil-chaos-agent', reconnect: { initialMs: 100, maxMs: 1000 } },
      simulator: {
        enabled: true,
        machines: 4,
        seed: 11,
        faults: [
          { machineId: 'pump-02', kind: 'cavitation', onsetAfterMs: 2000, rampMs: 2000 },
          { machineId: 'pump-04', kind: 'bearing-wear', onsetAfterMs: 1000, rampMs: 4000 },
        ],
      },
      decision: {
        thresholds: { warning: { kind: 'quantile', q: 0.5, factor: 1 } },
        raise: { k: 1, n: 1 },
        clearWindows: 1,
        cooldownMs: 0,
        updateIntervalMs: 0,
        warmupWindows: 0,
      },
      outbox: { retryMs: 500 },
    });

    const stored = (): LogLine[] => lives.flatMap((l) => l.daemon.find('alert stored'));
    const current = (): Life => lives[lives.length - 1];
    const events: string[] = [];
    let brokerRestarts = 0;
    let kills = 0;

    async function startLife(): Promise<Life> {
      const life: Life = { n: lives.length + 1, daemon: spawnDaemon(configFile), killedByUs: false };
      lives.push(life);
      await life.daemon.waitForLine(`life ${life.n}: pipeline running`, (l) => l.msg === 'pipeline running');
      return life;
    }
    /** Waits until the current life stored PROGRESS more alert events (the flow is back). */
    async function progress(why: string): Promise<void> {
      const life = current();
      const from = life.daemon.find('alert stored').length;
      await waitFor(`life ${life.n}: ${PROGRESS} new alerts stored after ${why}`, () => {
        if (life.daemon.exit) throw new Error(`life ${life.n} exited on its own: ${JSON.stringify(life.daemon.exit)}\n${life.daemon.stderr()}`);
        return life.daemon.find('alert stored').length >= from + PROGRESS;
      }, { boundMs: 90_000 });
    }
    async function kill(life: Life): Promise<DaemonExit> {
      life.killedByUs = true;
      life.daemon.kill('SIGKILL');
      kills++;
      return life.daemon.exited;
    }
    async function restartBroker(label: string): Promise<void> {
      await mq.stop();
      brokerRestarts++;
      await sleep(300); // the daemon notices, its in-flight publishes are rejected, alerts wait in the outbox
      await mq.start();
      events.push(label);
    }

    // Life 1 trains the starter model (cached in the state directory for the next lives).
    await startLife();
    await progress('the first start');

    // 1. Broker restart mid-stream.
    await restartBroker('broker restart');
    await progress('a broker restart');

    // 2. SIGKILL the moment an alert is fsynced (its delivery, and the decider's state write, in flight).
    await new Promise<void>((resolve) => {
      const life = current();
      const off = life.daemon.onLine((l) => {
        if (l.msg !== 'alert stored') return;
        off();
        void kill(life).then(() => resolve());
      });
    });
    events.push('kill after alert stored');
    await startLife();
    await progress('a kill right after an alert was stored');

    // 3. Broker restart.
    await restartBroker('broker restart');
    await progress('a broker restart');

    // 4. Broker paused (sockets open, nothing acknowledged): alerts still in the pipeline are stored
    //    and left unacknowledged; SIGKILL then; the broker resumes; a new life delivers them.
    const beforePause = current().daemon.find('alert stored').length;
    mq.pause();
    await waitFor('an alert stored while the broker is paused', () => current().daemon.find('alert stored').length > beforePause, { boundMs: 5000 }).catch(() => undefined);
    await kill(current());
    mq.resume();
    events.push('kill while the broker is paused');
    await startLife();
    await progress('a kill while the broker was paused');

    // 5. SIGKILL after an alert again, twice in a row.
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve) => {
        const life = current();
        const off = life.daemon.onLine((l) => {
          if (l.msg !== 'alert stored') return;
          off();
          void kill(life).then(() => resolve());
        });
      });
      events.push('kill after alert stored');
      await startLife();
      await progress('a kill right after an alert was stored');
    }

    // 6. Broker down; the daemon is killed during the outage and restarted before the broker returns.
    await mq.stop();
    brokerRestarts++;
    await sleep(300);
    await kill(current());
    await startLife();
    await sleep(500);
    await mq.start();
    events.push('broker down, kill, restart, broker back');
    await progress('a kill during a broker outage');

    // 7. Broker restart, then the final, graceful stop.
    await restartBroker('broker restart');
    await progress('a broker restart');
    const last = current();
    last.daemon.kill('SIGTERM');
    const lastExit = await last.daemon.exited;

    // Drain: everything any life stored reaches the consumer (the final stop delivers what is left;
    // a record still pending would have been delivered by the next start).
    const storedIds = new Map<string, string>(stored().map((l) => [l.eventId as string, l.machineId as string]));
    const receivedIds = (): Set<string> => new Set(c.messages.map((m) => JSON.parse(m.payload).eventId as string));
    await waitFor('every stored alert received', () => [...storedIds.keys()].every((id) => receivedIds().has(id)), {
      boundMs: 60_000,
      detail: () => `missing: ${[...storedIds.keys()].filter((id) => !receivedIds().has(id)).join(' ')}`,
    });

    // --- Verdict.
    const receipts = new Map<string, string[]>();
    const firstOrder = new Map<string, { eventId: string; seq: number }[]>();
    for (const m of c.messages) {
      const p = JSON.parse(m.payload) as { eventId: string; machineId: string; seq: number };
      expect(m.topic).toBe(`vigil/alerts/${p.machineId}`);
      const seen = receipts.get(p.eventId);
      if (seen) seen.push(m.payload);
      else {
        receipts.set(p.eventId, [m.payload]);
        const list = firstOrder.get(p.machineId) ?? [];
        list.push({ eventId: p.eventId, seq: p.seq });
        firstOrder.set(p.machineId, list);
      }
    }
    const duplicates = [...receipts.values()].reduce((a, r) => a + r.length - 1, 0);
    const differing = [...receipts.entries()].filter(([, r]) => r.some((p) => p !== r[0]));
    const outOfOrder: string[] = [];
    for (const [machine, list] of firstOrder) {
      for (let i = 1; i < list.length; i++) {
        if (!(list[i].seq > list[i - 1].seq)) outOfOrder.push(`${machine}: ${list[i - 1].eventId} then ${list[i].eventId}`);
      }
    }
    const storedBy = (id: string): number[] => lives.filter((l) => l.daemon.find('alert stored').some((x) => x.eventId === id)).map((l) => l.n);
    const fatal = lives.flatMap((l) => l.daemon.lines.filter((x) => x.level === 'fatal').map((x) => `life ${l.n}: ${JSON.stringify(x)}`));
    const errors = lives.flatMap((l) => l.daemon.lines.filter((x) => x.level === 'error').map((x) => `life ${l.n}: ${JSON.stringify(x)}`));
    const endings = lives.map((l) => ({ life: l.n, killedByUs: l.killedByUs, ...l.daemon.exit }));
    const unloggedButReceived = [...receipts.keys()].filter((id) => !storedIds.has(id)).length;

    console.log(
      `chaos: ${storedIds.size} alert events stored (logged) across ${lives.length} lives, ${receipts.size} distinct received ` +
        `(${unloggedButReceived} whose 'alert stored' line died with a SIGKILLed process), ${c.messages.length} receipts, ${duplicates} duplicates, ` +
        `${kills} daemon kills, ${brokerRestarts} broker restarts, consumer connections ${c.connects}; ` +
        `events: ${events.join(' → ')}; wall ${Date.now() - t0} ms`,
    );
    if (errors.length) console.log(`error lines:\n${errors.slice(0, 20).join('\n')}`);

    // Every violation at once, so one run tells the whole story.
    expect({
      storedNotReceived: [...storedIds.keys()].filter((id) => !receivedIds().has(id)),
      sameEventIdDifferentPayloads: differing.map(([id, r]) => `${id} (stored by lives ${storedBy(id).join(', ')}):\n  ${[...new Set(r)].join('\n  ')}`),
      firstReceiptsOutOfSeqOrder: outOfOrder,
      fatalLines: fatal,
    }).toEqual({ storedNotReceived: [], sameEventIdDifferentPayloads: [], firstReceiptsOutOfSeqOrder: [], fatalLines: [] });
    expect(lastExit).toEqual({ code: 0, signal: null });
    for (const e of endings.slice(0, -1)) expect(e).toMatchObject({ killedByUs: true, signal: 'SIGKILL' });
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(brokerRestarts).toBeGreaterThanOrEqual(4);
    expect(storedIds.size).toBeGreaterThan(8 * PROGRESS);
  }, E2E_TIMEOUT_MS);
});
