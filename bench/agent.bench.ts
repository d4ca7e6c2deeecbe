// `npm run bench:agent`: the daemon's sustained throughput, receipt → decision latency and RSS,
// through a real mosquitto. Per scenario (layout × machine count) it starts a fresh daemon
// process (bench/agent-daemon.ts: startDaemon, MQTT link, the whole pipeline, outbox) and a
// publisher process (bench/agent-publisher.ts: the simulated plant over mqtt.js, QoS 0), warms
// every machine's window up, then climbs a ladder of offered rates. Each step publishes for
// --seconds; the first --settle seconds are not measured. A step is sustained when nothing was
// shed or lost, the daemon processed ≥ 97 % of what was published in the measured interval,
// its backlog (published − processed) did not grow by more than 0.1 s of traffic, and it drained
// within a second after the publisher stopped. The ladder stops at the first step that is not.
//   --machines 10,100,1000  --layouts per-machine,per-channel  --rates 1000,2000,...
//   --seconds 8  --settle 2  --mode window|stream (scoring.mode)  --learning (online learning on)
//   --cpu-prof DIR (profile the daemon processes)  --json FILE (raw results)
// Prints one markdown table (BENCHMARKS.md's Agent section records it).

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNELS } from '../agent/source/simulator.js';
import { startBenchBroker, type BenchBroker } from './agent-broker.js';
import { type HistogramSnapshot, quantile } from './agent-histogram.js';
import { BENCH_MODEL, benchModelFile } from './agent-model.js';

