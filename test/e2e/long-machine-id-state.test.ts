// A machine id too long for a file name must still get its decider state saved, beside the others,
// and cost nothing else. A sensor publishes under a 300-character machine id (MQTT allows it; the
// topic map takes it); its state is written under the sha256 of the id (the id itself is in the
// file). Proves, with `vigil run` as a child process on the embedded broker:
//   - the long id's state is saved (and names its machine), no state write is reported failing;
//   - the simulated pumps' states are written too: the faulty pump's file holds the seq of its
//     last stored alert (what a restart continues from);
//   - SIGTERM still drains and stops cleanly: exit code 0, nothing left undelivered.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMqttLink, type OpenedMqttLink } from '../../agent/mqtt/mqtt-link.js';
import { CHANNELS } from '../../agent/source/simulator.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { E2E_TIMEOUT_MS, e2eDir, removeE2eDirs, writeDaemonConfig } from '../helpers/e2e-config.js';

const LONG_ID = 'm'.repeat(300);

let daemon: DaemonProcess | undefined;
let sensor: OpenedMqttLink | undefined;

afterAll(async () => {
  await sensor?.close(500);
  daemon?.kill('SIGKILL');
  await daemon?.exited;
  removeE2eDirs();
});

describe('a machine id too long for a file name', () => {
  it('has its state saved under a hashed name, and costs the other machines and the clean stop nothing', async () => {
    const dir = e2eDir('unwritable');
    const configFile = writeDaemonConfig(dir, {
      simulator: { machines: 2, faults: [{ machineId: 'pump-02', kind: 'cavitation', onsetAfterMs: 8000, rampMs: 1000 }] },
      learning: { enabled: false },
    });
    const d = (daemon = spawnDaemon(configFile));
    const brokerUrl = (await d.waitForLine('the embedded broker', (l) => l.msg === 'no broker configured: embedded MQTT broker started')).url as string;
    await d.waitForLine('the simulator publishing', (l) => l.msg === 'simulator publishing to the broker');

    // Two seconds of the long-id machine, enough for windows, scores and a decider state.
    const link = (sensor = await openMqttLink({ url: brokerUrl, clientId: 'e2e-long-id-sensor' }));
    await link.untilConnected(30_000);
    const t0 = Math.floor(Date.now() / 100) * 100 - 3000;
    for (let k = 0; k < 20; k++) {
      await Promise.all(CHANNELS.map((c, i) => link.publish(`plant/${LONG_ID}/${c}`, JSON.stringify({ ts: t0 + k * 100, value: 10 + i + (k % 3) / 10 }), { qos: 1 })));
    }
    await d.waitForLine('the faulty pump alerting', (l) => l.msg === 'alert stored' && l.machineId === 'pump-02');
    // Stop once pump-02's events have settled (raised, then escalated within a few windows).
    await new Promise((r) => setTimeout(r, 2000));

    d.kill('SIGTERM');
    const exit = await d.exited;
    const lastSeq = Math.max(...d.find('alert stored').filter((l) => l.machineId === 'pump-02').map((l) => Number(String(l.eventId).split(':')[1])));
    let saved: { seq?: number } = {};
    try {
      saved = JSON.parse(readFileSync(join(dir, 'state', 'deciders', 'pump-02.json'), 'utf8')) as { seq: number };
    } catch {
      // missing: reported below
    }
    const pump01Saved = (() => {
      try {
        return JSON.parse(readFileSync(join(dir, 'state', 'deciders', 'pump-01.json'), 'utf8')).machineId === 'pump-01';
      } catch {
        return false;
      }
    })();
    const hashed = readdirSync(join(dir, 'state', 'deciders')).filter((n) => n.startsWith('sha256-'));
    const longSaved = hashed.map((n) => JSON.parse(readFileSync(join(dir, 'state', 'deciders', n), 'utf8')).machineId === LONG_ID);
    expect({
      longSaved,
      writeFailures: d.find('could not save decider states').length,
      exit,
      stopped: d.find('stopped').map((l) => l.undelivered),
      pump02SavedSeq: saved.seq,
      pump01Saved,
      failedSteps: d.find('shutdown complete').map((l) => l.failedSteps),
    }).toEqual({ longSaved: [true], writeFailures: 0, exit: { code: 0, signal: null }, stopped: [0], pump02SavedSeq: lastSeq, pump01Saved: true, failedSteps: [0] });
  }, E2E_TIMEOUT_MS);
});
