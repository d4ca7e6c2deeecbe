// toScores batches windows across machines and gives exactly the numbers of one-by-one scoring.
import { Subject, from, toArray, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createScoreCounters, toScores } from '../../../agent/stages/to-scores.js';
import type { Score, Window } from '../../../agent/types.js';
import { createDetector } from '../../../models/create-detector.js';

const CHANNELS = ['a', 'b', 'c'];
const W = 6;
const detector = createDetector('dense-ae', { channels: CHANNELS, windowSize: W, hidden: 8, bottleneck: 2, seed: 4 });

function window(machineId: string, i: number): Window {
  const data = new Float32Array(W * 3).map((_, k) => Math.sin(i * 0.7 + k * 0.31) * (1 + (machineId.charCodeAt(1) % 3)));
  return { machineId, time: i, channels: CHANNELS, data, size: W, receivedAt: i };
}

describe('toScores', () => {
  it('scores a burst in batches of at most maxBatch, with the same numbers as single scoring', async () => {
    const windows = Array.from({ length: 23 }, (_, i) => window(`m${i % 5}`, i));
    const counters = createScoreCounters();
    const scores = await lastValueFrom(from(windows).pipe(toScores({ detectorFor: () => detector, maxBatch: 8, counters }), toArray()));
    expect(scores.map((s) => s.time)).toEqual(windows.map((w) => w.time));
    expect(counters).toMatchObject({ scored: 23, batches: 3, unscored: 0, failed: 0 });
    for (const [i, s] of scores.entries()) {
      const single = detector.score(windows[i].data, 1);
      expect(s.value).toBe(single.total[0]);
      expect(Object.values(s.perChannel)).toEqual(Array.from(single.perChannel));
      expect(s.model).toEqual({ name: detector.meta.name, version: detector.meta.version });
      expect(s.window).toBe(windows[i]);
    }
  });

  it('flushes windows that arrive separately at the end of their turn', async () => {
    const input = new Subject<Window>();
    const out: Score[] = [];
    input.pipe(toScores({ detectorFor: () => detector })).subscribe((s) => out.push(s));
    input.next(window('m1', 1));
    expect(out).toHaveLength(0);
    await Promise.resolve();
    expect(out).toHaveLength(1);
  });

  it('counts windows it cannot score (no detector, wrong shape, detector failure) and keeps going', async () => {
    const counters = createScoreCounters();
    const errors: string[] = [];
    const broken = { ...detector, meta: detector.meta, score: () => { throw new Error('corrupt model'); } } as unknown as typeof detector;
    const wrong: Window = { ...window('m1', 9), size: W - 1, data: new Float32Array((W - 1) * 3) };
    const scores = await lastValueFrom(
      from([window('none', 1), wrong, window('bad', 2), window('m1', 3)]).pipe(
        toScores({ detectorFor: (id) => (id === 'none' ? undefined : id === 'bad' ? broken : detector), counters, onError: (e) => errors.push(e.message) }),
        toArray(),
      ),
    );
    expect(scores.map((s) => s.machineId)).toEqual(['m1']);
    expect(counters).toMatchObject({ scored: 1, unscored: 2, failed: 1 });
    expect(errors.join('\n')).toMatch(/window of m1 is \[5, 3\]/);
    expect(errors.join('\n')).toMatch(/corrupt model/);
  });
});
