// The simulator on an external broker (`vigil run` with broker set and simulator.enabled true, as
// the chaos test and demos on a real broker use it). The simulated pumps publish through the
// configured broker like real sensors, so:
//   - with a broker that requires a login, they reach it with the daemon's credentials: the daemon
//     starts, the simulator publishes, windows get scored, and the password is never logged;
//   - with no broker at all, startup fails (the simulator waits 10 s for its connection) and the
//     process reports it and EXITS with code 1, instead of living on with a reconnecting link.
// Both tests share one state directory, so the starter model is trained once.

import { afterAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { E2E_TIMEOUT_MS, e2eDir, removeE2eDirs, writeDaemonConfig } from '../helpers/e2e-config.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { metricSum, parseMetrics } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait-for.js';

let mosquitto: Mosquitto | undefined;
const daemons: DaemonProcess[] = [];
const dir = e2eDir('external');

afterAll(async () => {
  for (const d of daemons) d.kill('SIGKILL');
  await Promise.all(daemons.map((d) => d.exited));
  await mosquitto?.close();
  removeE2eDirs();
});

describe('the simulator through an external broker', () => {
  it('reaches a broker that requires a password with the configured credentials', async () => {
    const mq = (mosquitto = await startMosquitto({ users: { vigil: 's3cret-e2e' } }));
    const configFile = writeDaemonConfig(dir, {
      broker: { url: mq.url, username: 'vigil', password: { env: 'E2E_MQTT_PASSWORD' }, reconnect: { initialMs: 100, maxMs: 1000 } },
      simulator: { enabled: true, machines: 2 },
      learning: { enabled: false },
    }, 'secured.json');
    const d = spawnDaemon(configFile, [], { E2E_MQTT_PASSWORD: 's3cret-e2e' });
    daemons.push(d);
    await d.waitForLine('the simulator publishing', (l) => l.msg === 'simulator publishing to the broker');
    const httpUrl = (await d.waitForLine('the health endpoint', (l) => l.msg === 'health and metrics endpoint: /healthz /readyz /metrics')).url as string;
    await waitFor('simulated windows scored', async () => (metricSum(parseMetrics(await (await fetch(`${httpUrl}/metrics`)).text()), 'vigil_windows_scored_total') ?? 0) >= 20, { everyMs: 250 });
    d.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(JSON.stringify(d.lines) + d.stderr()).not.toContain('s3cret-e2e');
  }, E2E_TIMEOUT_MS);

  it('exits with code 1 when the simulator cannot connect at startup', async () => {
    const mq = mosquitto ?? (mosquitto = await startMosquitto());
    await mq.stop(); // its port now refuses connections
    const configFile = writeDaemonConfig(dir, {
      broker: { url: mq.url, reconnect: { initialMs: 100, maxMs: 1000 } },
      simulator: { enabled: true, machines: 2 }, // learning stays on: its worker thread must not keep the process alive either
    }, 'unreachable.json');
    const d = spawnDaemon(configFile);
    daemons.push(d);
    await waitFor('the startup failure reported', () => /^vigil: /m.test(d.stderr()) || d.exit !== null, { boundMs: 120_000 });
    expect(d.stderr()).toMatch(/^vigil: no connection to mqtt:\/\/127\.0\.0\.1:\d+ within 10000 ms/m);
    await waitFor('the process to exit after reporting the failure', () => d.exit !== null, {
      boundMs: 30_000,
      detail: () => `still running 30 s after: ${d.stderr().trim()}; last lines:\n${d.lines.slice(-3).map((l) => JSON.stringify(l)).join('\n')}`,
    });
    expect(d.exit).toEqual({ code: 1, signal: null });
  }, E2E_TIMEOUT_MS);
});
