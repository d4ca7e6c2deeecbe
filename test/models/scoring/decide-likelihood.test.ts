// The decider judging the anomaly likelihood (policy.likelihood): one configuration raises on a step
// change in machines whose scores live on scales 100× apart, where thresholds calibrated on one
// machine false-alarm on one and stay silent on the other; a restart mid-stream changes nothing;
// a damaged likelihood state is refused naming the field; the policy is validated naming the field;
// off (absent or null), the decider is exactly what it was.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import { createCalibration } from '../../../models/scoring/calibration.js';
import { type Decider, type DeciderOptions, type DeciderState, type Decision, createDecider } from '../../../models/scoring/decide.js';
import { checkDecisionPolicy } from '../../../models/scoring/decision-policy.js';
import { FIXED, T0, events, regimeStream, run, trace, win } from './decide-helpers.js';

const STEP_AT = 1500;

/** Scores of a healthy machine on `scale` (|1 + 0.3·N(0, 1)|), three times higher from STEP_AT on. */
function machine(seed: number, scale: number, length = 2500): number[] {
  const rng = createRng(seed);
  return Array.from({ length }, (_, i) => scale * Math.abs(1 + 0.3 * rng.normal()) * (i >= STEP_AT ? 3 : 1));
}

const raises = (ds: readonly Decision[]): number[] => events(ds).filter((e) => e.state === 'raised').map((e) => (e.time - T0) / 1000);

function likelihoodDecider(options: Partial<DeciderOptions> = {}): Decider {
  return createDecider({ machineId: 'pump-7', likelihood: {}, calibration: null, ...options });
}

describe('decider on the anomaly likelihood', () => {
  const scales = [1, 100, 0.01];
  const streams = scales.map((scale, i) => machine(11 + i, scale));

  it('one configuration raises on the step in machines 100× apart, and nowhere before it', () => {
    for (const [i, xs] of streams.entries()) {
      const ds = run(likelihoodDecider(), xs);
      const r = raises(ds);
      expect(r.length, `scale ${scales[i]}`).toBeGreaterThan(0);
      expect(r[0], `scale ${scales[i]}: first raise`).toBeGreaterThanOrEqual(STEP_AT);
      expect(r[0], `scale ${scales[i]}: first raise`).toBeLessThan(STEP_AT + 10);
      const raised = events(ds).find((e) => e.state === 'raised')!;
      expect(raised.score).toBe(xs[r[0]]); // the event carries the raw score …
      expect(raised.likelihoodScore).toBeGreaterThan(raised.threshold); // … and the judged likelihood
      expect(raised.threshold).toBe(raised.severity === 'critical' ? 0.5 : 0.4);
      expect(raised.topChannels.length).toBeGreaterThan(0);
      // The likelihood's 200 learning windows are 'learning' and never alert.
      expect(ds.slice(0, 200).every((d) => d.window === 'learning' && d.event === null)).toBe(true);
      expect(ds[200].window).not.toBe('learning');
    }
  });

  it('thresholds calibrated on one machine fail on the others: a false alarm at once ×100, silence ÷100', () => {
    const cal = createCalibration(machine(11, 1, 1000), new Float64Array(0), 0);
    const [own, up, down] = streams.map((xs) => raises(run(createDecider({ machineId: 'pump-7', calibration: cal }), xs)));
    expect(own[0]).toBeGreaterThanOrEqual(STEP_AT);
    expect(own[0]).toBeLessThan(STEP_AT + 10);
    expect(up[0]).toBeLessThan(100); // raised right after warm-up, long before the step
    expect(down).toEqual([]);
  });

  it('with a calibration the unit is its warning level; fixed thresholds work the same', () => {
    const cal = createCalibration(machine(11, 1, 1000), new Float64Array(0), 0);
    const withCal = raises(run(likelihoodDecider({ calibration: cal }), streams[0]));
    expect(withCal[0]).toBeGreaterThanOrEqual(STEP_AT);
    expect(withCal[0]).toBeLessThan(STEP_AT + 10);
    // Fixed warning 500 on a machine scoring about 100: raw about 0.2 (at 100 it would sit at the clip, 1).
    const d = likelihoodDecider({ thresholds: { warning: { kind: 'fixed', value: 500 }, critical: { kind: 'fixed', value: 1000 } } });
    expect(raises(run(d, streams[1]))[0]).toBeGreaterThanOrEqual(STEP_AT);
    expect(d.thresholds).toEqual({ warning: 0.4, critical: 0.5, clear: 0.4 * 0.8, clearCritical: 0.5 * 0.8 });
  });

  it('thresholds are null and the phase is learning while the likelihood learns', () => {
    const d = likelihoodDecider({ likelihood: { learningWindows: 5, estimationWindows: 5 }, warmupWindows: 0 });
    run(d, streams[0].slice(0, 9));
    expect(d.phase).toBe('learning');
    expect(d.thresholds).toBeNull();
    expect(d.state().thresholds).toBeNull();
    expect(d.step(win(9, 1)).window).toBe('learning');
    expect(d.phase).toBe('watching');
    expect(d.thresholds).not.toBeNull();
  });
});

