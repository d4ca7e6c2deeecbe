// Shared builders for the decider tests: windows one second apart from T0, fixed thresholds
// (warning 1, critical 2, so clear 0.8 and clearCritical 1.6) and a compact event trace.
import { createRng } from '../../../engine/rng.js';
import type { AlertEvent } from '../../../models/scoring/alert-event.js';
import { type Decider, type DeciderOptions, type Decision, type ScoredWindow, createDecider } from '../../../models/scoring/decide.js';

export const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
export const STEP = 1000;
export const MODEL = { name: 'pump-ae', version: '1.0' } as const;
export const FIXED = { warning: { kind: 'fixed', value: 1 }, critical: { kind: 'fixed', value: 2 } } as const;

/** A decider on fixed thresholds, no warm-up, unless told otherwise. */
export function decider(options: Partial<DeciderOptions> = {}): Decider {
  return createDecider({ machineId: 'pump-7', warmupWindows: 0, thresholds: FIXED, ...options });
}

export function win(i: number, value: number, perChannel?: Record<string, number>): ScoredWindow {
  return {
    value,
    perChannel: perChannel ?? { flow: value * 0.5, vibration: value * 1.5, temp: value },
    time: T0 + i * STEP,
    receivedAt: T0 + i * STEP + 40,
    model: MODEL,
  };
}

/** Steps values as windows from index `from`; returns the decisions. */
export function run(d: Decider, values: readonly number[], from = 0): Decision[] {
  return values.map((v, i) => d.step(win(from + i, v)));
}

export function events(decisions: readonly Decision[]): AlertEvent[] {
  return decisions.flatMap((x) => (x.event ? [x.event] : []));
}

/** 'index:state/severity' for each event, index = window index relative to T0. */
export function trace(decisions: readonly Decision[]): string[] {
  return events(decisions).map((e) => `${(e.time - T0) / STEP}:${e.state}/${e.severity}`);
}

export const repeat = (value: number, times: number): number[] => new Array<number>(times).fill(value);

/**
 * A seeded score stream that switches between regimes of random length: quiet normal, noise
 * around the clear level, around warning, above warning, above critical, and NaN glitches.
 */
export function regimeStream(seed: number, length: number): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  while (out.length < length) {
    const regime = rng.int(6);
    const len = 1 + rng.int(regime === 0 ? 60 : 25);
    for (let i = 0; i < len && out.length < length; i++) {
      switch (regime) {
        case 0: out.push(Math.abs(rng.normal()) * 0.2); break;
        case 1: out.push(0.8 + rng.normal() * 0.1); break;
        case 2: out.push(1 + rng.normal() * 0.15); break;
        case 3: out.push(1 + rng.next() * 1.2); break;
        case 4: out.push(2 + rng.next() * 3); break;
        default: out.push(rng.next() < 0.5 ? NaN : Math.abs(rng.normal())); break;
      }
    }
  }
  return out;
}
