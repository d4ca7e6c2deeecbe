// The real NAB corpus (../shared/datasets/nab, numenta/NAB ea702d7): the constants of benchmarks.md
// §1.1–1.2, window lookup on the files with duplicate and non-monotonic timestamps, and the
// reference detectors: null (0), perfect (100) and random (within the published spread).

import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type NabDataFile, readNabData, readNabProfiles, readNabThresholds, readNabWindows } from '../../../../agent/eval/nab-files.js';
import { createRng } from '../../../../engine/rng.js';
import {
  NAB_PROFILES, type NabFileInput, type NabWindows, OUTSIDE, PROBATIONARY, locateRows, probationaryLength, scoreCorpus,
} from '../../../../models/eval/nab/index.js';

const NAB = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'datasets', 'nab');
const TOL = 1e-9;

let data: NabDataFile[];
let windows: NabWindows;
beforeAll(async () => {
  data = await readNabData(join(NAB, 'data'));
  windows = await readNabWindows(join(NAB, 'labels', 'combined_windows.json'));
});

const withScores = (score: (f: NabDataFile) => Float64Array): NabFileInput[] => data.map((f) => ({ ...f, scores: score(f) }));
/** A window boundary's row, found by the raw strings (`….000000` dropped), independently of the scorer. */
const rowOf = (f: NabDataFile, boundary: string): number => f.timestamps.indexOf(boundary.replace(/\.0+$/, ''));

describe('the NAB corpus (benchmarks.md §1.1)', () => {
  it('58 files, 365,558 rows, 116 windows; 32,716 probationary and 332,842 scored rows', () => {
    expect(data.length).toBe(58);
    expect(data.reduce((s, f) => s + f.timestamps.length, 0)).toBe(365_558);
    expect(Object.keys(windows).sort()).toEqual(data.map((f) => f.relPath));
    expect(Object.values(windows).reduce((s, w) => s + w.length, 0)).toBe(116);
    expect(data.reduce((s, f) => s + Math.ceil(probationaryLength(f.timestamps.length)), 0)).toBe(32_716);
    const tags = data.map((f) => locateRows(f.timestamps, windows[f.relPath], f.relPath).tags);
    expect(tags.reduce((s, t) => s + t.filter((x) => x === PROBATIONARY).length, 0)).toBe(32_716);
    expect(tags.reduce((s, t) => s + t.filter((x) => x !== PROBATIONARY).length, 0)).toBe(332_842);
  });

  it('six files have no windows: the five artificialNoAnomaly files and ec2_cpu_utilization_c6585a', () => {
    const none = data.filter((f) => windows[f.relPath].length === 0).map((f) => f.relPath);
    expect(none).toEqual([
      'artificialNoAnomaly/art_daily_no_noise.csv', 'artificialNoAnomaly/art_daily_perfect_square_wave.csv', 'artificialNoAnomaly/art_daily_small_noise.csv',
      'artificialNoAnomaly/art_flatline.csv', 'artificialNoAnomaly/art_noisy.csv', 'realAWSCloudwatch/ec2_cpu_utilization_c6585a.csv',
    ]);
  });

  it('config/profiles.json is NAB_PROFILES', async () => {
    expect(await readNabProfiles(join(NAB, 'config', 'profiles.json'))).toEqual(NAB_PROFILES);
  });

  it('8 files repeat timestamps and machine_temperature steps back at row 10149; windows are still found row by row', () => {
    const repeating = data.filter((f) => new Set(f.timestamps).size < f.timestamps.length).map((f) => f.relPath);
    expect(repeating.length).toBe(8);
    const machine = data.find((f) => f.relPath === 'realKnownCause/machine_temperature_system_failure.csv')!;
    const steps = machine.timestamps.flatMap((t, i) => (i > 0 && t < machine.timestamps[i - 1] ? [i] : []));
    expect(steps).toEqual([10149]);
    // Every window of every file: exactly the rows from its start's row to its end's row, by raw strings.
    for (const f of data) {
      const { tags, window } = locateRows(f.timestamps, windows[f.relPath], f.relPath);
      const expected = new Int32Array(f.timestamps.length).fill(OUTSIDE);
      windows[f.relPath].forEach(([start, end], k) => expected.fill(k, rowOf(f, start), rowOf(f, end) + 1));
      expect(window, f.relPath).toEqual(expected);
      expect(tags.every((t, i) => t === PROBATIONARY || t === expected[i]), f.relPath).toBe(true);
    }
    const widths = windows[machine.relPath].map(([s, e]) => rowOf(machine, e) - rowOf(machine, s) + 1);
    expect(widths).toEqual([567, 567, 567, 567]);
    expect(rowOf(machine, windows[machine.relPath][2][0])).toBe(16057); // after the step back
  });
});

describe('reference detectors on the corpus (benchmarks.md §1.5)', () => {
  it('null (a constant 0.5, as NAB\'s): −116 / −116 / −232 raw, 0 normalised, optimised or at thresholds.json\'s', async () => {
    const files = withScores((f) => new Float64Array(f.timestamps.length).fill(0.5));
    const fixed = await readNabThresholds(join(NAB, 'config', 'thresholds.json'), 'null', NAB_PROFILES);
    for (const r of [scoreCorpus({ files, windows }), scoreCorpus({ files, windows, thresholds: fixed })]) {
      expect(r.profiles.standard.raw).toBe(-116);
      expect(r.profiles.reward_low_FP_rate.raw).toBe(-116);
      expect(r.profiles.reward_low_FN_rate.raw).toBe(-232);
      for (const p of Object.values(r.profiles)) {
        expect(p.normalized).toBe(0);
        expect(p.perfect).toBe(116);
        expect([p.tp, p.fp, p.total]).toEqual([0, 0, 332_842]);
        expect(p.perFile.length).toBe(58);
      }
    }
    expect(scoreCorpus({ files, windows }).profiles.standard.threshold).toBe(1.1);
  });

  it('perfect (1 at the first row of every window, 0 elsewhere): 116 raw, 100 normalised', () => {
    const files = withScores((f) => {
      const s = new Float64Array(f.timestamps.length);
      for (const [start] of windows[f.relPath]) s[rowOf(f, start)] = 1;
      return s;
    });
    const r = scoreCorpus({ files, windows });
    for (const p of Object.values(r.profiles)) {
      expect(p.threshold).toBe(1);
      expect(Math.abs(p.raw - 116)).toBeLessThan(TOL);
      expect(Math.abs(p.normalized - 100)).toBeLessThan(TOL);
      expect([p.tp, p.fp]).toEqual([116, 0]);
    }
  });

  it('random (uniform scores, reseeded for every file as NAB\'s is): the mean over seeds is in the published 7.95–16.83', () => {
    const standard: number[] = [];
    for (let seed = 1; seed <= 6; seed++) {
      const files = withScores((f) => {
        const rng = createRng(seed);
        return Float64Array.from(f.timestamps, () => rng.next());
      });
      const r = scoreCorpus({ files, windows, profiles: { standard: NAB_PROFILES.standard } });
      const p = r.profiles.standard;
      expect(p.normalized).toBeGreaterThanOrEqual(0); // 1.1 is always a candidate
      expect(Math.abs(p.optimizerScore! - p.raw)).toBeLessThan(TOL); // the pooled sweep and the per-file Totals agree
      expect(p.threshold).toBeGreaterThan(0.99); // only the rarest scores pay for their false positives
      standard.push(p.normalized);
    }
    const mean = standard.reduce((a, b) => a + b, 0) / standard.length;
    expect(mean).toBeGreaterThan(7.95);
    expect(mean).toBeLessThan(16.83);
  });
});
