import { describe, expect, it } from 'vitest';
import {
  CHANNELS, simulate, simulateSamples, type Channel, type DriftSpec, type FaultSpec, type SimulatedSample, type SimulatorConfig,
} from '../../../agent/source/simulator.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const base = { seed: 21, machines: 2, durationMs: 12 * HOUR, intervalMs: MIN } as const;
const onset = 4 * HOUR;
const at = onset / MIN; // index of the first sample at or after the onset

const series = (config: SimulatorConfig, id = 'pump-01'): SimulatedSample[] => [...simulateSamples(config)].filter((s) => s.machineId === id);
const col = (xs: SimulatedSample[], ch: Channel) => xs.map((s) => s.values[ch] as number);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The plant with and without `extra` on pump-01: equal before the onset and on pump-02 always. */
function twin(extra: Pick<SimulatorConfig, 'faults' | 'drifts'>) {
  const changed = { ...base, ...extra };
  const healthy = series(base);
  const other = series(changed);
  expect(other.slice(0, at)).toEqual(healthy.slice(0, at));
  expect(series(changed, 'pump-02')).toEqual(series(base, 'pump-02'));
  return { healthy: healthy.slice(at), other: other.slice(at) };
}
const unchanged = (a: SimulatedSample[], b: SimulatedSample[], chs: readonly Channel[]) => {
  for (const ch of chs) expect(col(b, ch), ch).toEqual(col(a, ch));
};
const ratios = (a: SimulatedSample[], b: SimulatedSample[], ch: Channel) => b.map((s, i) => (s.values[ch] as number) / (a[i].values[ch] as number));
const others = (...chs: Channel[]) => CHANNELS.filter((c) => !chs.includes(c));

describe('level-shift fault', () => {
  const shift = (f: Partial<FaultSpec>): FaultSpec => ({ machineId: 'pump-01', kind: 'level-shift', onsetAfterMs: onset, ...f });

  it('steps one channel by the magnitude at onset and holds it; nothing else changes; labelled from onset', () => {
    const { healthy, other } = twin({ faults: [shift({ channel: 'pressure', magnitude: -0.3 })] });
    for (const r of ratios(healthy, other, 'pressure')) expect(r).toBeCloseTo(0.7, 2);
    unchanged(healthy, other, others('pressure'));
    const all = series({ ...base, faults: [shift({ channel: 'pressure', magnitude: -0.3 })] });
    expect(all[at - 1].faults).toEqual([]);
    expect(all.slice(at).every((s) => s.faults.length === 1 && s.faults[0] === 'level-shift' && s.drifts.length === 0)).toBe(true);
  });

  it('defaults to vibration +25 %, ramps when given a ramp, and scales with severity', () => {
    const { healthy, other } = twin({ faults: [shift({})] });
    for (const r of ratios(healthy, other, 'vibration')) expect(r).toBeCloseTo(1.25, 2);
    const ramped = twin({ faults: [shift({ channel: 'flow', magnitude: 0.4, rampMs: 2 * HOUR, severity: 0.5 })] });
    const r = ratios(ramped.healthy, ramped.other, 'flow');
    expect(r[0]).toBeCloseTo(1, 2);
    expect(r[60]).toBeCloseTo(1.1, 2); // half way up the ramp: half of 0.4 × 0.5
    expect(r[5 * 60]).toBeCloseTo(1.2, 2);
  });

  it('a sensor stuck after a level shift holds the shifted reading', () => {
    const faults = [shift({ channel: 'current', magnitude: 1 }), { machineId: 'pump-01', kind: 'sensor-stuck', channel: 'current', onsetAfterMs: onset } as const];
    const { healthy, other } = twin({ faults });
    expect(new Set(col(other, 'current'))).toEqual(new Set([other[0].values.current]));
    expect(other[0].values.current! / healthy[0].values.current!).toBeCloseTo(2, 2);
  });
});

