// bench:agent's daemon process: the real composition root (agent/daemon.ts startDaemon) with a
// config resolved by agent/config/resolve.ts, a model file and the bench's mosquitto as its
// broker, logging at info to a file as in production. Latency is what the daemon itself
// records as receipt → decision (metrics.observeLatency(score.receivedAt), called once per
// scored window right before it is decided): the bench wraps that one call to also keep a
// fine-grained histogram, so the daemon runs unchanged.
// argv: one JSON object { brokerUrl, modelPath, stateDir, layout, config } (config: extra
// settings merged over the bench's).
// IPC in:  { type: 'sample', reset? }  reply { type: 'sample', ... } (reset: clear the histogram after)
//          { type: 'stop' }            reply { type: 'stopped' } and exit
// IPC out: { type: 'ready' } once connected and subscribed.

import { join } from 'node:path';
import pino from 'pino';
import { resolveConfig } from '../agent/config/resolve.js';
import { startDaemon } from '../agent/daemon.js';
import { systemClock } from '../agent/runtime/clock.js';
import { createLogger } from '../agent/runtime/logger.js';
import { LatencyHistogram } from './agent-histogram.js';

interface Args {
  readonly brokerUrl: string;
  readonly modelPath: string;
  readonly stateDir: string;
  readonly layout: 'per-machine' | 'per-channel';
  readonly config: Record<string, unknown>;
}

const args = JSON.parse(process.argv[2]) as Args;
const send = (m: object): void => void process.send!(m);

const settings = {
  stateDir: args.stateDir,
  http: null,
  broker: { url: args.brokerUrl, clientId: `vigil-bench-agent-${process.pid}` },
  simulator: { enabled: false },
  topics: { sensors: [args.layout === 'per-machine' ? 'plant/+machine' : 'plant/+machine/+channel'] },
  model: { path: args.modelPath },
  learning: { enabled: false },
};
const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const base = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && base && typeof base === 'object' ? merge(base as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
};
const config = resolveConfig({ file: merge(settings, args.config) as never, fileName: 'bench:agent', env: {} });
const logger = createLogger({ level: 'info', pretty: false, destination: pino.destination({ dest: join(args.stateDir, 'vigil.log'), sync: false, mkdir: true }) });
const daemon = await startDaemon({ config, logger, clock: systemClock });

const latency = new LatencyHistogram();
const metrics = daemon.metrics as { observeLatency(receivedAt: number): void };
const observe = metrics.observeLatency.bind(metrics);
metrics.observeLatency = (receivedAt: number): void => {
  latency.record(systemClock.now() - receivedAt);
  observe(receivedAt);
};

while (!daemon.readiness().ready) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => setTimeout(r, 300)); // the subscription goes out right after CONNACK
send({ type: 'ready' });

process.on('message', (m: { type: string; reset?: boolean }) => {
  if (m.type === 'sample') {
    const cpu = process.cpuUsage();
    send({
      type: 'sample',
      at: performance.now(),
      counters: daemon.counters(),
      latency: latency.snapshot(),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssMb: process.memoryUsage().rss / 2 ** 20,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    });
    if (m.reset) latency.reset();
  } else if (m.type === 'stop') {
    void daemon.stop(3000).then(() => {
      send({ type: 'stopped' });
      setTimeout(() => process.exit(0), 50);
    });
  }
});
