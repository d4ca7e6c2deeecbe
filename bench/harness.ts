// Timing harness for `npm run bench`: warm up, calibrate a batch of calls so one sample takes
// ~SAMPLE_S, then take samples until at least MIN_TOTAL_S and MIN_SAMPLES have run, and report the
// median time per call with the spread of the samples. Sync and async bodies have separate loops so
// the engine's synchronous kernels are not timed through a promise.

import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

const WARMUP_S = 0.25;
const SAMPLE_S = 0.2;
const MIN_TOTAL_S = 1.0;
const MIN_SAMPLES = 5;

export interface Timing {
  /** Median wall-clock seconds per call over the samples. */
  readonly median: number;
  /** Fastest sample, seconds per call. */
  readonly best: number;
  /** Median process CPU seconds per call over the samples (all threads of the process). */
  readonly cpuMedian: number;
  /**
   * Process CPU time / wall time over all samples. About 1 for the single-threaded engine on an idle
   * core; well below 1 means other processes took the CPU during the measurement (figure too slow);
   * above 1 means several threads ran (ORT's pool).
   */
  readonly cpuShare: number;
  /** (slowest - fastest) / 2 / median over the samples: how much to trust the figure. */
  readonly spread: number;
  readonly samples: number;
  readonly callsPerSample: number;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function summarize(perCall: number[], cpuPerCall: number[], callsPerSample: number, wall: number, cpu: number): Timing {
  const median = medianOf(perCall);
  const best = Math.min(...perCall);
  const spread = (Math.max(...perCall) - best) / 2 / median;
  return { median, best, cpuMedian: medianOf(cpuPerCall), cpuShare: cpu / wall, spread, samples: perCall.length, callsPerSample };
}

export function measure(fn: () => void): Timing {
  let calls = 0;
  const w0 = now();
  while (now() - w0 < WARMUP_S || calls < 3) {
    fn();
    calls++;
  }
  const perCallGuess = (now() - w0) / calls;
  const n = Math.max(1, Math.round(SAMPLE_S / perCallGuess));
  const perCall: number[] = [];
  const cpuPerCall: number[] = [];
  let total = 0;
  let cpuTotal = 0;
  while (total < MIN_TOTAL_S || perCall.length < MIN_SAMPLES) {
    const c0 = cpuNow();
    const t0 = now();
    for (let i = 0; i < n; i++) fn();
    const dt = now() - t0;
    const dc = cpuNow() - c0;
    total += dt;
    cpuTotal += dc;
    perCall.push(dt / n);
    cpuPerCall.push(dc / n);
  }
  return summarize(perCall, cpuPerCall, n, total, cpuTotal);
}

export async function measureAsync(fn: () => Promise<unknown>): Promise<Timing> {
  let calls = 0;
  const w0 = now();
  while (now() - w0 < WARMUP_S || calls < 3) {
    await fn();
    calls++;
  }
  const perCallGuess = (now() - w0) / calls;
  const n = Math.max(1, Math.round(SAMPLE_S / perCallGuess));
  const perCall: number[] = [];
  const cpuPerCall: number[] = [];
  let total = 0;
  let cpuTotal = 0;
  while (total < MIN_TOTAL_S || perCall.length < MIN_SAMPLES) {
    const c0 = cpuNow();
    const t0 = now();
    for (let i = 0; i < n; i++) await fn();
    const dt = now() - t0;
    const dc = cpuNow() - c0;
    total += dt;
    cpuTotal += dc;
    perCall.push(dt / n);
    cpuPerCall.push(dc / n);
  }
  return summarize(perCall, cpuPerCall, n, total, cpuTotal);
}

export function methodNote(): string {
  return `method: ${WARMUP_S} s warm-up, then samples of ~${SAMPLE_S} s until ≥ ${MIN_TOTAL_S} s and ≥ ${MIN_SAMPLES} samples; ` +
    'figures are the median sample, ± is half the range of the samples.\n' +
    '        "cpu%" = process CPU time / wall time while measuring: < 90% on a single-threaded row means other processes took\n' +
    '        the core and the wall-clock figure is pessimistic; the "by CPU time" columns divide by the process CPU time\n' +
    '        instead (the work itself; for multi-threaded ORT it sums its threads, i.e. the CPU it costs the device)';
}

function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string): string | undefined => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
    const flags = field('flags') ?? '';
    const simd = ['avx512f', 'avx2', 'fma'].filter((f) => flags.split(' ').includes(f)).join(' ');
    return `${field('model name') ?? '?'} (family ${field('cpu family') ?? '?'} model ${field('model') ?? '?'}, ${field('cpu MHz') ?? '?'} MHz, ${simd})`;
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

export function printEnvironment(ortVersion: string): void {
  const cmd = process.env.npm_lifecycle_event === 'bench' ? `npm run bench (${process.env.npm_lifecycle_script ?? ''})` : process.argv.slice(1).join(' ');
  console.log(`command : ${cmd}`);
  console.log(`date    : ${new Date().toISOString()}`);
  console.log(`node    : ${process.version} (V8 ${process.versions.v8}), onnxruntime-node ${ortVersion}`);
  console.log(`cpu     : ${cpuModel()}, ${cpus().length} logical CPUs`);
  console.log(`load    : ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15-min load average at start; this bench wants an idle machine)`);
  console.log(`${methodNote()}`);
}

/** A plain text table: header row, then rows; numbers are preformatted by the caller. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export const fmt = {
  gflops: (flops: number, t: Timing): string => (flops / t.median / 1e9).toFixed(2),
  cpuGflops: (flops: number, t: Timing): string => (flops / t.cpuMedian / 1e9).toFixed(2),
  time: (t: Timing): string => {
    const s = t.median;
    const v = s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(1)} µs`;
    return `${v} ±${(t.spread * 100).toFixed(0)}%`;
  },
  cpu: (t: Timing): string => `${(t.cpuShare * 100).toFixed(0)}%`,
  rate: (perCall: number, t: Timing): string => {
    const r = perCall / t.median;
    return r >= 1e4 ? r.toExponential(2) : r.toFixed(r >= 100 ? 0 : 1);
  },
  ratio: (mine: Timing, theirs: Timing): string => (theirs.median / mine.median).toFixed(3),
  cpuRatio: (mine: Timing, theirs: Timing): string => (theirs.cpuMedian / mine.cpuMedian).toFixed(3),
};
