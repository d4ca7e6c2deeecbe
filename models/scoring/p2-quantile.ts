// P² quantile estimator (Jain & Chlamtac, CACM 28(10), 1985): one quantile of a stream kept in five
// markers, O(1) time and memory per observation, deterministic, no samples stored. Exact for the first
// five observations; afterwards the three inner markers move towards their desired positions by
// piecewise-parabolic (else linear) interpolation. The state is a plain JSON object, so it can be
// saved and resumed. Accuracy needs data: an extreme quantile q is roughly the running maximum until
// well over 1 / (1 - q) observations have been seen.

export interface P2State {
  /** The quantile estimated, in (0, 1). */
  readonly p: number;
  /** Observations seen. */
  count: number;
  /** Marker heights; while count < 5, the observations so far, sorted. */
  readonly heights: number[];
  /** Actual marker positions (1-based ranks). */
  readonly positions: number[];
  /** Desired marker positions. */
  readonly desired: number[];
}

export function createP2(p: number): P2State {
  if (!(p > 0 && p < 1)) throw new Error(`createP2: p must be in (0, 1), got ${p}`);
  return { p, count: 0, heights: [], positions: [1, 2, 3, 4, 5], desired: [1, 1 + 2 * p, 1 + 4 * p, 3 + 2 * p, 5] };
}

/** Adds one finite observation (the caller filters NaN). */
export function p2Observe(s: P2State, x: number): void {
  const q = s.heights, n = s.positions, want = s.desired, p = s.p;
  if (s.count < 5) {
    let i = q.length;
    while (i > 0 && q[i - 1] > x) i--;
    q.splice(i, 0, x);
    s.count++;
    return;
  }
  let k: number;
  if (x < q[0]) {
    q[0] = x;
    k = 0;
  } else if (x >= q[4]) {
    q[4] = x;
    k = 3;
  } else {
    k = 0;
    while (x >= q[k + 1]) k++;
  }
  for (let i = k + 1; i < 5; i++) n[i]++;
  want[1] += p / 2;
  want[2] += p;
  want[3] += (1 + p) / 2;
  want[4] += 1;
  s.count++;
  for (let i = 1; i <= 3; i++) {
    const d = want[i] - n[i];
    if ((d >= 1 && n[i + 1] - n[i] > 1) || (d <= -1 && n[i - 1] - n[i] < -1)) {
      const dir = d > 0 ? 1 : -1;
      const parabolic = q[i] + (dir / (n[i + 1] - n[i - 1])) *
        ((n[i] - n[i - 1] + dir) * (q[i + 1] - q[i]) / (n[i + 1] - n[i]) +
         (n[i + 1] - n[i] - dir) * (q[i] - q[i - 1]) / (n[i] - n[i - 1]));
      q[i] = q[i - 1] < parabolic && parabolic < q[i + 1]
        ? parabolic
        : q[i] + dir * (q[i + dir] - q[i]) / (n[i + dir] - n[i]);
      n[i] += dir;
    }
  }
}

/** The current estimate; NaN before the first observation. */
export function p2Estimate(s: P2State): number {
  const q = s.heights;
  if (s.count === 0) return NaN;
  if (s.count >= 5) return q[2];
  // Fewer than five: linear interpolation between order statistics.
  const r = s.p * (q.length - 1);
  const lo = Math.floor(r);
  return lo + 1 < q.length ? q[lo] + (r - lo) * (q[lo + 1] - q[lo]) : q[lo];
}

/** Checks a state read from storage; throws naming what is wrong. */
export function checkP2State(s: unknown, where: string): P2State {
  const o = s as P2State;
  const nums = (a: unknown, len: number | null): boolean =>
    Array.isArray(a) && (len === null || a.length === len) && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!o || typeof o !== 'object' || !(o.p > 0 && o.p < 1) || !Number.isInteger(o.count) || o.count < 0 ||
      !nums(o.heights, Math.min(o.count, 5)) || !nums(o.positions, 5) || !nums(o.desired, 5)) {
    throw new Error(`${where} is not a P² estimator state (p, count, heights, positions, desired)`);
  }
  return { p: o.p, count: o.count, heights: [...o.heights], positions: [...o.positions], desired: [...o.desired] };
}
