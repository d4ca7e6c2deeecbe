// Slow channels and their differencing. A process variable such as a temperature changes slowly:
// its consecutive samples are strongly correlated (lag-1 autocorrelation near 1), and over minutes
// it wanders away from the range it had while the model was fitted — normal drift that a model of
// LEVELS reads as an anomaly. Differencing such a channel (x[t] − x[t−1], Box–Jenkins' remedy for a
// non-stationary series) keeps its changes and drops its level; noise-like channels (vibration
// RMS, current, flow: autocorrelation near 0) keep their levels, where sustained faults show.
//   lag1Autocorrelation  per channel over [rows, C] fitting data: mean of z[t]·z[t−1] on the
//                        channel standardised by its own mean and population std (0 for a constant)
//   slowChannels         which channels exceed a threshold: decided once, on fitting data only
//   differenceChannels   applies the choice to a stream of rows; `previous` is the row before the
//                        first one (absent: the first row's difference is 0)

export function lag1Autocorrelation(data: ArrayLike<number>, rows: number, C: number): Float64Array {
  if (data.length !== rows * C) throw new Error(`lag1Autocorrelation: ${rows} rows × ${C} channels need ${rows * C} values, got ${data.length}`);
  const out = new Float64Array(C);
  if (rows < 2) return out;
  for (let c = 0; c < C; c++) {
    let m = 0;
    for (let t = 0; t < rows; t++) m += data[t * C + c];
    m /= rows;
    let v = 0;
    let cov = 0;
    for (let t = 0; t < rows; t++) {
      const d = data[t * C + c] - m;
      v += d * d;
      if (t > 0) cov += d * (data[(t - 1) * C + c] - m);
    }
    out[c] = v > 0 ? cov / v : 0;
  }
  return out;
}

export function slowChannels(data: ArrayLike<number>, rows: number, C: number, threshold: number): boolean[] {
  if (!(threshold > -1 && threshold < 1)) throw new Error(`slow-channel threshold must be a lag-1 autocorrelation in (-1, 1), got ${threshold}`);
  return Array.from(lag1Autocorrelation(data, rows, C), (r) => r > threshold);
}

/** out[t, c] = x[t, c] − x[t−1, c] where slow[c], else x[t, c]; out may alias x only when previous is given. */
export function differenceChannels(
  out: Float32Array | Float64Array, // [rows, C]
  x: ArrayLike<number>, // [rows, C]
  rows: number,
  C: number,
  slow: readonly boolean[],
  previous?: ArrayLike<number>, // [C]
): void {
  if (slow.length !== C) throw new Error(`differenceChannels: ${slow.length} flags for ${C} channels`);
  for (let c = 0; c < C; c++) {
    let prev = previous ? previous[c] : rows > 0 ? x[c] : 0;
    for (let t = 0; t < rows; t++) {
      const v = x[t * C + c];
      out[t * C + c] = slow[c] ? v - prev : v;
      prev = v;
    }
  }
}
