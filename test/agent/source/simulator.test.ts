import { VirtualTimeScheduler, take, toArray, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../agent/runtime/clock.js';
import {
  CHANNELS, DEFAULT_SIMULATION_START, HEALTHY_BANDS, fromSimulator, runSimulator, simulate, simulateSamples,
  type Channel, type FaultSpec, type SimulatedSample, type SimulatorConfig,
} from '../../../agent/source/simulator.js';
import type { SensorMessage } from '../../../agent/types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const text = (m: SensorMessage) => `${m.topic} ${m.payload.toString()}`;

/** Samples of one machine, by tick. */
function series(config: SimulatorConfig, machineId: string): SimulatedSample[] {
  return [...simulateSamples(config)].filter((s) => s.machineId === machineId);
}
const col = (samples: SimulatedSample[], ch: Channel) => samples.map((s) => s.values[ch]);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function corr(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('simulate', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const config = { seed: 7, machines: 3, durationMs: 10 * MIN };
    const a = [...simulate(config)].map(text);
    const b = [...simulate(config)].map(text);
    const c = [...simulate({ ...config, seed: 8 })].map(text);
    expect(a).toEqual(b);
    expect(a).toHaveLength(600 * 3 * 5);
    expect(c).not.toEqual(a);
  });

  it('emits one {ts, value} message per channel per sample on plant/<machine>/<channel>, in event-time order', () => {
    const msgs = [...simulate({ seed: 1, machines: 2, durationMs: 3000 })];
    expect(msgs.slice(0, 5).map((m) => m.topic)).toEqual(CHANNELS.map((ch) => `plant/pump-01/${ch}`));
    expect(msgs[5].topic).toBe('plant/pump-02/vibration');
    const times = msgs.map((m) => (JSON.parse(m.payload.toString()) as { ts: number }).ts);
    expect(times[0]).toBe(DEFAULT_SIMULATION_START);
    expect(times.at(-1)).toBe(DEFAULT_SIMULATION_START + 2000);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
    const first = JSON.parse(msgs[0].payload.toString());
    expect(Object.keys(first).sort()).toEqual(['ts', 'value']);
    expect(typeof first.value).toBe('number');
    // Event time comes from the simulation clock; receivedAt defaults to it (no Date.now anywhere).
    expect(msgs[0].receivedAt).toBe(DEFAULT_SIMULATION_START);
  });

  it('emits one {ts, values} message per machine per sample with the per-machine layout, and takes receivedAt from a clock', () => {
    const clock = createManualClock(42);
    const msgs = [...simulate({ seed: 1, machines: ['a', 'b'], durationMs: 2000, layout: 'per-machine', topicPrefix: 'site9', start: 0, clock })];
    expect(msgs.map((m) => m.topic)).toEqual(['site9/a', 'site9/b', 'site9/a', 'site9/b']);
    const payload = JSON.parse(msgs[2].payload.toString());
    expect(payload.ts).toBe(1000);
    expect(Object.keys(payload.values)).toEqual([...CHANNELS]);
    expect(msgs.every((m) => m.receivedAt === 42)).toBe(true);
  });

  it('keeps healthy machines inside the documented bands, for several seeds, over two days', () => {
    for (const seed of [1, 2, 3]) {
      for (const s of simulateSamples({ seed, machines: 5, durationMs: 48 * HOUR, intervalMs: MIN })) {
        expect(s.faults).toEqual([]);
        for (const ch of CHANNELS) {
          const v = s.values[ch]!;
          const [lo, hi] = HEALTHY_BANDS[ch];
          if (v < lo || v > hi) throw new Error(`seed ${seed} ${s.machineId} ${ch}=${v} outside [${lo}, ${hi}] at ${s.time}`);
        }
      }
    }
  });

  it('correlates the channels through the load as the physics says, with a daily cycle', () => {
    const s = series({ seed: 11, machines: 1, durationMs: 48 * HOUR, intervalMs: MIN }, 'pump-01');
    const flow = col(s, 'flow') as number[];
    expect(corr(flow, col(s, 'pressure') as number[])).toBeGreaterThan(0.9);
    expect(corr(flow, col(s, 'current') as number[])).toBeGreaterThan(0.9);
    expect(corr(flow, col(s, 'vibration') as number[])).toBeGreaterThan(0.5);
    expect(corr(col(s, 'current') as number[], col(s, 'temperature') as number[])).toBeGreaterThan(0.5);
    // The load follows the day: flow a day apart matches better than flow half a day apart.
    const day = 24 * 60;
    expect(corr(flow.slice(0, day), flow.slice(day, 2 * day))).toBeGreaterThan(0.5);
    expect(corr(flow.slice(0, day), flow.slice(day / 2, day + day / 2))).toBeLessThan(0);
  });

  it('changes smoothly whatever the sample interval (the load process is stable at any step)', () => {
    for (const intervalMs of [1000, MIN, 30 * MIN]) {
      const flow = col(series({ seed: 4, machines: 1, durationMs: 400 * intervalMs, intervalMs }, 'pump-01'), 'flow') as number[];
      expect(corr(flow.slice(1), flow.slice(0, -1)), `interval ${intervalMs}`).toBeGreaterThan(0.6);
    }
  });
});