const { values: opt } = parseArgs({
  options: {
    machines: { type: 'string', default: '10,100,1000' },
    layouts: { type: 'string', default: 'per-machine,per-channel' },
    rates: { type: 'string', default: '1000,2000,3000,5000,7500,10000,15000,20000,25000,30000,40000,50000' },
    seconds: { type: 'string', default: '8' },
    settle: { type: 'string', default: '2' },
    mode: { type: 'string' },
    learning: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
const SECONDS = Number(opt.seconds);
const SETTLE = Number(opt.settle);
const here = (f: string): string => new URL(f, import.meta.url).pathname;

interface Sample {
  readonly counters: {
    readings: { accepted: number; rejected: number; byReason: Record<string, number> };
    samples: { samples: number };
    scores: { scored: number };
    alerts: { alerts: Record<string, number> };
    shed: number;
  };
  readonly latency: HistogramSnapshot;
  readonly cpuSeconds: number;
  readonly rssMb: number;
  readonly maxRssMb: number;
}

/** A child process spoken to by IPC: request() sends and resolves with the next reply of that type. */
class Peer {
  private waiters = new Map<string, ((m: Record<string, unknown>) => void)[]>();
  constructor(readonly child: ChildProcess, name: string) {
    child.on('message', (m: Record<string, unknown>) => {
      const w = this.waiters.get(m.type as string)?.shift();
      if (w) w(m);
    });
    child.on('exit', (code) => {
      if (code === 0) return;
      log(`${name} exited with code ${code}`);
      process.exit(1); // a crashed daemon or publisher makes every later figure meaningless
    });
  }
  next<T>(type: string): Promise<T> {
    return new Promise((resolve) => {
      const list = this.waiters.get(type) ?? [];
      list.push(resolve as (m: Record<string, unknown>) => void);
      this.waiters.set(type, list);
    });
  }
  request<T>(message: object, reply: string): Promise<T> {
    const p = this.next<T>(reply);
    this.child.send(message);
    return p;
  }
}

const processed = (s: Sample): number => s.counters.readings.accepted + s.counters.readings.rejected;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface StepResult {
  readonly layout: string;
  readonly machines: number;
  readonly offered: number;
  readonly published: number; // msg/s the publisher achieved in the measured interval
  readonly processed: number; // msg/s the daemon processed in it
  readonly decisions: number; // scored windows (= decisions) per second
  readonly backlogGrowth: number;
  readonly shed: number;
  readonly lost: number;
  readonly deadLetters: number;
  readonly alerts: number;
  readonly drainSeconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly daemonCpu: number; // share of one core, measured interval
  readonly publisherCpu: number;
  readonly brokerCpu: number;
  readonly rssMb: number;
  readonly sustained: boolean;
  readonly why: string;
  /** Publisher short of the offered rate (the machine is busy): the step measured less. */
  readonly note: string;
  /** 1-minute load average at the end of the step (this bench's three processes count ~2 at full load). */
  readonly load: number;
}

async function scenario(broker: BenchBroker, modelPath: string, layout: string, machines: number): Promise<StepResult[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-bench-agent-'));
  const config: Record<string, unknown> = { learning: { enabled: opt.learning } };
  if (opt.mode) config.scoring = { mode: opt.mode };
  const execArgv = ['--import', 'tsx'];
  if (opt['cpu-prof']) execArgv.push('--cpu-prof', `--cpu-prof-dir=${opt['cpu-prof']}`);
  const daemon = new Peer(fork(here('./agent-daemon.ts'), [JSON.stringify({ brokerUrl: broker.url, modelPath, stateDir, layout, config })], { execArgv }), 'daemon');
  await daemon.next('ready');
  // Event time starts 60 days back: the fastest ladder moves 10 machines' clocks ~2 days ahead.
  const start = Math.floor((Date.now() - 60 * 86_400_000) / 1000) * 1000;
  const publisher = new Peer(fork(here('./agent-publisher.ts'), [broker.url, String(machines), layout, String(start)], { execArgv: ['--import', 'tsx'] }), 'publisher');
  await publisher.next('ready');
  const perSample = layout === 'per-channel' ? CHANNELS.length : 1;
  const sample = (reset = false): Promise<Sample> => daemon.request<Sample>({ type: 'sample', reset }, 'sample');
  const sent = async (): Promise<number> => (await publisher.request<{ sent: number }>({ type: 'count' }, 'count')).sent;

  const drain = async (): Promise<{ s: Sample; seconds: number; total: number }> => {
    const total = await sent();
    const t0 = performance.now();
    let s = await sample();
    let last = processed(s) + s.counters.shed;
    let still = performance.now();
    while (last < total && performance.now() - still < 1500 && performance.now() - t0 < 30_000) {
      await sleep(50);
      s = await sample();
      const now = processed(s) + s.counters.shed;
      if (now !== last) still = performance.now();
      last = now;
    }
    return { s, seconds: (performance.now() - t0) / 1000, total };
  };

  // Warm-up: every machine's window fills (lookback + a few decider warm-up windows) and the JIT settles.
  const warm = machines * (BENCH_MODEL.lookback + BENCH_MODEL.horizon + 20) * perSample;
  const warmRate = Math.max(5000, 2 * Number(list(opt.rates)[0])); // what is not scored in time waits in the intake queue and drains below
  publisher.child.send({ type: 'run', rate: warmRate, seconds: Math.max(2, warm / warmRate) });
  await publisher.next('done');
  await drain();

  const results: StepResult[] = [];
  for (const rate of list(opt.rates).map(Number)) {
    const s0 = await sample(true);
    const done = publisher.request<{ cpuSeconds: number; seconds: number }>({ type: 'run', rate, seconds: SECONDS }, 'done');
    await sleep(SETTLE * 1000);
    const [a, sentA] = await Promise.all([sample(true), sent()]);
    const tA = performance.now();
    const bA = broker.cpuSeconds();
    await sleep((SECONDS - SETTLE) * 1000 - 100);
    const [b, sentB] = await Promise.all([sample(), sent()]);
    const dt = (performance.now() - tA) / 1000;
    const bB = broker.cpuSeconds();
    const pub = await done;
    const d = await drain();
    const backlogA = sentA - processed(a) - a.counters.shed;
    const backlogB = sentB - processed(b) - b.counters.shed;
    const shed = d.s.counters.shed - s0.counters.shed;
    const lost = d.total - processed(d.s) - d.s.counters.shed;
    const published = (sentB - sentA) / dt;
    const proc = (processed(b) - processed(a)) / dt;
    const alerts = Object.values(d.s.counters.alerts.alerts).reduce((x, y) => x + y, 0) - Object.values(s0.counters.alerts.alerts).reduce((x, y) => x + y, 0);
    const why: string[] = [];
    if (shed > 0) why.push(`${shed} shed`);
    if (lost > 0) why.push(`${lost} lost`);
    if (proc < 0.97 * published) why.push(`processed ${Math.round(proc)}/s`);
    if (backlogB - backlogA > Math.max(500, 0.1 * rate)) why.push(`backlog +${backlogB - backlogA}`);
    if (d.seconds > 1) why.push(`drain ${d.seconds.toFixed(1)} s`);
    const r: StepResult = {
      layout, machines, offered: rate, published, processed: proc,
      decisions: (b.counters.scores.scored - a.counters.scores.scored) / dt,
      backlogGrowth: backlogB - backlogA, shed, lost,
      deadLetters: d.s.counters.readings.rejected - s0.counters.readings.rejected,
      alerts, drainSeconds: d.seconds,
      p50: quantile(b.latency, 0.5), p99: quantile(b.latency, 0.99), max: b.latency.max,
      daemonCpu: (b.cpuSeconds - a.cpuSeconds) / dt,
      publisherCpu: pub.cpuSeconds / pub.seconds,
      brokerCpu: (bB - bA) / dt,
      rssMb: d.s.rssMb,
      sustained: why.length === 0,
      why: why.join(', '),
      note: published < 0.97 * rate ? `publisher reached ${Math.round(published)}/s` : '',
      load: loadavg()[0],
    };
    results.push(r);
    log(row(r));
    if (!r.sustained && !opt['keep-going']) break;
  }
  publisher.child.send({ type: 'exit' });
  await daemon.request({ type: 'stop' }, 'stopped');
  rmSync(stateDir, { recursive: true, force: true });
  return results;
}

const f0 = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const ms = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '—');
const pct = (x: number): string => `${Math.round(x * 100)}%`;

const HEADER = '| layout | machines | offered msg/s | processed msg/s | decisions/s | p50 ms | p99 ms | max ms | daemon CPU | publisher CPU | mosquitto CPU | RSS MB | shed | lost | alerts | load | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
function row(r: StepResult): string {
  return `| ${r.layout} | ${r.machines} | ${f0(r.offered)} | ${f0(r.processed)} | ${f0(r.decisions)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${pct(r.daemonCpu)} | ${pct(r.publisherCpu)} | ${pct(r.brokerCpu)} | ${r.rssMb.toFixed(0)} | ${r.shed} | ${r.lost} | ${r.alerts} | ${r.load.toFixed(1)} | ${r.sustained ? 'sustained' : `**not sustained**: ${r.why}`}${r.note ? ` (${r.note})` : ''} |`;
}

const started = new Date();
log(`bench:agent on ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${started.toISOString()}`);
const modelPath = await benchModelFile(log);
const broker = await startBenchBroker();
const all: StepResult[] = [];
try {
  log(HEADER);
  for (const layout of list(opt.layouts)) {
    for (const machines of list(opt.machines).map(Number)) all.push(...(await scenario(broker, modelPath, layout, machines)));
  }
} finally {
  await broker.close();
}

console.log(`\nbench:agent ${started.toISOString()} mode=${opt.mode ?? 'config default'} learning=${opt.learning} seconds=${SECONDS} settle=${SETTLE}`);
console.log(`model: lstm-forecaster, ${CHANNELS.length} channels, hidden ${BENCH_MODEL.hidden}, ${BENCH_MODEL.layers} layers, lookback ${BENCH_MODEL.lookback}`);
console.log(HEADER);
for (const r of all) console.log(row(r));
console.log('\nhighest sustained step per scenario, and the highest whose p99 was within 20 ms:');
for (const layout of list(opt.layouts)) {
  for (const machines of list(opt.machines).map(Number)) {
    const ok = all.filter((r) => r.layout === layout && r.machines === machines && r.sustained);
    const show = (r: StepResult | undefined): string => (r ? `${f0(r.processed)} msg/s (p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, RSS ${r.rssMb.toFixed(0)} MB)` : 'none');
    console.log(`  ${layout} ×${machines}: sustained ${show(ok.at(-1))}; with p99 ≤ 20 ms ${show(ok.filter((r) => r.p99 <= 20).at(-1))}`);
  }
}
if (opt.json) writeFileSync(opt.json, JSON.stringify({ started, options: opt, results: all }, null, 2));
