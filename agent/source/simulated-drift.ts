// Benign drift for a simulated machine: slow changes a plant lives with that are NOT faults, labelled
// as drift so an evaluation can check that a detector stays quiet on them (or alarms, if the user
// wants it to). Deterministic and draw-free: drift never touches an rng, so a drifting machine equals
// its steady twin until the drift's onset, and faults see the same random numbers with or without it.
//   calibration  one channel's reading drifts in gain (the sensor, not the machine): relative, signed,
//                default +5 % reached over 14 days
//   ambient      the ambient temperature changes (seasons, a hall's ventilation): kelvin, signed,
//                default +8 K over 30 days; the winding temperature follows through its thermal lag
//   load         the mean demand changes (a process change, seasonal production): fraction of rated
//                load, signed, default -0.15 over 7 days; every channel follows through the physics
// Each ramps linearly from 0 at onset to `magnitude` at onset + rampMs and holds there.

import type { Channel } from './simulated-machine.js';

export type DriftKind = 'calibration' | 'ambient' | 'load';

export const DRIFT_KINDS: readonly DriftKind[] = ['calibration', 'ambient', 'load'];

/** A drift on one machine, starting `onsetAfterMs` after the simulation start. */
export interface DriftSpec {
  readonly machineId: string;
  readonly kind: DriftKind;
  readonly onsetAfterMs: number;
  /** Time from onset to the full magnitude. Default per kind (DRIFT_DEFAULTS). */
  readonly rampMs?: number;
  /** The full change, in the kind's unit (see above). Default per kind. */
  readonly magnitude?: number;
  /** calibration only: the channel whose sensor drifts. Default 'temperature'. */
  readonly channel?: Channel;
}

const DAY = 86_400_000;

/** Default magnitude and ramp of each kind, and the magnitudes accepted. */
export const DRIFT_DEFAULTS: Readonly<Record<DriftKind, { readonly magnitude: number; readonly rampMs: number; readonly range: readonly [number, number]; readonly unit: string }>> = {
  calibration: { magnitude: 0.05, rampMs: 14 * DAY, range: [-0.5, 0.5], unit: 'relative gain, e.g. 0.05 = reads 5 % high' },
  ambient: { magnitude: 8, rampMs: 30 * DAY, range: [-30, 30], unit: 'kelvin' },
  load: { magnitude: -0.15, rampMs: 7 * DAY, range: [-0.5, 0.5], unit: 'fraction of rated load' },
};

/** What the drifts do at one time: offsets to the physics and gains on the readings. */
export interface DriftEffect {
  readonly loadOffset: number;
  readonly ambientOffset: number;
  /** Multiplicative factor per drifting channel (absent: 1). */
  readonly gain: Readonly<Partial<Record<Channel, number>>>;
  /** Drifts whose onset has passed: the ground truth. */
  readonly active: readonly DriftKind[];
}

const NO_DRIFT: DriftEffect = { loadOffset: 0, ambientOffset: 0, gain: {}, active: [] };

/** The drifts of one machine as a function of event time. `start` is the simulation start. */
export function createDrifts(specs: readonly DriftSpec[], start: number): (t: number) => DriftEffect {
  if (specs.length === 0) return () => NO_DRIFT;
  const drifts = specs.map((spec) => ({
    spec,
    onset: start + spec.onsetAfterMs,
    rampMs: spec.rampMs ?? DRIFT_DEFAULTS[spec.kind].rampMs,
    magnitude: spec.magnitude ?? DRIFT_DEFAULTS[spec.kind].magnitude,
    channel: spec.channel ?? 'temperature',
  }));
  return (t) => {
    let loadOffset = 0;
    let ambientOffset = 0;
    const gain: Partial<Record<Channel, number>> = {};
    const active: DriftKind[] = [];
    for (const d of drifts) {
      if (t < d.onset) continue;
      active.push(d.spec.kind);
      const x = d.magnitude * (d.rampMs <= 0 ? 1 : Math.min(1, (t - d.onset) / d.rampMs));
      if (d.spec.kind === 'load') loadOffset += x;
      else if (d.spec.kind === 'ambient') ambientOffset += x;
      else gain[d.channel] = (gain[d.channel] ?? 1) * (1 + x);
    }
    return active.length === 0 ? NO_DRIFT : { loadOffset, ambientOffset, gain, active };
  };
}
