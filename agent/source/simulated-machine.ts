// The physics of one simulated machine: a VFD-driven motor and centrifugal pump whose five
// channels are correlated through the load, plus injectable faults and benign drift
// (simulated-drift.ts). Pure and deterministic: one rng per machine for the healthy physics, one per
// fault for the fault's own randomness, and every step draws the same numbers whatever the faults and
// drifts do, so a faulted or drifting machine is identical to its healthy twin until the onset, and
// one machine's faults never change another machine.
//
// Healthy model, per step of dt seconds (L = load 0.3..1, s = speed ratio):
//   load         L = 0.7 + 0.2·sin(daily cycle) + Ornstein-Uhlenbeck wander (σ≈0.04, τ = 10 min)
//   speed        s = 0.6 + 0.4·L                                    (the VFD follows demand)
//   flow         Q = Q0·s                          m³/h             (affinity laws)
//   pressure     P = P0·s²                         bar
//   current      I = Ir·(0.3 + 0.7·s³)             A                (no-load + hydraulic power)
//   vibration    RMS of the 1× and 2× running-speed harmonics (amplitude ∝ s², imbalance force ∝ ω²)
//                plus a broadband floor, mm/s
//   temperature  first-order lag (τ 15-30 min) towards ambient + rise·(I/Ir)²   °C (copper losses)
// each with a little multiplicative measurement noise.

import { createRng, type Rng } from '../../engine/rng.js';
import { type DriftKind, type DriftSpec, createDrifts } from './simulated-drift.js';

