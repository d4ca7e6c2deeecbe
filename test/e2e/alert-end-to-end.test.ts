// The whole product, once, as an operator runs it: `vigil run --config FILE` as a child process with
// the embedded broker, simulated pumps and a starter model trained at first start. pump-02 develops
// cavitation a few seconds in; pump-01 and pump-03 stay healthy. Proves, from the outside only (MQTT,
// HTTP, the exit status and the JSON log):
//   - the faulty pump's alert reaches an MQTT subscriber of vigil/alerts/+ with every field of
//     vigil.alert/1, with values that agree with each other, with the model and with the fault
//     (topChannels name the channels cavitation drives);
//   - the retained vigil/state/<machine> topic shows pump-02 alerting (same episode id) and the
//     healthy pumps normal; the healthy pumps raise nothing while judged for 100+ windows each;
//   - every alert the daemon logged as stored was delivered;
//   - /healthz, /readyz and /metrics answer, the metrics counting windows scored and alerts;
//   - SIGTERM stops it with exit code 0 (the shutdown coordinator exits 1 when its deadline passes),
//     nothing left undelivered, and no log line at level fatal.
// Online learning is off here so the run is deterministic apart from scheduling (the simulator is
// seeded; scores then depend only on the trained model); the chaos test runs with it on.

import { afterAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../agent/source/simulator.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { E2E_TIMEOUT_MS, e2eDir, removeE2eDirs, writeDaemonConfig } from '../helpers/e2e-config.js';
import { openCollector, readRetained, type MqttCollector } from '../helpers/mqtt-collector.js';
import { metricSum, parseMetrics } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait-for.js';

const FAULTY = 'pump-02';
const HEALTHY = ['pump-01', 'pump-03'];
/** What cavitation drives (agent/source/simulated-machine.ts): pressure and flow drop, flow gets noisy, vibration bursts. */
const CAVITATION_CHANNELS = ['pressure', 'flow', 'vibration'];
/** Windows each healthy pump must be judged on, after the fault alert, without alerting. */
const HEALTHY_WINDOWS = 100;

const isIso = (v: unknown): boolean => typeof v === 'string' && new Date(v).toISOString() === v;

let daemon: DaemonProcess | undefined;
const collectors: MqttCollector[] = [];

afterAll(async () => {
  daemon?.kill('SIGKILL');
  await daemon?.exited;
  await Promise.all(collectors.map((c) => c.close()));
  removeE2eDirs();
});

describe('vigil run, end to end on the embedded broker and the simulator', () => {
  it('alerts on the faulty pump only, with a complete payload and state, answers health checks, and stops cleanly on SIGTERM', async () => {
    const t0 = Date.now();
    const dir = e2eDir('alert');
    const configFile = writeDaemonConfig(dir, {
      simulator: { machines: 3, faults: [{ machineId: FAULTY, kind: 'cavitation', onsetAfterMs: 4000, rampMs: 2000 }] },
      learning: { enabled: false },
    });
    const d = (daemon = spawnDaemon(configFile));

    // The embedded broker starts before the starter model trains, so the subscriber is in place
    // long before the simulator publishes its first sample.
    const brokerUrl = (await d.waitForLine('the embedded broker', (l) => l.msg === 'no broker configured: embedded MQTT broker started')).url as string;
    const alerts = await openCollector(brokerUrl, ['vigil/alerts/+']);
    collectors.push(alerts);
    const running = await d.waitForLine('the pipeline', (l) => l.msg === 'pipeline running');
    const httpUrl = (await d.waitForLine('the health endpoint', (l) => l.msg === 'health and metrics endpoint: /healthz /readyz /metrics')).url as string;
    const tReady = Date.now();

    // The fault's alert, as a consumer receives it.
    const raisedMsg = await alerts.waitForMessage(`a raised alert on vigil/alerts/${FAULTY}`, (m) => m.topic === `vigil/alerts/${FAULTY}` && JSON.parse(m.payload).state === 'raised');
    const tAlert = Date.now();
    const raised = JSON.parse(raisedMsg.payload) as Record<string, unknown>;
    expect(raisedMsg.retain).toBe(false);
    expect(Object.keys(raised).sort()).toEqual(['eventId', 'id', 'machineId', 'model', 'receivedAt', 'schema', 'score', 'seq', 'severity', 'startedAt', 'state', 'threshold', 'time', 'topChannels'].sort());
    expect(raised.schema).toBe('vigil.alert/1');
    expect(raised.id).toMatch(/^[0-9a-f]{24}$/);
    expect(raised.seq).toBe(1); // a fresh state directory: the machine's first event
    expect(raised.eventId).toBe(`${raised.id}:${raised.seq}`);
    expect(raised.machineId).toBe(FAULTY);
    expect(raised.state).toBe('raised');
    expect(['warning', 'critical']).toContain(raised.severity);
    expect(raised.threshold).toBeGreaterThan(0);
    expect(raised.score).toBeGreaterThan(raised.threshold as number);
    // topChannels: the channels cavitation drives, largest first, shares in [0, 1] summing to at most 1.
    const top = raised.topChannels as { channel: string; score: number; share: number }[];
    expect(top.length).toBe(3);
    for (const c of top) {
      expect(CAVITATION_CHANNELS).toContain(c.channel);
      expect(c.share).toBeGreaterThanOrEqual(0);
      expect(c.share).toBeLessThanOrEqual(1);
    }
    expect(top.map((c) => c.score)).toEqual([...top.map((c) => c.score)].sort((a, b) => b - a));
    expect(top.reduce((a, c) => a + c.share, 0)).toBeLessThanOrEqual(1 + 1e-9);
    // Times: ISO strings; a raise starts its episode; event time and receipt agree with the wall clock
    // of this run (the simulator stamps event time from the clock it publishes by).
    for (const k of ['time', 'startedAt', 'receivedAt']) expect(isIso(raised[k]), `${k} = ${String(raised[k])}`).toBe(true);
    expect(raised.startedAt).toBe(raised.time);
    const time = Date.parse(raised.time as string);
    const receivedAt = Date.parse(raised.receivedAt as string);
    expect(time).toBeGreaterThanOrEqual(tReady - 60_000);
    expect(receivedAt).toBeGreaterThanOrEqual(time);
    expect(receivedAt).toBeLessThanOrEqual(tAlert);
    expect(raised.model).toEqual({ name: running.model, version: running.version });
    expect(raised.model).toEqual({ name: 'starter-pump', version: '1.0' });

    // The healthy pumps are judged for HEALTHY_WINDOWS more windows each without a single alert.
    const scrape = async (): Promise<ReturnType<typeof parseMetrics>> => parseMetrics(await (await fetch(`${httpUrl}/metrics`)).text());
    const scoredAtAlert = metricSum(await scrape(), 'vigil_windows_scored_total') ?? 0;
    let scored = scoredAtAlert;
    await waitFor(`${HEALTHY_WINDOWS} more windows per machine`, async () => (scored = metricSum(await scrape(), 'vigil_windows_scored_total') ?? 0) >= scoredAtAlert + 3 * HEALTHY_WINDOWS, { everyMs: 250 });
    for (const m of HEALTHY) {
      expect(alerts.messages.filter((x) => x.topic === `vigil/alerts/${m}`).map((x) => x.payload)).toEqual([]);
      expect(d.find('alert stored').filter((l) => l.machineId === m)).toEqual([]);
    }

    // The retained state: pump-02 alerting in the raised episode; the healthy pumps normal.
    let state: Record<string, unknown> | null = null;
    await waitFor(`retained vigil/state/${FAULTY} in phase alerting`, async () => {
      const r = await readRetained(brokerUrl, `vigil/state/${FAULTY}`);
      state = r && (JSON.parse(r.payload) as Record<string, unknown>);
      return state?.phase === 'alerting';
    }, { detail: () => JSON.stringify(state) });
    const s = state as unknown as Record<string, any>;
    expect(s.schema).toBe('vigil.state/1');
    expect(s.machineId).toBe(FAULTY);
    expect(s.alert.id).toBe(raised.id);
    expect(s.alert.startedAt).toBe(raised.startedAt);
    expect(['warning', 'critical']).toContain(s.alert.severity);
    expect(s.thresholds[raised.severity as string]).toBe(raised.threshold);
    expect(s.seq).toBeGreaterThanOrEqual(raised.seq as number);
    expect(isIso(s.time)).toBe(true);
    expect(s.model).toEqual(raised.model);
    for (const m of HEALTHY) {
      const r = await readRetained(brokerUrl, `vigil/state/${m}`, 5000);
      expect(r, `retained state of ${m}`).not.toBeNull();
      expect(JSON.parse(r!.payload)).toMatchObject({ schema: 'vigil.state/1', machineId: m, phase: 'normal', alert: null });
    }

    // Every alert the daemon stored was delivered.
    const stored = () => d.find('alert stored').map((l) => l.eventId as string);
    const received = () => new Set(alerts.messages.map((m) => JSON.parse(m.payload).eventId as string));
    await waitFor('every stored alert delivered', () => stored().every((id) => received().has(id)), { detail: () => `stored ${stored().join(' ')}` });

    // Health, readiness, metrics.
    const healthz = await fetch(`${httpUrl}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'alive' });
    const readyz = await fetch(`${httpUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ ready: true, reasons: [] });
    const metrics = await scrape();
    expect(metricSum(metrics, 'vigil_windows_scored_total', { model: 'starter-pump' })).toBeGreaterThanOrEqual(scoredAtAlert + 3 * HEALTHY_WINDOWS);
    expect(metricSum(metrics, 'vigil_alerts_total', { state: 'raised' })).toBe(1);
    expect(metricSum(metrics, 'vigil_alerts_total')).toBe(stored().length);
    expect(metricSum(metrics, 'vigil_model_info', { name: 'starter-pump', version: '1.0' })).toBe(1);
    expect(metricSum(metrics, 'vigil_messages_received_total', { source: 'mqtt' })).toBeGreaterThan(0);

    // SIGTERM: a clean stop.
    const tTerm = Date.now();
    d.kill('SIGTERM');
    const exit = await d.exited;
    const stopMs = Date.now() - tTerm;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(d.find('shutdown complete')).toMatchObject([{ code: 0, failedSteps: 0 }]);
    expect(d.find('stopped')).toMatchObject([{ undelivered: 0 }]);
    expect(d.lines.filter((l) => l.level === 'fatal')).toEqual([]);
    expect(d.stderr()).toBe('');

    console.log(
      `alert-end-to-end: ready after ${tReady - t0} ms (starter model trained), first alert ${tAlert - tReady} ms later, ` +
        `${scored} windows scored, ${stored().length} alert events stored and delivered (${raised.severity} raised, top ${top.map((c) => c.channel).join(',')}), ` +
        `SIGTERM → exit 0 in ${stopMs} ms; total ${Date.now() - t0} ms`,
    );
  }, E2E_TIMEOUT_MS);
});