describe('drift', () => {
  const drift = (d: Partial<DriftSpec> & Pick<DriftSpec, 'kind'>): DriftSpec => ({ machineId: 'pump-01', onsetAfterMs: onset, ...d });

  it('calibration: one reading drifts in gain along the ramp, labelled as drift and never as a fault', () => {
    const { healthy, other } = twin({ drifts: [drift({ kind: 'calibration', channel: 'pressure', magnitude: 0.1, rampMs: 4 * HOUR })] });
    const r = ratios(healthy, other, 'pressure');
    expect(r[0]).toBeCloseTo(1, 2);
    expect(r[2 * 60]).toBeCloseTo(1.05, 2);
    expect(r[4 * 60]).toBeCloseTo(1.1, 2);
    expect(r.at(-1)).toBeCloseTo(1.1, 2); // holds after the ramp
    unchanged(healthy, other, others('pressure'));
    expect(other.every((s) => s.faults.length === 0 && s.drifts.join() === 'calibration')).toBe(true);
  });

  it('ambient: the winding temperature follows the ambient change through its lag; nothing else moves', () => {
    const { healthy, other } = twin({ drifts: [drift({ kind: 'ambient', magnitude: 10, rampMs: 0 })] });
    const diff = (i: number) => other[i].values.temperature! - healthy[i].values.temperature!;
    expect(diff(0)).toBeLessThan(1);
    expect(diff(5)).toBeLessThan(diff(60));
    expect(diff(6 * 60)).toBeCloseTo(10, 0);
    unchanged(healthy, other, others('temperature'));
  });

  it('load: demand falls, so flow, pressure, current and vibration fall together, consistently with the physics', () => {
    const { healthy, other } = twin({ drifts: [drift({ kind: 'load', magnitude: -0.2, rampMs: HOUR })] });
    const late = (xs: SimulatedSample[]) => xs.slice(2 * 60);
    for (const ch of ['flow', 'pressure', 'current', 'vibration'] as const) expect(mean(col(late(other), ch)), ch).toBeLessThan(mean(col(late(healthy), ch)) * 0.97);
    // The affinity laws still hold: pressure ∝ flow², so pressure / flow² is unchanged on average.
    const k = (xs: SimulatedSample[]) => mean(late(xs).map((s) => s.values.pressure! / s.values.flow! ** 2));
    expect(k(other) / k(healthy)).toBeCloseTo(1, 1);
    expect(other.every((s) => s.faults.length === 0)).toBe(true);
  });

  it('leaves a fault\'s own randomness alone: spikes land on the same samples with or without drift', () => {
    const spike = { machineId: 'pump-01', kind: 'sensor-spike', channel: 'flow', onsetAfterMs: HOUR } as const;
    const spikes = (drifts: DriftSpec[]) => {
      const xs = series({ ...base, faults: [spike], drifts });
      const plain = series({ ...base, drifts });
      return xs.flatMap((s, i) => (s.values.flow! > 2.5 * plain[i].values.flow! ? [i] : []));
    };
    const without = spikes([]);
    expect(without.length).toBeGreaterThan(5);
    expect(spikes([drift({ kind: 'load', onsetAfterMs: 0, rampMs: 0 }), drift({ kind: 'ambient', onsetAfterMs: 0 })])).toEqual(without);
  });

  it('labels faults and drifts together when both are active', () => {
    const s = series({ ...base, faults: [{ machineId: 'pump-01', kind: 'cavitation', onsetAfterMs: onset }], drifts: [drift({ kind: 'ambient', onsetAfterMs: 2 * HOUR })] });
    expect(s[2 * 60 - 1]).toMatchObject({ faults: [], drifts: [] });
    expect(s[2 * 60]).toMatchObject({ faults: [], drifts: ['ambient'] });
    expect(s[at]).toMatchObject({ faults: ['cavitation'], drifts: ['ambient'] });
  });

  it('rejects bad drifts and magnitudes, naming the field', () => {
    const run = (extra: Partial<SimulatorConfig>) => () => [...simulate({ seed: 1, machines: 1, durationMs: 1000, ...extra })];
    expect(run({ drifts: [{ machineId: 'pump-01', kind: 'rust' as never, onsetAfterMs: 0 }] })).toThrow(/kind must be one of calibration, ambient, load/);
    expect(run({ drifts: [{ machineId: 'pump-02', kind: 'load', onsetAfterMs: 0 }] })).toThrow(/machineId is not one of pump-01/);
    expect(run({ drifts: [{ machineId: 'pump-01', kind: 'ambient', onsetAfterMs: 0, channel: 'flow' }] })).toThrow(/channel is for calibration drift/);
    expect(run({ drifts: [{ machineId: 'pump-01', kind: 'ambient', onsetAfterMs: 0, magnitude: 99 }] })).toThrow(/magnitude must be in -30\.\.30 \(kelvin\)/);
    expect(run({ faults: [{ machineId: 'pump-01', kind: 'cavitation', onsetAfterMs: 0, magnitude: 0.2 }] })).toThrow(/magnitude is for level-shift; cavitation takes a severity/);
    expect(run({ faults: [{ machineId: 'pump-01', kind: 'level-shift', onsetAfterMs: 0, magnitude: -1 }] })).toThrow(/relative step in -0\.9\.\.10/);
  });
});
