// Ingest fuzz, end to end: the daemon in-process (startDaemon) on its embedded broker, simulator off,
// serving a starter model trained in beforeAll. An MQTT client publishes 100,000 seeded messages at
// QoS 1: realistic pump readings mixed with malformed JSON, NaN/Infinity, strings, oversized payloads,
// wrong topics, out-of-order and duplicate timestamps, absurd timestamps, binary garbage, bare numbers
// and a flood of new machines past limits.maxMachines (test/e2e/fuzz-messages.ts labels each message
// with the outcome toReadings' rules give it). Proves:
//   - nothing crashes: the pipeline keeps running, the daemon stays ready, no fatal line, and it
//     still stops cleanly;
//   - every message is accounted for: received = sent minus the topics outside the subscription
//     (the broker never forwards those), accepted + rejected = received, nothing shed by the intake
//     queue (sized above the burst here), and the rejections by reason are exactly the expected ones,
//     in daemon.counters() and in /metrics alike (vigil_messages_received_total, vigil_readings_total,
//     vigil_dead_letters_total{reason});
//   - the flood of garbage costs a bounded number of log lines (dead letters are rate-limited).
// The wall time of the 100,000 (publish → all counted) is printed.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../agent/config/resolve.js';
import type { VigilConfig } from '../../agent/config/types.js';
import { startDaemon, type Daemon } from '../../agent/daemon.js';
import { openServingModel } from '../../agent/model/serving-model.js';
import { openMqttLink, type OpenedMqttLink } from '../../agent/mqtt/mqtt-link.js';
import { DEAD_LETTER_REASONS, type ReadingCounters } from '../../agent/stages/to-readings.js';
import { E2E_TIMEOUT_MS, FAST_CONFIG, e2eDir, mergeConfig, removeE2eDirs, type ConfigObject } from '../helpers/e2e-config.js';
import { metricSum, parseMetrics } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait-for.js';
import { generateFuzzMessages, type Outcome } from './fuzz-messages.js';

const COUNT = 100_000;
const SEED = 20_240_501;
const MAX_MACHINES = 400;
const MAX_BYTES = 65_536;

let dir: string;
let modelPath: string;
let daemon: Daemon | undefined;
let publisher: OpenedMqttLink | undefined;
const logLines: Record<string, unknown>[] = [];

const quiet = { info() {}, warn() {} };

beforeAll(async () => {
  // The starter model, trained once into this file's temp dir; the daemon then loads it as a model
  // file, which is what a deployment with the simulator off needs.
  dir = e2eDir('fuzz');
  const trainer = resolveConfig({ file: mergeConfig(FAST_CONFIG, { stateDir: join(dir, 'train') }), env: {} });
  await openServingModel(trainer, quiet);
  const models = join(dir, 'train', 'models');
  modelPath = join(models, readdirSync(models).find((f) => f.startsWith('starter-') && f.endsWith('.onnx'))!);
});

afterAll(async () => {
  await publisher?.close(1000);
  await daemon?.stop(2000);
  removeE2eDirs();
});

