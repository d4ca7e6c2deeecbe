// toStreamScores against window scoring: the first score of a machine (and the first after a gap)
// is exactly the first window's score; later ones are the stream's one-step forecast errors;
// windows kept for learning match toWindows'; machines that cannot be scored are counted.
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { checkStreamable, createStreamScoreCounters, toStreamScores, type ToStreamScoresOptions } from '../../../agent/stages/to-stream-scores.js';
import { toWindows } from '../../../agent/stages/to-windows.js';
import type { Sample, Score, Window } from '../../../agent/types.js';
import { createDetector } from '../../../models/create-detector.js';
import type { GraphDetector } from '../../../models/graph-detector.js';
import { createForecastStream } from '../../../models/streaming-forecaster.js';
import { sineSeries } from '../../models/contract/signals.js';

const channels = ['a', 'b', 'c'];
const C = 3;
const LOOKBACK = 8;
const W = LOOKBACK + 1;

async function forecaster(): Promise<GraphDetector> {
  const det = createDetector('lstm-forecaster', { channels, lookback: LOOKBACK, hidden: 6, layers: 2, seed: 3 });
  await det.fit([sineSeries(C, 120, 2)], { epochs: 1, stride: 3 });
  return det;
}

function samplesOf(machineId: string, data: Float32Array, length: number, t0 = 0, period = 1000): Sample[] {
  return Array.from({ length }, (_, i) => ({ machineId, time: t0 + i * period, values: data.slice(i * C, (i + 1) * C), receivedAt: i }));
}

const run = (samples: Sample[], options: ToStreamScoresOptions): Promise<Score[]> => lastValueFrom(from(samples).pipe(toStreamScores(options), toArray()));

describe('toStreamScores', () => {
  it('scores first at the windowSize-th sample with the first window\'s score, then one step per sample', async () => {
    const det = await forecaster();
    const series = sineSeries(C, 40, 7);
    const counters = createStreamScoreCounters();
    const scores = await run(samplesOf('m1', series.data, 40), { detectorFor: () => det, counters });
    expect(scores).toHaveLength(40 - W + 1);
    expect(counters).toMatchObject({ scored: 40 - W + 1, warming: W - 1, gaps: 0, unscored: 0, failed: 0 });
    expect(scores[0].time).toBe((W - 1) * 1000);
    const first = det.score(series.data.slice(0, W * C), 1);
    expect(scores[0].value).toBeCloseTo(first.total[0], 5);
    expect(Object.values(scores[0].perChannel).map((v) => Number(v.toFixed(5)))).toEqual(Array.from(first.perChannel, (v) => Number(v.toFixed(5))));
    expect(Object.keys(scores[0].perChannel)).toEqual(channels);
    expect(scores[0].model).toEqual({ name: det.meta.name, version: det.meta.version });
    expect(scores[0].window).toBeUndefined();
    // Later scores carry the state on: the same as stepping a stream by hand.
    const stream = createForecastStream(det);
    const byHand: number[] = [];
    for (let t = 0; t < 40; t++) {
      const e = stream.step(series.data.subarray(t * C, (t + 1) * C));
      if (t >= W - 1) byHand.push(Math.fround((e![0] + e![1] + e![2]) / 3));
    }
    expect(scores.map((s) => s.value)).toEqual(byHand);
  });

  it('keeps machines apart and restarts a machine after a gap, as a fresh first window', async () => {
    const det = await forecaster();
    const a = sineSeries(C, 30, 1);
    const b = sineSeries(C, 30, 5);
    const before = samplesOf('m1', a.data, 12);
    const after = samplesOf('m1', a.data.subarray(12 * C), 18, 11_000 + 60_000);
    const other = samplesOf('m2', b.data, 12);
    const interleaved = before.flatMap((s, i) => [s, other[i]]).concat(after);
    const counters = createStreamScoreCounters();
    const scores = await run(interleaved, { detectorFor: () => det, maxGapMs: 10_000, counters });
    expect(counters.gaps).toBe(1);
    const m1 = scores.filter((s) => s.machineId === 'm1');
    expect(m1).toHaveLength(12 - W + 1 + 18 - W + 1);
    const firstAfterGap = m1[12 - W + 1];
    expect(firstAfterGap.time).toBe(after[W - 1].time);
    expect(firstAfterGap.value).toBeCloseTo(det.score(a.data.slice(12 * C, (12 + W) * C), 1).total[0], 5);
    const m2 = scores.filter((s) => s.machineId === 'm2');
    expect(m2[0].value).toBeCloseTo(det.score(b.data.slice(0, W * C), 1).total[0], 5);
  });

  it('keepWindows attaches the same windows toWindows makes', async () => {
    const det = await forecaster();
    const samples = samplesOf('m1', sineSeries(C, 25, 4).data, 25);
    const scores = await run(samples, { detectorFor: () => det, keepWindows: true });
    const windows = await lastValueFrom(from(samples).pipe(toWindows({ channels, size: W }), toArray()));
    expect(scores.map((s) => s.window!.time)).toEqual(windows.map((w: Window) => w.time));
    scores.forEach((s, i) => {
      expect(Array.from(s.window!.data)).toEqual(Array.from(windows[i].data));
      expect(s.window!.size).toBe(W);
    });
  });

  it('a model that cannot stream is refused by checkStreamable and, in the stage, counted and reported once', async () => {
    const ae = createDetector('dense-ae', { channels, windowSize: W, hidden: 4, bottleneck: 2 });
    expect(() => checkStreamable(ae)).toThrow(/scoring.mode 'stream' cannot use model 'dense-ae'.*needs a forecaster.*use scoring.mode 'window'/);
    const det = await forecaster();
    const errors: string[] = [];
    const counters = createStreamScoreCounters();
    const samples = [...samplesOf('bad', sineSeries(C, 5, 1).data, 5), ...samplesOf('good', sineSeries(C, W, 2).data, W), ...samplesOf('none', sineSeries(C, 2, 3).data, 2)];
    const scores = await run(samples, {
      detectorFor: (id) => (id === 'bad' ? ae : id === 'good' ? det : undefined),
      counters,
      onError: (e) => errors.push(e.message),
    });
    expect(scores.map((s) => s.machineId)).toEqual(['good']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/needs a forecaster/);
    expect(counters).toMatchObject({ scored: 1, failed: 1, unscored: 4 + 2 });
  });

  it('a machine whose detector changes starts a fresh stream; machines beyond maxMachines are shed', async () => {
    const one = await forecaster();
    const two = createDetector('lstm-forecaster', { channels, lookback: LOOKBACK, hidden: 5, layers: 1, seed: 9 });
    const series = sineSeries(C, 2 * W, 6);
    let current: GraphDetector = one;
    const samples = samplesOf('m1', series.data, 2 * W);
    const counters = createStreamScoreCounters();
    const out: Score[] = [];
    from([...samples, ...samplesOf('m2', series.data, 3)])
      .pipe(toStreamScores({ detectorFor: () => current, maxMachines: 1, counters }))
      .subscribe((s) => {
        out.push(s);
        current = two; // reload right after the first score
      });
    expect(out.map((s) => s.model.name)).toEqual(['lstm-forecaster', 'lstm-forecaster']);
    expect(out[1].time).toBe(samples[2 * W - 1].time); // W samples after the first score
    expect(out[1].value).toBeCloseTo(two.score(series.data.slice(W * C, 2 * W * C), 1).total[0], 5);
    expect(counters.shed).toBe(3);
  });
});
