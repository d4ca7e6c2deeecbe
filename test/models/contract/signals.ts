// Seeded synthetic machine data for detector tests: every channel a sum of two sines with its
// own frequencies, phase, offset and scale, plus Gaussian noise, so the scaler has real work
// and channels are distinguishable.

import { createRng } from '../../../engine/rng.js';
import type { Series } from '../../../models/detector.js';

export function sineSeries(channels: number, length: number, seed: number, noise = 0.05): Series {
  const rng = createRng(seed);
  const params = Array.from({ length: channels }, (_, c) => ({
    f1: 0.11 + 0.07 * c,
    f2: 0.031 + 0.013 * c,
    phase: rng.uniform(0, 2 * Math.PI),
    offset: 10 * c - 5,
    scale: 1 + c,
  }));
  const data = new Float32Array(length * channels);
  for (let t = 0; t < length; t++) {
    params.forEach((p, c) => {
      const v = Math.sin(p.f1 * t + p.phase) + 0.5 * Math.sin(p.f2 * t + 2 * p.phase);
      data[t * channels + c] = p.offset + p.scale * (v + noise * rng.normal());
    });
  }
  return { data, length };
}

/** Windows [starts.length, W, C] cut from a series at the given first samples. */
export function windowsAt(series: Series, channels: number, W: number, starts: readonly number[]): Float32Array {
  const out = new Float32Array(starts.length * W * channels);
  starts.forEach((t, i) => out.set(series.data.subarray(t * channels, (t + W) * channels), i * W * channels));
  return out;
}
