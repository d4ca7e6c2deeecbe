// A log-bucketed latency histogram for bench:agent: buckets 2 % wide from 1 µs up, so p50/p99
// come out within 2 % without keeping every sample. Counts travel over IPC as a plain array and
// add up across snapshots.

const MIN_MS = 0.001;
const GROWTH = 1.02;
const BUCKETS = 1000; // 1 µs · 1.02^1000 ≈ 400 s
const LOG_GROWTH = Math.log(GROWTH);

export class LatencyHistogram {
  counts = new Float64Array(BUCKETS);
  total = 0;
  max = 0;

  record(ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[i]++;
    this.total++;
    if (ms > this.max) this.max = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.max = 0;
  }

  snapshot(): HistogramSnapshot {
    return { counts: Array.from(this.counts), total: this.total, max: this.max };
  }
}

export interface HistogramSnapshot {
  readonly counts: readonly number[];
  readonly total: number;
  readonly max: number;
}

/** The q-quantile in ms (the upper edge of its bucket), NaN when empty. */
export function quantile(h: HistogramSnapshot, q: number): number {
  if (h.total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * h.total));
  let seen = 0;
  for (let i = 0; i < h.counts.length; i++) {
    seen += h.counts[i];
    if (seen >= rank) return Math.min(h.max, MIN_MS * GROWTH ** i);
  }
  return h.max;
}