describe('ingest fuzz through MQTT into the running daemon', () => {
  it(`accounts for ${COUNT.toLocaleString('en')} seeded good and bad messages without a crash`, async () => {
    const config: VigilConfig = resolveConfig({
      file: mergeConfig(FAST_CONFIG, {
        stateDir: join(dir, 'state'),
        simulator: { enabled: false },
        model: { path: modelPath },
        learning: { enabled: false },
        payload: { maxBytes: MAX_BYTES },
        // Above the burst, so the intake queue never sheds and the counts must balance exactly.
        limits: { maxMachines: MAX_MACHINES, maxQueuedMessages: 2 * COUNT },
      } as ConfigObject),
      env: {},
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });
    const d = (daemon = await startDaemon({ config, logger, env: {} }));
    await waitFor('the daemon ready', () => d.readiness().ready, { detail: () => JSON.stringify(d.readiness()) });

    const tGen = Date.now();
    const messages = generateFuzzMessages({ seed: SEED, count: COUNT, start: Date.now() - 600_000, periodMs: 100, pumps: 20, maxMachines: MAX_MACHINES, maxBytes: MAX_BYTES });
    const expected = new Map<Outcome, number>();
    for (const m of messages) expected.set(m.expect, (expected.get(m.expect) ?? 0) + 1);
    const notDelivered = expected.get('not-delivered') ?? 0;
    const delivered = COUNT - notDelivered;
    const genMs = Date.now() - tGen;

    const link = (publisher = await openMqttLink({ url: d.brokerUrl, clientId: 'vigil-fuzzer' }));
    await link.untilConnected(30_000);
    const t0 = Date.now();
    // QoS 1, all handed over at once: the link keeps at most maxInflight unacknowledged and queues the rest in order.
    await Promise.all(messages.map((m) => link.publish(m.topic, m.payload, { qos: 1 })));
    const publishMs = Date.now() - t0;
    const readings = (d.counters() as { readings: ReadingCounters }).readings;
    await waitFor(`${delivered} messages judged`, () => readings.accepted + readings.rejected >= delivered, {
      boundMs: 300_000,
      everyMs: 100,
      detail: () => JSON.stringify(d.counters()),
    });
    const countedMs = Date.now() - t0;

    // Stable: nothing more arrives (the unsubscribed topics really are not forwarded).
    await new Promise((r) => setTimeout(r, 500));
    const counters = d.counters() as { readings: ReadingCounters; shed: number };
    expect(counters.readings.accepted + counters.readings.rejected).toBe(delivered);
    expect(counters.shed).toBe(0);
    // Every rejection has a reason, and the reasons are the expected ones.
    const byReason = counters.readings.byReason;
    expect(Object.values(byReason).reduce((a, n) => a + n, 0)).toBe(counters.readings.rejected);
    const want: Record<string, number> = {};
    for (const r of DEAD_LETTER_REASONS) want[r] = expected.get(r) ?? 0;
    expect({ accepted: counters.readings.accepted, ...byReason }).toEqual({ accepted: expected.get('accepted') ?? 0, ...want });

    // The same in /metrics, once the once-a-second sync has caught up.
    let metrics = parseMetrics(await d.metrics.render());
    await waitFor('/metrics in step with the counters', async () => {
      metrics = parseMetrics(await (await fetch(`${d.httpUrl}/metrics`)).text());
      return metricSum(metrics, 'vigil_messages_received_total', { source: 'mqtt' }) === delivered && metricSum(metrics, 'vigil_readings_total') === counters.readings.accepted;
    }, { everyMs: 200, detail: () => `received ${metricSum(metrics, 'vigil_messages_received_total')}, readings ${metricSum(metrics, 'vigil_readings_total')}` });
    for (const r of DEAD_LETTER_REASONS) expect(metricSum(metrics, 'vigil_dead_letters_total', { reason: r }), r).toBe(byReason[r]);
    expect(metricSum(metrics, 'vigil_dead_letters_total')).toBe(counters.readings.rejected);
    expect(metricSum(metrics, 'vigil_shed_messages_total')).toBe(0);
    expect(metricSum(metrics, 'vigil_windows_scored_total')).toBeGreaterThan(0);

    // Still alive and ready; no fatal line; dead letters logged at most once per reason per 10 s.
    expect(d.readiness()).toEqual({ ready: true, reasons: [] });
    const readyz = await fetch(`${d.httpUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(logLines.filter((l) => l.level === 60)).toEqual([]); // pino's numeric level for fatal
    const deadLetterLines = logLines.filter((l) => l.msg === 'dead letter').length;
    const reasonsSeen = DEAD_LETTER_REASONS.filter((r) => byReason[r] > 0).length;
    expect(deadLetterLines).toBeLessThanOrEqual(reasonsSeen * (Math.ceil(countedMs / 10_000) + 1));

    const result = await d.stop();
    daemon = undefined;
    expect(result.undelivered).toBe(0);
    const windows = metricSum(parseMetrics(await d.metrics.render()), 'vigil_windows_scored_total');
    console.log(
      `ingest-fuzz: ${COUNT} messages generated in ${genMs} ms (${notDelivered} on topics outside the subscription); ` +
        `published at QoS 1 in ${publishMs} ms, all ${delivered} judged ${countedMs} ms after the first publish ` +
        `(${Math.round(delivered / (countedMs / 1000))} msg/s); accepted ${counters.readings.accepted}, rejected ${counters.readings.rejected} ` +
        `(${DEAD_LETTER_REASONS.filter((r) => byReason[r] > 0).map((r) => `${r} ${byReason[r]}`).join(', ')}); ${windows} windows scored; ` +
        `${deadLetterLines} dead-letter log lines`,
    );
  }, E2E_TIMEOUT_MS);
});
