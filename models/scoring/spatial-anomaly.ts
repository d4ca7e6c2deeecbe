// Spatial anomaly: a value outside the range seen so far, widened by `tolerance` × that range
// (NAB's HTM detector flags these with score 1 whatever its likelihood says, tolerance 0.05: people
// label values beyond anything seen before). The range is the running min and max of every value
// observed, the flagged ones included, so a level that persists stops being new. Until two
// different values have been seen there is no range and nothing is flagged. O(1), causal.

export interface SpatialAnomaly {
  /** True when `value` lies outside the widened range of the values before it; then adds it. */
  observe(value: number): boolean;
  readonly min: number;
  readonly max: number;
}

export function createSpatialAnomaly(tolerance: number): SpatialAnomaly {
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new Error(`spatial tolerance must be a finite number >= 0, got ${tolerance}`);
  let min = Infinity;
  let max = -Infinity;
  return {
    get min() {
      return min;
    },
    get max() {
      return max;
    },
    observe(value) {
      let outside = false;
      if (max > min) {
        const pad = (max - min) * tolerance;
        outside = value > max + pad || value < min - pad;
      }
      if (value < min) min = value;
      if (value > max) max = value;
      return outside;
    },
  };
}