describe('simulate with faults', () => {
  const base = { seed: 5, machines: 2, durationMs: 18 * HOUR, intervalMs: MIN } as const;
  const onset = 6 * HOUR;
  const onsetIndex = onset / MIN;

  /** Runs the healthy plant and the same plant with one fault on pump-01; returns both series. */
  function twin(fault: Omit<FaultSpec, 'machineId' | 'onsetAfterMs'>) {
    const faulted = { ...base, faults: [{ machineId: 'pump-01', onsetAfterMs: onset, ...fault }] };
    const healthy = series(base, 'pump-01');
    const sick = series(faulted, 'pump-01');
    // Nothing changes before the onset, and the other machine never changes.
    expect(sick.slice(0, onsetIndex)).toEqual(healthy.slice(0, onsetIndex));
    expect(series(faulted, 'pump-02')).toEqual(series(base, 'pump-02'));
    expect(sick[onsetIndex - 1].faults).toEqual([]);
    expect(sick[onsetIndex].faults).toEqual([fault.kind]);
    return { healthy: healthy.slice(onsetIndex), sick: sick.slice(onsetIndex) };
  }
  const unchanged = (a: SimulatedSample[], b: SimulatedSample[], chs: Channel[]) => {
    for (const ch of chs) expect(col(b, ch), ch).toEqual(col(a, ch));
  };

  it('bearing wear: vibration rises gradually, temperature follows, hydraulics unchanged', () => {
    const { healthy, sick } = twin({ kind: 'bearing-wear', rampMs: 8 * HOUR });
    const diff = (ch: Channel, i: number) => sick[i].values[ch]! - healthy[i].values[ch]!;
    expect(diff('vibration', 30)).toBeLessThan(0.2); // 30 min in: barely visible
    expect(diff('vibration', 4 * 60)).toBeGreaterThan(0.8); // half way: clearly up
    expect(diff('vibration', 10 * 60)).toBeGreaterThan(4);
    expect(sick[10 * 60].values.vibration!).toBeGreaterThan(HEALTHY_BANDS.vibration[1]);
    expect(diff('temperature', 10 * 60)).toBeGreaterThan(12);
    unchanged(healthy, sick, ['pressure', 'flow']);
  });

  it('cavitation: pressure drops, flow turns noisy, vibration bursts', () => {
    const { healthy, sick } = twin({ kind: 'cavitation', rampMs: 10 * MIN });
    const late = (xs: SimulatedSample[]) => xs.slice(30);
    const ratio = (ch: Channel) => late(sick).map((s, i) => s.values[ch]! / late(healthy)[i].values[ch]!);
    expect(mean(ratio('pressure'))).toBeLessThan(0.7);
    const flowRatio = ratio('flow');
    const sd = Math.sqrt(mean(flowRatio.map((r) => (r - mean(flowRatio)) ** 2)));
    expect(sd).toBeGreaterThan(0.04);
    const bursts = late(sick).filter((s, i) => s.values.vibration! > late(healthy)[i].values.vibration! + 1.5);
    expect(bursts.length).toBeGreaterThan(20);
    unchanged(healthy, sick, ['current', 'temperature']);
  });

  it('overheating: temperature climbs with the thermal lag, nothing mechanical changes', () => {
    const { healthy, sick } = twin({ kind: 'overheating' });
    const diff = (i: number) => sick[i].values.temperature! - healthy[i].values.temperature!;
    expect(diff(1)).toBeLessThan(1);
    expect(diff(3 * 60)).toBeGreaterThan(25);
    expect(diff(3 * 60)).toBeGreaterThan(diff(30));
    unchanged(healthy, sick, ['vibration', 'pressure', 'flow']);
  });

  it('sensor stuck: the channel repeats its onset value, the others are untouched', () => {
    const { healthy, sick } = twin({ kind: 'sensor-stuck', channel: 'temperature' });
    expect(new Set(col(sick, 'temperature')).size).toBe(1);
    expect(sick[0].values.temperature).toBe(healthy[0].values.temperature);
    expect(new Set(col(healthy, 'temperature')).size).toBeGreaterThan(100);
    unchanged(healthy, sick, ['vibration', 'current', 'pressure', 'flow']);
  });

  it('sensor spike: some samples of the channel read several times the truth', () => {
    const { healthy, sick } = twin({ kind: 'sensor-spike', channel: 'vibration' });
    const spikes = sick.filter((s, i) => s.values.vibration! > 2.5 * healthy[i].values.vibration!);
    expect(spikes.length).toBeGreaterThan(10);
    expect(spikes.length).toBeLessThan(sick.length * 0.15);
    unchanged(healthy, sick, ['current', 'temperature', 'pressure', 'flow']);
  });

  it('sensor dropout: the channel stops arriving, as messages and as keys', () => {
    const { healthy, sick } = twin({ kind: 'sensor-dropout', channel: 'flow' });
    expect(sick.every((s) => !('flow' in s.values))).toBe(true);
    unchanged(healthy, sick, ['vibration', 'current', 'temperature', 'pressure']);
    const faults = [{ machineId: 'pump-01', kind: 'sensor-dropout', channel: 'flow', onsetAfterMs: 2000 }] as const;
    const msgs = [...simulate({ seed: 1, machines: 1, durationMs: 4000, faults })].map((m) => m.topic);
    expect(msgs.filter((t) => t.endsWith('/flow'))).toHaveLength(2);
    expect(msgs).toHaveLength(4 * 5 - 2);
    const perMachine = [...simulate({ seed: 1, machines: 1, durationMs: 4000, faults, layout: 'per-machine' })];
    expect(perMachine.map((m) => 'flow' in JSON.parse(m.payload.toString()).values)).toEqual([true, true, false, false]);
  });

  it('rejects a bad config with a message naming the field', () => {
    expect(() => [...simulate({ seed: 1, machines: 0 })]).toThrow(/machines must be a positive integer/);
    expect(() => [...simulate({ seed: 1, machines: ['a/b'] })]).toThrow(/topic-safe/);
    expect(() => [...simulate({ seed: 1, machines: 1, faults: [{ machineId: 'pump-09', kind: 'cavitation', onsetAfterMs: 0 }] })]).toThrow(/not one of pump-01/);
    expect(() => [...simulate({ seed: 1, machines: 1, faults: [{ machineId: 'pump-01', kind: 'rust' as never, onsetAfterMs: 0 }] })]).toThrow(/kind must be one of/);
  });
});