export const CHANNELS = ['vibration', 'current', 'temperature', 'pressure', 'flow'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A healthy machine stays inside these for any seed (units as in the model above). */
export const HEALTHY_BANDS: Readonly<Record<Channel, readonly [number, number]>> = {
  vibration: [0.2, 4.5], // ISO 10816-3 zones A/B end at 4.5 mm/s for medium machines
  current: [1, 32],
  temperature: [10, 90],
  pressure: [0.5, 7],
  flow: [10, 130],
};

export type FaultKind = 'bearing-wear' | 'cavitation' | 'overheating' | 'sensor-stuck' | 'sensor-spike' | 'sensor-dropout' | 'level-shift';

export const FAULT_KINDS: readonly FaultKind[] = ['bearing-wear', 'cavitation', 'overheating', 'sensor-stuck', 'sensor-spike', 'sensor-dropout', 'level-shift'];

/** level-shift's step when no magnitude is given, and the steps accepted. */
export const LEVEL_SHIFT_DEFAULT = 0.25;
export const LEVEL_SHIFT_RANGE: readonly [number, number] = [-0.9, 10];

/** A fault on one machine, starting `onsetAfterMs` after the simulation start. Effects:
 *  bearing-wear   vibration broadband rises gradually (∝ progress²) up to +6 mm/s; temperature follows (+20 K), current +5 %
 *  cavitation     pressure drops up to 35 %, flow drops 10 % and turns noisy, vibration bursts
 *  overheating    cooling lost: temperature target rises up to +45 K (the lag still applies), current +2 %
 *  sensor-stuck   the channel repeats its value at onset forever
 *  sensor-spike   the channel reads 3-8× its true value on ~5 %·severity of samples
 *  sensor-dropout the channel is missing on severity·100 % of samples (no message, no key)
 *  level-shift    the channel's level steps by magnitude·severity (relative, signed: 0.25 = 25 % higher,
 *                 -0.3 = 30 % lower; default 0.25) and stays there: a sensor re-mounted, a process change
 *  `durationMs`, when given, ends the fault (a repair, a valve reopened): from onset + durationMs the
 *  machine is healthy again and the labels say so. Without it a fault lasts forever.
 *  `rampMs` is the time to full severity for bearing-wear (default 2 days), cavitation (10 min),
 *  overheating (30 min) and level-shift (default 0: a step). Sensor faults and level-shift act on
 *  `channel` (default 'vibration'). */
export interface FaultSpec {
  readonly machineId: string;
  readonly kind: FaultKind;
  readonly onsetAfterMs: number;
  readonly severity?: number;
  readonly rampMs?: number;
  /** How long the fault lasts from its onset (default: forever). */
  readonly durationMs?: number;
  readonly channel?: Channel;
  /** level-shift only: the relative step, LEVEL_SHIFT_RANGE. */
  readonly magnitude?: number;
}

const DEFAULT_RAMP_MS: Record<FaultKind, number> = {
  'bearing-wear': 2 * 86_400_000,
  cavitation: 600_000,
  overheating: 1_800_000,
  'sensor-stuck': 0,
  'sensor-spike': 0,
  'sensor-dropout': 0,
  'level-shift': 0,
};

/** What a step produces: the channels present this step (dropouts omitted), the active faults and drifts. */
export interface MachineStep {
  readonly values: Partial<Record<Channel, number>>;
  readonly faults: readonly FaultKind[];
  readonly drifts: readonly DriftKind[];
}

export interface SimulatedMachine {
  readonly id: string;
  /** Advances to event time `t` (ms) and measures. Call with t increasing by the sample interval. */
  step(t: number): MachineStep;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  readonly onset: number;
  readonly end: number;
  readonly severity: number;
  readonly rampMs: number;
  readonly channel: Channel;
  readonly magnitude: number;
  readonly rng: Rng;
  stuckValue: number | undefined;
}

/** A 32-bit seed from a seed and indices (splitmix-style), so sub-streams never overlap by accident. */
export function subSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of parts) {
    h = Math.imul(h ^ (p + 0x7f4a7c15), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

const DECIMALS: Record<Channel, number> = { vibration: 1000, current: 100, temperature: 100, pressure: 1000, flow: 100 };
const round = (ch: Channel, v: number): number => Math.round(v * DECIMALS[ch]) / DECIMALS[ch];
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function createSimulatedMachine(
  id: string, seed: number, start: number, intervalMs: number, loadCycleMs: number, faults: readonly FaultSpec[],
  drifts: readonly DriftSpec[] = [],
): SimulatedMachine {
  const rng = createRng(seed);
  // Nameplate and installation, drawn once.
  const vib1x = rng.uniform(1.0, 2.0);
  const vib2x = rng.uniform(0.3, 0.6);
  const vibFloor = rng.uniform(0.3, 0.5);
  const ratedCurrent = rng.uniform(8, 30);
  const ratedFlow = rng.uniform(40, 120);
  const ratedPressure = rng.uniform(3, 6);
  const ambientMean = rng.uniform(19, 25);
  const thermalRise = rng.uniform(35, 45);
  const tauSeconds = rng.uniform(900, 1800);
  const loadPhase = rng.next() * 2 * Math.PI;
  const ambientPhase = rng.next() * 2 * Math.PI;

  const dt = intervalMs / 1000;
  // Exact Ornstein-Uhlenbeck update (stable for any interval): stationary std 0.04, τ = 10 min.
  const ouDecay = Math.exp(-dt / 600);
  const ouStep = 0.04 * Math.sqrt(1 - ouDecay * ouDecay);
  const thermalAlpha = 1 - Math.exp(-dt / tauSeconds);
  let wander = 0;
  let temperature: number | undefined; // true winding temperature, °C

  const active: ActiveFault[] = faults.map((spec, k) => ({
    spec,
    onset: start + spec.onsetAfterMs,
    end: start + spec.onsetAfterMs + (spec.durationMs ?? Infinity),
    severity: spec.severity ?? 1,
    rampMs: spec.rampMs ?? DEFAULT_RAMP_MS[spec.kind],
    channel: spec.channel ?? 'vibration',
    magnitude: spec.magnitude ?? LEVEL_SHIFT_DEFAULT,
    rng: createRng(subSeed(seed, 0xfa017, k)),
    stuckValue: undefined,
  }));
  /** Whether a fault acts at time t: from its onset until its end (if it has one). */
  const inEffect = (f: ActiveFault, t: number): boolean => t >= f.onset && t < f.end;
  /** How far along the ramp a fault is, 0 at onset to 1 at full severity. */
  const ramped = (f: ActiveFault, t: number): number => (f.rampMs <= 0 ? 1 : Math.min(1, (t - f.onset) / f.rampMs));
  const driftAt = createDrifts(drifts, start);

  return {
    id,
    step(t) {
      // Healthy physics (with any drift): the same draws every step, whatever the faults and drifts.
      const drift = driftAt(t);
      const phase = (2 * Math.PI * (t - start)) / loadCycleMs;
      wander = wander * ouDecay + ouStep * rng.normal();
      const load = clamp(0.7 + 0.2 * Math.sin(phase + loadPhase) + wander + drift.loadOffset, 0.3, 1);
      const s = 0.6 + 0.4 * load;
      const ambient = ambientMean + 3 * Math.sin(phase + ambientPhase) + drift.ambientOffset;
      const noise = [rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.normal()];

      // Fault effects on the true quantities.
      let broadband2 = vibFloor * vibFloor;
      let currentFactor = 1;
      let extraHeat = 0;
      let pressureFactor = 1;
      let flowFactor = 1;
      let flowNoise = 0.01;
      const faultsNow: FaultKind[] = [];
      for (const f of active) {
        if (!inEffect(f, t)) continue;
        faultsNow.push(f.spec.kind);
        const r = ramped(f, t);
        const p = f.severity * r;
        switch (f.spec.kind) {
          case 'bearing-wear': {
            const w = f.severity * r * r; // slow start, then faster
            broadband2 += (6 * w) ** 2;
            extraHeat += 20 * w;
            currentFactor *= 1 + 0.05 * w;
            break;
          }
          case 'cavitation': {
            pressureFactor *= 1 - 0.35 * p;
            flowFactor *= 1 - 0.1 * p;
            flowNoise += 0.08 * p;
            broadband2 += (0.8 * p) ** 2;
            if (f.rng.next() < 0.15 * p) broadband2 += (f.rng.uniform(2, 6) * p) ** 2;
            break;
          }
          case 'overheating':
            extraHeat += 45 * p;
            currentFactor *= 1 + 0.02 * p;
            break;
          default:
            break; // sensor faults act on the measurements below
        }
      }

      const current = ratedCurrent * (0.3 + 0.7 * s ** 3) * currentFactor;
      const target = ambient + thermalRise * (current / ratedCurrent) ** 2 + extraHeat;
      temperature = temperature === undefined ? target : temperature + (target - temperature) * thermalAlpha;
      const a1 = vib1x * s * s;
      const a2 = vib2x * s * s;
      const measured: Record<Channel, number> = {
        vibration: Math.sqrt((a1 * a1) / 2 + (a2 * a2) / 2 + broadband2) * (1 + 0.03 * noise[0]),
        current: current * (1 + 0.01 * noise[1]),
        temperature: temperature + 0.1 * noise[2],
        pressure: ratedPressure * s * s * pressureFactor * (1 + 0.01 * noise[3]),
        flow: ratedFlow * s * flowFactor * (1 + flowNoise * noise[4]),
      };

      // Level shifts and calibration drift scale a reading; then the sensor faults act on it.
      for (const f of active) {
        if (f.spec.kind === 'level-shift' && inEffect(f, t)) measured[f.channel] *= 1 + f.magnitude * f.severity * ramped(f, t);
      }
      for (const ch in drift.gain) measured[ch as Channel] *= drift.gain[ch as Channel] as number;
      const values: Partial<Record<Channel, number>> = {};
      for (const ch of CHANNELS) values[ch] = round(ch, measured[ch]);
      for (const f of active) {
        if (!inEffect(f, t)) {
          if (t >= f.end) f.stuckValue = undefined; // repaired: a later stuck fault would stick afresh
          continue;
        }
        const ch = f.channel;
        switch (f.spec.kind) {
          case 'sensor-stuck':
            f.stuckValue ??= values[ch];
            if (values[ch] !== undefined) values[ch] = f.stuckValue;
            break;
          case 'sensor-spike': {
            const hit = f.rng.next() < 0.05 * f.severity;
            const factor = f.rng.uniform(3, 8);
            if (hit && values[ch] !== undefined) values[ch] = round(ch, (values[ch] as number) * factor);
            break;
          }
          case 'sensor-dropout':
            if (f.rng.next() < f.severity) delete values[ch];
            break;
          default:
            break;
        }
      }
      return { values, faults: faultsNow, drifts: drift.active };
    },
  };
}
