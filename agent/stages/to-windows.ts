// toWindows: Sample → Window. Keeps the last `size` samples of every machine in a ring and emits
// a window every `stride` samples once the ring is full. A gap in event time longer than
// maxGapMs restarts the machine's ring: a window never spans an outage, where the model would
// see a jump it was not trained on. Machines are capped (further ones counted as shed).

import type { OperatorFunction } from 'rxjs';
import type { Sample, Window } from '../types.js';
import { emitting } from './emitting.js';

export interface ToWindowsOptions {
  readonly channels: readonly string[];
  readonly size: number;
  /** Default 1: a window per sample. */
  readonly stride?: number;
  /** Default: Infinity (no gap detection). */
  readonly maxGapMs?: number;
  readonly maxMachines?: number;
  readonly counters?: WindowCounters;
}

export interface WindowCounters {
  windows: number;
  gaps: number;
  shed: number;
}

export function createWindowCounters(): WindowCounters {
  return { windows: 0, gaps: 0, shed: 0 };
}

interface Ring {
  readonly data: Float32Array; // [size, C], circular
  next: number; // slot the next sample goes to
  filled: number;
  sinceEmit: number;
  lastTime: number;
}

export function toWindows(options: ToWindowsOptions): OperatorFunction<Sample, Window> {
  const { size, channels } = options;
  const C = channels.length;
  const stride = options.stride ?? 1;
  const maxGap = options.maxGapMs ?? Infinity;
  const maxMachines = options.maxMachines ?? 10_000;
  const counters = options.counters ?? createWindowCounters();
  if (!Number.isInteger(size) || size < 1) throw new Error(`toWindows: size must be a positive integer, got ${size}`);
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`toWindows: stride must be a positive integer, got ${stride}`);

  return emitting<Sample, Window>(() => {
    const rings = new Map<string, Ring>();
    return (s, emit) => {
      if (s.values.length !== C) throw new Error(`toWindows: sample of ${s.machineId} has ${s.values.length} channels, expected ${C}`);
      let ring = rings.get(s.machineId);
      if (!ring) {
        if (rings.size >= maxMachines) {
          counters.shed++;
          return;
        }
        ring = { data: new Float32Array(size * C), next: 0, filled: 0, sinceEmit: 0, lastTime: -Infinity };
        rings.set(s.machineId, ring);
      }
      if (ring.filled > 0 && s.time - ring.lastTime > maxGap) {
        counters.gaps++;
        ring.next = 0;
        ring.filled = 0;
        ring.sinceEmit = 0;
      }
      ring.lastTime = s.time;
      ring.data.set(s.values, ring.next * C);
      ring.next = (ring.next + 1) % size;
      if (ring.filled < size) ring.filled++;
      ring.sinceEmit++;
      if (ring.filled < size || ring.sinceEmit < stride) return;
      ring.sinceEmit = 0;
      // Unroll the ring oldest-first into a fresh buffer: the window outlives this call (batched scoring).
      const data = new Float32Array(size * C);
      const head = ring.next * C;
      data.set(ring.data.subarray(head), 0);
      data.set(ring.data.subarray(0, head), size * C - head);
      counters.windows++;
      emit({ machineId: s.machineId, time: s.time, channels, data, size, receivedAt: s.receivedAt });
    };
  });
}