describe('decider on the likelihood: state', () => {
  /** Healthy scores on `scale` with a ×3 burst of 60 windows every 700, and a NaN every 97th window. */
  function bursts(seed: number, scale: number): number[] {
    const rng = createRng(seed);
    return Array.from({ length: 5000 }, (_, i) => (i % 97 === 96 ? NaN : scale * Math.abs(1 + 0.3 * rng.normal()) * (i % 700 >= 640 ? 3 : 1)));
  }

  function runRestarting(make: () => Decider, values: readonly number[], every: number): Decision[] {
    let d = make();
    return values.map((v, i) => {
      if (i > 0 && i % every === 0) {
        const saved = JSON.parse(JSON.stringify(d.state()));
        d = make();
        d.load(saved);
      }
      return d.step(win(i, v));
    });
  }

  for (const [name, scale, options] of [
    ['running scale', 1, { cooldownMs: 30_000, updateIntervalMs: 20_000 }],
    ['calibration scale, small history', 0.3, { calibration: { windows: 1000, mean: 0.3, std: 0.2, quantiles: { '0.999': 1 }, perChannelMean: [], perChannelStd: [] }, likelihood: { historicWindow: 300, reestimationPeriod: 37 }, cooldownMs: 30_000 }],
  ] as const) {
    it(`restarting every 173 windows gives exactly the uninterrupted decisions (${name})`, () => {
      const make = (): Decider => likelihoodDecider(options as Partial<DeciderOptions>);
      const values = bursts(5, scale);
      const straight = run(make(), values);
      expect(raises(straight).length).toBeGreaterThan(3);
      expect(straight.some((d) => d.window === 'invalid')).toBe(true);
      expect(runRestarting(make, values, 173)).toEqual(straight);
    });
  }

  it('the state is bounded: historicWindow raw scores per machine', () => {
    const d = likelihoodDecider({ likelihood: { historicWindow: 300 } });
    run(d, bursts(6, 1));
    const s = d.state();
    expect(s.likelihood!.estimator.scores.length).toBe(300);
    expect(JSON.stringify(s).length).toBeLessThan(300 * 25 + 2000);
  });

  it('an episode open at the restart stays open under the same id and clears on the likelihood', () => {
    const make = (): Decider => likelihoodDecider({ cooldownMs: 0 });
    const xs = machine(11, 1);
    const first = make();
    const before = run(first, xs.slice(0, STEP_AT + 12));
    expect(first.phase).toBe('active');
    const saved = JSON.parse(JSON.stringify(first.state()));
    expect(saved.thresholds).toEqual(first.thresholds); // the likelihood levels that judge it
    const second = make();
    second.load(saved);
    expect(second.phase).toBe('active');
    const after = run(second, xs.slice(STEP_AT + 12), STEP_AT + 12);
    const id = events(before).at(-1)!.id;
    expect(events(after).filter((e) => e.id === id).map((e) => e.state)).toContain('cleared');
  });

  it('refuses a damaged likelihood state, naming the field', () => {
    const d = likelihoodDecider();
    run(d, machine(11, 1, 400));
    const good = JSON.parse(JSON.stringify(d.state()));
    const damage = (f: (s: any) => void): DeciderState => {
      const s = JSON.parse(JSON.stringify(good));
      f(s);
      return s;
    };
    expect(() => likelihoodDecider().load(good)).not.toThrow();
    expect(() => likelihoodDecider().load(damage((s) => { s.likelihood.estimator.scores[3] = 'x'; }))).toThrow(/machine 'pump-7': likelihood\.estimator\.scores must be 400 finite numbers.*delete it/);
    expect(() => likelihoodDecider().load(damage((s) => { s.likelihood.estimator.prevTail = null; }))).toThrow(/likelihood\.estimator\.prevTail must be/);
    expect(() => likelihoodDecider().load(damage((s) => { s.likelihood.settings = {}; }))).toThrow(/likelihood\.settings must be/);
    expect(() => likelihoodDecider().load(damage((s) => { s.likelihood.median.heights = []; }))).toThrow(/likelihood\.median is not a P² estimator state/);
    expect(() => likelihoodDecider().load(damage((s) => { s.likelihood = 7; }))).toThrow(/likelihood must be an object/);
  });

  it('a state saved under other likelihood settings, or without the likelihood, learns the likelihood anew', () => {
    const d = likelihoodDecider();
    run(d, machine(11, 1, 400));
    const other = likelihoodDecider({ likelihood: { averagingWindow: 15 } });
    other.load(JSON.parse(JSON.stringify(d.state())));
    expect(other.phase).toBe('learning');
    expect(other.state().likelihood!.estimator.iteration).toBe(0);
    const plain = createDecider({ machineId: 'pump-7', calibration: null });
    run(plain, machine(11, 1, 400));
    const now = likelihoodDecider();
    now.load(JSON.parse(JSON.stringify(plain.state())));
    expect(now.state().likelihood!.estimator.iteration).toBe(0);
  });
});

