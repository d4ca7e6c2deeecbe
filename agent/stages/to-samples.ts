// toSamples: Reading → Sample. Assembles one machine's channels, which may arrive as separate
// messages, into multichannel samples on an event-time grid:
//   - a reading at time t belongs to slot round(t / periodMs) · periodMs when |t - slot| ≤ toleranceMs,
//     otherwise it is counted as 'offGrid' and dropped (the sensor clock disagrees with the config);
//   - a slot is emitted as soon as every channel has a value for it (lowest latency), or when a
//     reading for a later slot arrives: missing channels then hold their last value if it is at most
//     maxHoldMs old, otherwise the slot is dropped and counted as 'stale' (never silently invented);
//   - readings for a slot older than the one being assembled are counted as 'late' and dropped.
// State is per machine, capped at maxMachines (further machines' readings are counted as 'shed').

import type { OperatorFunction } from 'rxjs';
import type { Reading, Sample } from '../types.js';
import { emitting } from './emitting.js';

export interface ToSamplesOptions {
  /** The model's channel order. */
  readonly channels: readonly string[];
  readonly periodMs: number;
  /** Default: half a period. */
  readonly toleranceMs?: number;
  /** How old a held value may be. Default: 3 periods. */
  readonly maxHoldMs?: number;
  /** Default 10000. */
  readonly maxMachines?: number;
  readonly counters?: SampleCounters;
}

export interface SampleCounters {
  samples: number;
  held: number;
  stale: number;
  late: number;
  offGrid: number;
  shed: number;
}

export function createSampleCounters(): SampleCounters {
  return { samples: 0, held: 0, stale: 0, late: 0, offGrid: 0, shed: 0 };
}

interface MachineSlots {
  slot: number; // event time of the slot being assembled (NaN: none)
  receivedAt: number;
  readonly values: Float64Array; // [C] this slot's values
  readonly have: Uint8Array; // [C] 1 where this slot has a value
  missing: number;
  readonly last: Float64Array; // [C] last value seen, for holding
  readonly lastTime: Float64Array; // [C] its event time (-Infinity: never)
}

export function toSamples(options: ToSamplesOptions): OperatorFunction<Reading, Sample> {
  const C = options.channels.length;
  if (C === 0) throw new Error('toSamples: channels must not be empty');
  if (!(options.periodMs > 0)) throw new Error(`toSamples: periodMs must be > 0, got ${options.periodMs}`);
  const period = options.periodMs;
  const tolerance = options.toleranceMs ?? period / 2;
  const maxHold = options.maxHoldMs ?? 3 * period;
  const maxMachines = options.maxMachines ?? 10_000;
  const counters = options.counters ?? createSampleCounters();
  const index = new Map(options.channels.map((c, i) => [c, i]));

  return emitting<Reading, Sample>(() => {
    const machines = new Map<string, MachineSlots>();

    const flush = (machineId: string, m: MachineSlots, emit: (s: Sample) => void): void => {
      const out = new Float32Array(C);
      for (let c = 0; c < C; c++) {
        if (m.have[c]) out[c] = m.values[c];
        else if (m.slot - m.lastTime[c] <= maxHold) {
          out[c] = m.last[c];
          counters.held++;
        } else {
          counters.stale++;
          reset(m);
          return;
        }
      }
      const sample: Sample = { machineId, time: m.slot, values: out, receivedAt: m.receivedAt };
      reset(m);
      counters.samples++;
      emit(sample);
    };

    return (r, emit) => {
      let m = machines.get(r.machineId);
      if (!m) {
        if (machines.size >= maxMachines) {
          counters.shed++;
          return;
        }
        m = {
          slot: NaN, receivedAt: 0, values: new Float64Array(C), have: new Uint8Array(C), missing: C,
          last: new Float64Array(C), lastTime: new Float64Array(C).fill(-Infinity),
        };
        machines.set(r.machineId, m);
      }
      const slot = Math.round(r.time / period) * period;
      if (Math.abs(r.time - slot) > tolerance) {
        counters.offGrid++;
        return;
      }
      if (!Number.isNaN(m.slot)) {
        if (slot < m.slot) {
          counters.late++;
          return;
        }
        if (slot > m.slot) flush(r.machineId, m, emit);
      }
      if (Number.isNaN(m.slot)) m.slot = slot;
      if (r.receivedAt > m.receivedAt) m.receivedAt = r.receivedAt;
      for (const channel in r.values) {
        const c = index.get(channel);
        if (c === undefined) continue; // not a model channel: to-readings already counted unknown channels
        if (!m.have[c]) {
          m.have[c] = 1;
          m.missing--;
        }
        const value = r.values[channel];
        m.values[c] = value;
        m.last[c] = value;
        m.lastTime[c] = slot;
      }
      if (m.missing === 0) flush(r.machineId, m, emit);
    };
  });
}

function reset(m: MachineSlots): void {
  m.slot = NaN;
  m.receivedAt = 0;
  m.have.fill(0);
  m.missing = m.have.length;
}
