// Per-channel standardisation, z = (x - mean) / std, fitted on normal data (the graph only ever
// sees scaled values). Statistics are population ones (ddof 0, as sklearn's StandardScaler),
// accumulated in float64 over every sample of every series. std has a floor,
//   std ≥ 1e-6·|mean| + 1e-8,
// so a constant channel (a setpoint, a stuck-but-normal sensor) scales to 0 instead of dividing
// by zero, and any later movement of it shows up as a very large (but finite) z.
// apply/invert write into caller-owned buffers and allocate nothing.

import type { FloatArray } from '../../engine/tensor.js';
import type { ScalerParams, Series } from '../detector.js';

export const STD_REL_FLOOR = 1e-6;
export const STD_ABS_FLOOR = 1e-8;

export interface Scaler {
  readonly params: ScalerParams;
  readonly channels: number;
  /** out[r, c] = (x[r, c] - mean[c]) / std[c] over `rows` rows of C values; out may alias x. */
  apply(out: FloatArray, x: ArrayLike<number>, rows: number, outOffset?: number, xOffset?: number): void;
  /** out[r, c] = z[r, c]·std[c] + mean[c]; out may alias z. */
  invert(out: FloatArray, z: ArrayLike<number>, rows: number): void;
}

export function stdFloor(mean: number): number {
  return STD_REL_FLOOR * Math.abs(mean) + STD_ABS_FLOOR;
}

/** Mean 0, std 1: what an imported graph gets until it is fitted. */
export function identityScalerParams(channels: number): ScalerParams {
  return { mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) };
}

/** Fits mean and std per channel over every sample of the series ([length, C] row-major each). */
export function fitScalerParams(series: readonly Series[], channels: number): ScalerParams {
  const C = channels;
  const sum = new Float64Array(C);
  let n = 0;
  for (const s of series) {
    checkSeries(s, C);
    for (let r = 0; r < s.length; r++) for (let c = 0; c < C; c++) sum[c] += s.data[r * C + c];
    n += s.length;
  }
  if (n === 0) throw new Error('fitScaler needs at least one sample; pass series with length > 0');
  const mean = Array.from(sum, (v) => v / n);
  // Second pass on deviations: no catastrophic cancellation for large offsets (temperatures in kelvin).
  const sq = new Float64Array(C);
  for (const s of series) {
    for (let r = 0; r < s.length; r++) for (let c = 0; c < C; c++) {
      const d = s.data[r * C + c] - mean[c];
      sq[c] += d * d;
    }
  }
  const std = mean.map((m, c) => Math.max(Math.sqrt(sq[c] / n), stdFloor(m)));
  for (let c = 0; c < C; c++) {
    if (!Number.isFinite(mean[c]) || !Number.isFinite(std[c])) {
      throw new Error(`fitScaler: channel ${c} has non-finite values in the training series; clean or drop them before fitting`);
    }
  }
  return { mean, std };
}

export function createScaler(params: ScalerParams): Scaler {
  const C = params.mean.length;
  if (params.std.length !== C) throw new Error(`scaler has ${C} means but ${params.std.length} stds`);
  params.std.forEach((s, c) => {
    if (!(s > 0) || !Number.isFinite(s)) throw new Error(`scaler std[${c}] must be a finite number > 0, got ${s}`);
  });
  const mean = Float64Array.from(params.mean);
  const std = Float64Array.from(params.std);
  const inv = std.map((s) => 1 / s);
  return {
    params: { mean: [...params.mean], std: [...params.std] },
    channels: C,
    apply(out, x, rows, outOffset = 0, xOffset = 0) {
      for (let r = 0; r < rows; r++) {
        const o = outOffset + r * C, i = xOffset + r * C;
        for (let c = 0; c < C; c++) out[o + c] = (x[i + c] - mean[c]) * inv[c];
      }
    },
    invert(out, z, rows) {
      for (let r = 0; r < rows; r++) {
        const o = r * C;
        for (let c = 0; c < C; c++) out[o + c] = z[o + c] * std[c] + mean[c];
      }
    },
  };
}

export function checkSeries(s: Series, channels: number): void {
  if (!Number.isInteger(s.length) || s.length < 0) throw new Error(`series length must be an integer >= 0, got ${s.length}`);
  if (s.data.length !== s.length * channels) {
    throw new Error(`series of length ${s.length} with ${channels} channels needs ${s.length * channels} values, got ${s.data.length}`);
  }
}