describe('runSimulator', () => {
  it('publishes each tick at start + k·interval/speed on the scheduler, with receivedAt from the clock', () => {
    const scheduler = new VirtualTimeScheduler();
    const clock = { now: () => 1_000_000 + scheduler.now() };
    const published: { at: number; message: SensorMessage }[] = [];
    const run = runSimulator(
      { seed: 3, machines: 2, durationMs: 5000, speed: 10, start: 0, clock },
      (message) => void published.push({ at: scheduler.now(), message }),
      scheduler,
    );
    scheduler.flush();
    expect(published).toHaveLength(5 * 2 * 5);
    expect([...new Set(published.map((p) => p.at))]).toEqual([0, 100, 200, 300, 400]);
    expect(published[10].message.receivedAt).toBe(1_000_100);
    // Same messages as the pure generator, apart from receivedAt.
    expect(published.map((p) => text(p.message))).toEqual([...simulate({ seed: 3, machines: 2, durationMs: 5000, start: 0 })].map(text));
    return run.done;
  });

  it('stops on close() before the next tick', async () => {
    const scheduler = new VirtualTimeScheduler();
    let count = 0;
    const run = runSimulator({ seed: 3, machines: 1, start: 0 }, () => void count++, scheduler);
    scheduler.schedule(() => run.close(), 2500);
    scheduler.flush();
    await run.done;
    expect(count).toBe(3 * 5); // ticks at 0, 1000, 2000
  });

  it('waits for an asynchronous publish before the next tick, and rejects done if publish fails', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const run = runSimulator({ seed: 3, machines: 1, durationMs: 3000, speed: Infinity }, async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      calls++;
    });
    await run.done;
    expect(calls).toBe(15);
    expect(maxInFlight).toBe(5); // one tick's messages at a time
    const failing = runSimulator({ seed: 3, machines: 1, durationMs: 3000, speed: Infinity }, () => {
      throw new Error('broker gone');
    });
    await expect(failing.done).rejects.toThrow('broker gone');
  });

  it('fromSimulator streams the same messages as an Observable', async () => {
    const got = await firstValueFrom(fromSimulator({ seed: 9, machines: 1, speed: Infinity, start: 0 }).pipe(take(12), toArray()));
    expect(got.map(text)).toEqual([...simulate({ seed: 9, machines: 1, start: 0, durationMs: 3000 })].slice(0, 12).map(text));
  });
});

describe('a fault with a duration', () => {
  it('acts from its onset until onset + duration, then the machine is its healthy twin again', () => {
    const base = { seed: 9, machines: ['m1'], intervalMs: 1000, durationMs: 40_000 } as const;
    const healthy = [...simulateSamples(base)];
    const faulty = [...simulateSamples({ ...base, faults: [{ machineId: 'm1', kind: 'sensor-stuck', channel: 'pressure', onsetAfterMs: 10_000, durationMs: 15_000 }] })];
    for (let i = 0; i < healthy.length; i++) {
      const during = i >= 10 && i < 25;
      expect(faulty[i].faults, `sample ${i}`).toEqual(during ? ['sensor-stuck'] : []);
      if (!during) expect(faulty[i].values, `sample ${i}`).toEqual(healthy[i].values);
      else expect(faulty[i].values.pressure).toBe(faulty[10].values.pressure);
    }
  });
});