describe('decision.likelihood: validation and default off', () => {
  it('refuses bad values, naming the field and what it must be', () => {
    const bad: [unknown, RegExp][] = [
      [{ historicWindow: 0 }, /likelihood\.historicWindow must be an integer from 1 to 100000, got 0/],
      [{ historicWindow: 1e6 }, /likelihood\.historicWindow must be an integer from 1 to 100000/],
      [{ averagingWindow: 2.5 }, /likelihood\.averagingWindow must be an integer from 1 up, got 2\.5/],
      [{ learningWindows: -1 }, /likelihood\.learningWindows must be an integer from 0 up/],
      [{ estimationWindows: 0 }, /likelihood\.estimationWindows must be an integer from 1 up/],
      [{ reestimationPeriod: 'often' }, /likelihood\.reestimationPeriod must be an integer from 1 up, got "often"/],
      [{ historicWindow: 50, estimationWindows: 100 }, /likelihood\.estimationWindows \(100\) cannot exceed likelihood\.historicWindow \(50\)/],
      [{ redFilter: 'yes' }, /likelihood\.redFilter must be true or false/],
      [{ warning: 1 }, /likelihood\.warning must be a log-likelihood score in \(0, 1\)/],
      [{ critical: 0 }, /likelihood\.critical must be a log-likelihood score in \(0, 1\)/],
      [{ warning: 0.6, critical: 0.5 }, /likelihood\.critical \(0\.5\) must be at least likelihood\.warning \(0\.6\)/],
      [{ redFilter: true }, /likelihood\.redFilter lowers .* set raise\.k to 1/],
      [{ historicWindowSize: 100 }, /likelihood\.historicWindowSize is not a setting; the settings are averagingWindow, historicWindow/],
      [true, /likelihood must be an object like .* or null \(off\), got true/],
    ];
    for (const [likelihood, msg] of bad) {
      expect(() => checkDecisionPolicy({ likelihood: likelihood as never }), JSON.stringify(likelihood)).toThrow(msg);
      expect(() => createDecider({ machineId: 'm', calibration: null, likelihood: likelihood as never })).toThrow(msg);
    }
    expect(() => checkDecisionPolicy({ likelihood: { redFilter: true }, raise: { k: 1, n: 1 } })).not.toThrow();
    expect(checkDecisionPolicy({ likelihood: { warning: 0.5 } }).likelihood).toEqual({
      averagingWindow: 10, historicWindow: 2000, learningWindows: 100, estimationWindows: 100, reestimationPeriod: 100, redFilter: false, warning: 0.5, critical: 0.5,
    });
  });

  it('absent or null, decisions and states are exactly those of a decider without the key', () => {
    const values = regimeStream(9, 3000);
    for (const likelihood of [undefined, null]) {
      const base = createDecider({ machineId: 'pump-7', warmupWindows: 0, thresholds: FIXED });
      const off = createDecider({ machineId: 'pump-7', warmupWindows: 0, thresholds: FIXED, likelihood });
      const a = run(base, values);
      const b = run(off, values);
      expect(b).toStrictEqual(a);
      expect(trace(a).length).toBeGreaterThan(10);
      expect(JSON.stringify(off.state())).toBe(JSON.stringify(base.state()));
      expect('likelihood' in off.state()).toBe(false);
      expect(events(b).some((e) => 'likelihoodScore' in e)).toBe(false);
    }
  });
});
