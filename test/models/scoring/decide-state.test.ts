// Save and restore: a decider restarted from its JSON state decides exactly as one that never
// stopped, seq keeps increasing, an open episode stays open under the same id, and a damaged
// state is refused with a message saying what to do.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import type { Calibration } from '../../../models/detector.js';
import { type Decider, type DeciderOptions, type Decision, createDecider } from '../../../models/scoring/decide.js';
import { FIXED, decider, events, regimeStream, repeat, run, trace, win } from './decide-helpers.js';

/** Runs values through a decider that is saved to JSON and rebuilt every `every` windows. */
function runRestarting(make: () => Decider, values: readonly number[], every: number): Decision[] {
  let d = make();
  const out: Decision[] = [];
  values.forEach((v, i) => {
    if (i > 0 && i % every === 0) {
      const saved = JSON.parse(JSON.stringify(d.state()));
      d = make();
      d.load(saved);
    }
    out.push(d.step(win(i, v)));
  });
  return out;
}

const cal: Calibration = { windows: 1000, mean: 0.3, std: 0.2, quantiles: { '0.999': 1 }, perChannelMean: [], perChannelStd: [] };

describe('state() / load()', () => {
  it('the state is plain JSON', () => {
    const d = decider();
    run(d, [...repeat(1.5, 4), 2.5, 2.5, 2.5]);
    const s = d.state();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.episode).toMatchObject({ severity: 'critical' });
    expect(s.seq).toBe(2);
  });

  it('restarting every few windows changes nothing: same events, same ids, seq 1, 2, 3 … across restarts', () => {
    const values = regimeStream(9, 6000);
    const opts: Partial<DeciderOptions> = { cooldownMs: 30_000, updateIntervalMs: 20_000, warmupWindows: 5 };
    const straight = run(decider(opts), values);
    for (const every of [1, 7, 250]) {
      const restarted = runRestarting(() => decider(opts), values, every);
      expect(restarted).toEqual(straight);
    }
    const seqs = events(straight).map((e) => e.seq);
    expect(seqs.length).toBeGreaterThan(30);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('an episode open before a restart stays open with the same id and clears under it', () => {
    const d = decider();
    const [raised] = events(run(d, repeat(1.5, 3)));
    const next = decider();
    next.load(JSON.parse(JSON.stringify(d.state())));
    expect(next.phase).toBe('active');
    const [cleared] = events(run(next, repeat(0.1, 5), 3));
    expect(cleared).toMatchObject({ id: raised.id, state: 'cleared', startedAt: raised.startedAt, seq: 2 });
  });

  it('online learning in progress resumes and learns the same thresholds as an uninterrupted run', () => {
    const rng = createRng(1);
    const values = Array.from({ length: 3000 }, () => rng.normal() ** 2);
    const make = (): Decider => createDecider({ machineId: 'pump-7' });
    const straight = make();
    run(straight, values);
    const restarted = runRestarting(make, values, 333);
    expect(restarted).toEqual(run(make(), values));
    const d = make();
    run(d, values.slice(0, 1500));
    const saved = JSON.parse(JSON.stringify(d.state()));
    expect(saved.learning.windows).toBe(1500);
    const resumed = make();
    resumed.load(saved);
    run(resumed, values.slice(1500), 1500);
    expect(resumed.thresholds).toEqual(straight.thresholds);
    expect(resumed.phase).toBe('watching');
  });

  it("a model calibration given to the new decider wins over the saved one", () => {
    const learner = createDecider({ machineId: 'pump-7', calibrationWindows: 20, warmupWindows: 0 });
    run(learner, repeat(0.5, 20));
    expect(learner.state().source).toBe('online');
    const calibrated = createDecider({ machineId: 'pump-7', calibration: cal });
    calibrated.load(learner.state());
    expect(calibrated.thresholds!.warning).toBeCloseTo(1.5, 12);
    const relearner = createDecider({ machineId: 'pump-7', calibrationWindows: 20 });
    relearner.load(learner.state());
    expect(relearner.thresholds).toEqual(learner.thresholds);
  });

  it('saved model thresholds judge an open episode when the restarted decider has no calibration, then it relearns', () => {
    const d = createDecider({ machineId: 'pump-7', warmupWindows: 0, calibration: cal });
    run(d, repeat(2, 3));
    const next = createDecider({ machineId: 'pump-7', warmupWindows: 0, calibrationWindows: 10 });
    next.load(d.state());
    expect(next.phase).toBe('active');
    expect(trace(run(next, repeat(0.1, 5), 3))).toEqual(['7:cleared/warning']);
    expect(next.phase).toBe('learning');
    expect(next.state().seq).toBe(2);
  });

  it('fixed thresholds from the options apply after load', () => {
    const d = decider();
    run(d, [1.5]);
    const other = createDecider({ machineId: 'pump-7', thresholds: { ...FIXED, warning: { kind: 'fixed', value: 1.2 } } });
    other.load(d.state());
    expect(other.thresholds!.warning).toBe(1.2);
  });

  it('refuses a damaged state or another machine\'s, saying what to do', () => {
    const good = decider().state();
    expect(() => decider().load({ ...good, seq: -1 })).toThrow(/machine 'pump-7': seq must be an integer >= 0.*delete it to start fresh/);
    expect(() => decider().load({ ...good, levels: [0, 3] })).toThrow(/levels must be an array of 0, 1, 2/);
    expect(() => decider().load({ ...good, format: 2 } as never)).toThrow(/format must be 1/);
    expect(() => decider().load({ ...good, machineId: 'pump-8' })).toThrow(/state is for machine 'pump-8', not 'pump-7'/);
    expect(() => decider().load({ ...good, thresholds: null, episode: { id: 'x', startedAt: 1, lastEventAt: 1, severity: 'warning' } }))
      .toThrow(/thresholds must be present while an episode is open/);
  });
});
