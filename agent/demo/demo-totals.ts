// The demo's numbers, read from the agent's own Prometheus metrics: what the live summary says is
// what GET /metrics says (vigil_messages_received_total, vigil_windows_scored_total,
// vigil_alerts_total{state}, vigil_training_steps_total). Message counts catch up once a second.

import type { Counter } from 'prom-client';
import type { VigilMetrics } from '../runtime/metrics.js';
import type { DemoTotals } from './demo-output.js';

async function sum<T extends string>(counter: Counter<T>, match: Partial<Record<T, string>> = {}): Promise<number> {
  const { values } = await counter.get();
  let total = 0;
  for (const v of values) {
    const labels = v.labels as Partial<Record<T, string | number>>;
    if (Object.entries(match).every(([k, want]) => labels[k as T] === want)) total += v.value;
  }
  return total;
}

export async function readTotals(m: VigilMetrics): Promise<DemoTotals> {
  const [messages, windows, raised, updated, cleared, learningSteps] = await Promise.all([
    sum(m.messagesIn),
    sum(m.windowsScored),
    sum(m.alerts, { state: 'raised' }),
    sum(m.alerts, { state: 'updated' }),
    sum(m.alerts, { state: 'cleared' }),
    sum(m.trainingSteps),
  ]);
  return { messages, windows, raised, updated, cleared, learningSteps };
}
