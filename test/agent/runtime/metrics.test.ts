import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../agent/runtime/clock.js';
import { DEAD_LETTER_REASONS, createMetrics } from '../../../agent/runtime/metrics.js';

/** Parses Prometheus text: `# TYPE` lines into a map, and samples into "name{labels}" → value. */
function parse(text: string): { types: Map<string, string>; values: Map<string, number> } {
  const types = new Map<string, string>();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    else if (line && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      values.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  }
  return { types, values };
}

describe('createMetrics', () => {
  it('exposes every Vigil metric with the right type and the observed values', async () => {
    const clock = createManualClock(1_700_000_000_000);
    const m = createMetrics({ clock });
    m.messagesIn.inc({ source: 'mqtt' }, 3);
    m.deadLetters.inc({ reason: 'malformed-json' });
    m.readings.inc(2);
    m.samples.inc(2);
    m.windowsScored.inc({ model: 'lstm' });
    m.alerts.inc({ state: 'raised', severity: 'critical' });
    m.outboxDepth.set(4);
    m.outboxBytes.set(2048);
    m.outboxDrops.inc({ kind: 'alert' });
    m.mqttReconnects.inc({ link: 'source' });
    m.shedMessages.inc(5);
    m.trackedMachines.set(12);
    m.trainingSteps.inc({ model: 'lstm' }, 10);
    m.trainingLoss.set({ model: 'lstm' }, 0.125);
    m.setModel('lstm', '1.0.0', clock.now() - 3_600_000);
    clock.advance(0.3); // 300 µs after receipt
    m.observeLatency(clock.now() - 0.3);

    const { types, values } = parse(await m.render());
    const expected: Record<string, string> = {
      vigil_messages_received_total: 'counter',
      vigil_dead_letters_total: 'counter',
      vigil_readings_total: 'counter',
      vigil_samples_total: 'counter',
      vigil_windows_scored_total: 'counter',
      vigil_alerts_total: 'counter',
      vigil_inference_latency_seconds: 'histogram',
      vigil_outbox_depth: 'gauge',
      vigil_outbox_bytes: 'gauge',
      vigil_outbox_dropped_total: 'counter',
      vigil_mqtt_reconnects_total: 'counter',
      vigil_shed_messages_total: 'counter',
      vigil_tracked_machines: 'gauge',
      vigil_model_info: 'gauge',
      vigil_model_age_seconds: 'gauge',
      vigil_training_steps_total: 'counter',
      vigil_training_loss: 'gauge',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) expect(types.get(name), name).toBe(type);

    expect(values.get('vigil_messages_received_total{source="mqtt"}')).toBe(3);
    expect(values.get('vigil_dead_letters_total{reason="malformed-json"}')).toBe(1);
    expect(values.get('vigil_alerts_total{state="raised",severity="critical"}')).toBe(1);
    expect(values.get('vigil_outbox_bytes')).toBe(2048);
    expect(values.get('vigil_shed_messages_total')).toBe(5);
    expect(values.get('vigil_tracked_machines')).toBe(12);
    expect(values.get('vigil_training_loss{model="lstm"}')).toBe(0.125);
    expect(values.get('vigil_model_info{name="lstm",version="1.0.0"}')).toBe(1);
    expect(values.get('vigil_model_age_seconds{model="lstm"}')).toBeCloseTo(3600, 3);
    // 300 µs lands above the 250 µs bucket and inside the 500 µs one.
    expect(values.get('vigil_inference_latency_seconds_bucket{le="0.0001"}')).toBe(0);
    expect(values.get('vigil_inference_latency_seconds_bucket{le="0.00025"}')).toBe(0);
    expect(values.get('vigil_inference_latency_seconds_bucket{le="0.0005"}')).toBe(1);
    expect(values.get('vigil_inference_latency_seconds_count')).toBe(1);
    expect(values.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('creates every dead-letter reason and alert state×severity at 0, so rates exist from the first scrape', async () => {
    const { values } = parse(await createMetrics({ processMetrics: false }).render());
    for (const reason of DEAD_LETTER_REASONS) expect(values.get(`vigil_dead_letters_total{reason="${reason}"}`)).toBe(0);
    expect([...values.keys()].filter((k) => k.startsWith('vigil_alerts_total{'))).toHaveLength(6);
  });

  it('keeps one model-info series per model name and ages it with the clock', async () => {
    const clock = createManualClock(0);
    const m = createMetrics({ clock, processMetrics: false });
    m.setModel('ae', 'v1', 0);
    m.setModel('ae', 'v2', 10_000);
    clock.set(70_000);
    const { values } = parse(await m.render());
    expect(values.has('vigil_model_info{name="ae",version="v1"}')).toBe(false);
    expect(values.get('vigil_model_info{name="ae",version="v2"}')).toBe(1);
    expect(values.get('vigil_model_age_seconds{model="ae"}')).toBe(60);
  });

  it('uses its own registry: two instances do not share counters and the global registry stays empty', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.readings.inc(7);
    expect(parse(await a.render()).values.get('vigil_readings_total')).toBe(7);
    expect(parse(await b.render()).values.get('vigil_readings_total')).toBe(0);
    expect(await globalRegistry.metrics()).not.toContain('vigil_');
  });

  it('carries no per-machine labels', async () => {
    const m = createMetrics({ processMetrics: false });
    m.messagesIn.inc({ source: 'mqtt' });
    m.windowsScored.inc({ model: 'lstm' });
    m.setModel('lstm', '1', 0);
    const labelNames = new Set(
      [...parse(await m.render()).values.keys()].flatMap((k) => [...k.matchAll(/[{,](\w+)=/g)].map((x) => x[1])),
    );
    const bounded = new Set(['le', 'kind', 'link', 'model', 'name', 'reason', 'severity', 'source', 'state', 'version']);
    for (const name of labelNames) expect(bounded.has(name), `unexpected label ${name}`).toBe(true);
  });
});
