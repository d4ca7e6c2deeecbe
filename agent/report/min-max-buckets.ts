// Min/max buckets: a bounded, streaming downsample of several aligned series for charts, so that a
// year of 1 s data draws as fast as an hour of it and still shows every spike.
//   raw        while a series has at most maxBuckets points, each point is its own bucket (exact)
//   buckets    past that, time is cut into buckets of widthMs anchored at the first point's time;
//              each bucket keeps, per series, the min and max of its points and the time of its
//              first point. When the buckets outgrow maxBuckets, widthMs doubles and neighbouring
//              buckets merge pairwise (bucket k → k/2): the buckets are exactly those of one pass over
//              all points at the final width.
// The first width is the smallest power-of-two multiple of baseWidthMs (the sampling period) that
// cuts the span seen so far into at most maxBuckets / 2 buckets. Points must come in time order;
// NaN is a missing value (a bucket without any value has NaN min and max).

export interface MinMaxBuckets {
  /** One point: its time and one value per series. */
  add(time: number, values: ArrayLike<number>): void;
  result(): BucketedSeries;
}

export interface BucketedSeries {
  /** 0 while raw (every point kept), else the bucket width in ms. */
  readonly widthMs: number;
  /** [buckets] time of each bucket's first point. */
  readonly time: readonly number[];
  /** [series][buckets] */
  readonly min: readonly (readonly number[])[];
  readonly max: readonly (readonly number[])[];
  /** Points added. */
  readonly points: number;
}

export function createMinMaxBuckets(series: number, maxBuckets: number, baseWidthMs: number): MinMaxBuckets {
  if (!(Number.isInteger(maxBuckets) && maxBuckets >= 2)) throw new Error(`createMinMaxBuckets: maxBuckets must be an integer >= 2, got ${maxBuckets}`);
  if (!(baseWidthMs > 0)) throw new Error(`createMinMaxBuckets: baseWidthMs must be > 0, got ${baseWidthMs}`);
  let width = 0;
  let origin = NaN;
  let lastIndex = NaN;
  let points = 0;
  let time: number[] = [];
  let min: number[][] = Array.from({ length: series }, () => []);
  let max: number[][] = Array.from({ length: series }, () => []);

  /** Re-buckets everything at `w` (a power-of-two multiple of the current width, or the first width). */
  const regroup = (w: number): void => {
    const t2: number[] = [];
    const min2: number[][] = min.map(() => []);
    const max2: number[][] = max.map(() => []);
    let last = NaN;
    for (let b = 0; b < time.length; b++) {
      const k = Math.floor((time[b] - origin) / w);
      if (k !== last) {
        t2.push(time[b]);
        for (let s = 0; s < series; s++) {
          min2[s].push(min[s][b]);
          max2[s].push(max[s][b]);
        }
        last = k;
      } else {
        const at = t2.length - 1;
        for (let s = 0; s < series; s++) {
          min2[s][at] = lower(min2[s][at], min[s][b]);
          max2[s][at] = higher(max2[s][at], max[s][b]);
        }
      }
    }
    width = w;
    time = t2;
    min = min2;
    max = max2;
    lastIndex = last;
  };

  return {
    add(t, values) {
      if (values.length !== series) throw new Error(`MinMaxBuckets.add: ${values.length} values, expected ${series}`);
      if (points === 0) origin = t;
      points++;
      const k = width === 0 ? NaN : Math.floor((t - origin) / width);
      if (width > 0 && k === lastIndex) {
        const at = time.length - 1;
        for (let s = 0; s < series; s++) {
          min[s][at] = lower(min[s][at], values[s]);
          max[s][at] = higher(max[s][at], values[s]);
        }
        return;
      }
      time.push(t);
      for (let s = 0; s < series; s++) {
        min[s].push(values[s]);
        max[s].push(values[s]);
      }
      lastIndex = k;
      if (time.length <= maxBuckets) return;
      if (width === 0) {
        let w = baseWidthMs;
        while ((t - origin) / w >= maxBuckets / 2) w *= 2;
        regroup(w);
      }
      while (time.length > maxBuckets) regroup(width * 2);
    },
    result() {
      return { widthMs: width, time, min, max, points };
    },
  };
}

/** min/max that treat NaN as missing. */
function lower(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : b < a ? b : a;
}
function higher(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : b > a ? b : a;
}
