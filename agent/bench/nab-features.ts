// The standardised value every member reads: z = (v − mean) / std, clipped to ±zClip, with mean
// and variance fitted on the fit rows and then following the rows judged normal at `rate` (an
// EWMA), so a slow drift of the level is absorbed while an anomaly never moves the statistics.
// Rows are standardised in order, each with the statistics as they were before it (causal).
// dayRows is the length of a day in rows, from the median time step of the first rows (0 when the
// times do not say): the 'lag' input looks one day back.

export interface NabFeatures {
  readonly rows: number;
  /** [rows] standardised values; row t is valid once standardise(t) ran (fit rows at creation). */
  readonly z: Float32Array;
  readonly dayRows: number;
  standardise(t: number): void;
  /** Row t was judged normal: the statistics follow its value. */
  follow(t: number): void;
}

export function createNabFeatures(values: Float64Array, times: Float64Array, fitRows: number, rate: number, zClip: number): NabFeatures {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < fitRows; i++) mean += values[i];
  mean /= fitRows;
  let variance = 0;
  for (let i = 0; i < fitRows; i++) variance += (values[i] - mean) ** 2;
  variance /= fitRows;
  // A floor relative to the level: a flat fit period (a setpoint) does not turn noise into ±zClip.
  const floor = (1e-3 * Math.abs(mean) + 1e-6) ** 2;
  const z = new Float32Array(n);
  const standardise = (t: number): void => {
    const v = (values[t] - mean) / Math.sqrt(Math.max(variance, floor));
    z[t] = Math.max(-zClip, Math.min(zClip, v));
  };
  for (let i = 0; i < fitRows; i++) standardise(i);
  return {
    rows: n,
    z,
    dayRows: rowsPerDay(times),
    standardise,
    follow(t) {
      const d = values[t] - mean;
      mean += rate * d;
      variance += rate * (d * d - variance);
    },
  };
}

function rowsPerDay(times: Float64Array): number {
  const m = Math.min(times.length - 1, 1000);
  if (m < 1) return 0;
  const steps = Array.from({ length: m }, (_, i) => times[i + 1] - times[i]).sort((a, b) => a - b);
  const step = steps[m >> 1];
  return step > 0 && Number.isFinite(step) ? Math.round(86_400_000 / step) : 0;
}
