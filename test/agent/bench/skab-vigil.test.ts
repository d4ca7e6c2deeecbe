// Vigil's SKAB configuration (skab-config.ts VIGIL) on a synthetic rig whose answer is known: two
// slow thermal channels keep drifting through the test part far beyond their training range (normal
// on SKAB's rig), and a sustained step in two fast channels is the fault. The shipped configuration
// stays quiet through the drift, flags the step within seconds and closes the episode after it;
// the same configuration without differencing reads the drift as a fault, and without smoothing
// and the decider it flickers through the fault. Also: 'vigil' has no SKAB-spec profile.

import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import { skabConfig, VIGIL, type SkabConfig } from '../../../agent/bench/skab-config.js';
import { runSkabFile, type SkabInput } from '../../../agent/bench/skab-protocol.js';

const C = 8;
const TRAIN = 400;
const TEST = 600;
const FAULT = { from: 250, to: 400 }; // test rows [from, to)

/** Channels 0–3 and 6–7: noise around a level, 0 and 2 sharing a common factor; 4–5: random walks. */
function rig(): SkabInput {
  const rng = createRng(11);
  const rows = TRAIN + TEST;
  const x = new Float32Array(rows * C);
  let temp = 60;
  let thermo = 30;
  for (let t = 0; t < rows; t++) {
    const common = rng.normal();
    temp += 0.05 + 0.1 * rng.normal(); // warms up steadily, as the rig does
    thermo += 0.04 + 0.1 * rng.normal();
    const test = t - TRAIN;
    const fault = test >= FAULT.from && test < FAULT.to ? 1 : 0;
    const row = [
      1 + 0.1 * common + 0.03 * rng.normal() + fault * 0.4,
      0.5 + 0.05 * rng.normal(),
      2 + 0.2 * common + 0.05 * rng.normal() + fault * 0.8,
      0.3 + 0.02 * rng.normal(),
      temp,
      thermo,
      230 + 2 * rng.normal(),
      30 + rng.normal(),
    ];
    x.set(row, t * C);
  }
  const time = Float64Array.from({ length: TEST }, (_, i) => (TRAIN + i) * 1000);
  return {
    name: 'synthetic/0',
    channels: ['a1', 'a2', 'current', 'pressure', 'temperature', 'thermocouple', 'voltage', 'flow'],
    train: { rows: TRAIN, features: x.slice(0, TRAIN * C) },
    test: { rows: TEST, features: x.slice(TRAIN * C), time },
  };
}

function flaggedShare(predicted: readonly (0 | 1 | null)[], from: number, to: number): number {
  let n = 0;
  for (let t = from; t < to; t++) n += predicted[t] === 1 ? 1 : 0;
  return n / (to - from);
}

/** Number of rising edges of the mask (each is a predicted changepoint, and so is each falling one). */
function episodes(predicted: readonly (0 | 1 | null)[]): number {
  let n = 0;
  for (let t = 0; t < predicted.length; t++) if (predicted[t] === 1 && predicted[t - 1] !== 1) n++;
  return n;
}

describe("Vigil's SKAB configuration", () => {
  const input = rig();

  it('stays quiet through the thermal drift, flags the sustained step within seconds and clears after it', async () => {
    const run = await runSkabFile(input, VIGIL, 'frozen', { seed: 0 });
    expect(run.differenced).toEqual(['temperature', 'thermocouple']);
    expect(flaggedShare(run.predicted, 0, FAULT.from)).toBe(0);
    expect(flaggedShare(run.predicted, FAULT.from + 15, FAULT.to)).toBe(1);
    expect(flaggedShare(run.predicted, FAULT.to + 30, TEST)).toBe(0);
    expect(episodes(run.predicted)).toBe(1);
  });

  it('reads the drift as a fault without differencing (why differenceSlowAbove is there)', async () => {
    const levels: SkabConfig = { ...VIGIL, differenceSlowAbove: null };
    const run = await runSkabFile(input, levels, 'frozen', { seed: 0 });
    // The further the levels drift from their training range, the surer the alarm.
    expect(flaggedShare(run.predicted, 0, FAULT.from)).toBeGreaterThan(0.2);
    expect(flaggedShare(run.predicted, FAULT.from - 50, FAULT.from)).toBe(1);
  });

  it('flickers through the fault without smoothing and the decider (why both are there)', async () => {
    const raw = await runSkabFile(input, { ...VIGIL, smoothing: 1, decision: 'threshold' }, 'frozen', { seed: 0 });
    expect(episodes(raw.predicted)).toBeGreaterThan(10);
    expect(flaggedShare(raw.predicted, FAULT.from, FAULT.to)).toBeLessThan(0.5);
  });

  it('streams the same file through the live decider with online learning to the same verdicts on the fault', async () => {
    const run = await runSkabFile(input, VIGIL, 'streaming', { seed: 0 });
    expect(flaggedShare(run.predicted, 0, FAULT.from)).toBe(0);
    expect(flaggedShare(run.predicted, FAULT.from + 15, FAULT.to)).toBe(1);
    expect(run.members[0].learner!.steps).toBeGreaterThan(0);
  });

  it("has no SKAB-spec profile: 'vigil' is Vigil's own configuration", () => {
    expect(skabConfig('vigil', 'vigil')).toBe(VIGIL);
    expect(() => skabConfig('vigil', 'skab')).toThrow(/--profile vigil/);
  });
});
