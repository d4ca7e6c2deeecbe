// The online learner fine-tunes on normal windows: inline mode at fixed points (deterministic),
// worker mode on another thread with the weights copied back; diverging steps are refused.
import { describe, expect, it } from 'vitest';
import { createOnlineLearner } from '../../../agent/learning/online-learner.js';
import type { Window } from '../../../agent/types.js';
import { createDetector } from '../../../models/create-detector.js';
import type { GraphDetector } from '../../../models/graph-detector.js';

const CHANNELS = ['a', 'b'];
const W = 8;

function sineWindow(i: number, machineId = 'm'): Window {
  const data = new Float32Array(W * CHANNELS.length);
  for (let t = 0; t < W; t++) {
    data[t * 2] = Math.sin((i + t) * 0.3);
    data[t * 2 + 1] = Math.cos((i + t) * 0.3) * 2 + 1;
  }
  return { machineId, time: i * 1000, channels: CHANNELS, data, size: W, receivedAt: i * 1000 };
}

async function fitted(): Promise<GraphDetector> {
  const d = createDetector('dense-ae', { channels: CHANNELS, windowSize: W, hidden: 8, bottleneck: 3, seed: 1, lr: 5e-3 });
  const series = [{ data: new Float32Array(Array.from({ length: 400 * 2 }, (_, k) => (k % 2 === 0 ? Math.sin((k >> 1) * 0.3) : Math.cos((k >> 1) * 0.3) * 2 + 1))), length: 400 }];
  await d.fit(series, { epochs: 2, seed: 1 });
  return d;
}

function batchLoss(d: GraphDetector, windows: Window[]): number {
  const data = new Float32Array(windows.length * W * 2);
  windows.forEach((w, i) => data.set(w.data, i * W * 2));
  const s = d.score(data, windows.length);
  return s.total.reduce((a, b) => a + b, 0) / windows.length;
}

describe('online learner', () => {
  it('inline mode steps every `every` normal windows, lowers the loss, bumps the version, and is deterministic', async () => {
    const run = async (): Promise<{ versions: string[]; loss: number; weights: Float32Array }> => {
      const d = await fitted();
      const versions: string[] = [];
      const learner = createOnlineLearner({ detector: d, mode: 'inline', batchSize: 16, every: 8, recalibrateEvery: 0, seed: 3, onStep: (s) => versions.push(s.version) });
      const held = Array.from({ length: 32 }, (_, i) => sineWindow(5000 + i));
      const before = batchLoss(d, held);
      for (let i = 0; i < 400; i++) learner.offer(sineWindow(i));
      const after = batchLoss(d, held);
      expect(after).toBeLessThan(before);
      expect(learner.stats.steps).toBe(Math.floor((400 - 16) / 8) + 1);
      await learner.close();
      return { versions, loss: after, weights: Float32Array.from(d.graph.params.values) };
    };
    const a = await run();
    const b = await run();
    expect(a.versions[0]).toMatch(/^\d+\.1$/);
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  });

  it('refuses a step whose loss explodes and leaves the weights untouched', async () => {
    const d = await fitted();
    const learner = createOnlineLearner({ detector: d, mode: 'inline', batchSize: 8, every: 8, recalibrateEvery: 0, maxLossRatio: 10 });
    for (let i = 0; i < 64; i++) learner.offer(sineWindow(i));
    const steps = learner.stats.steps;
    const weights = Float32Array.from(d.graph.params.values);
    // Wildly out-of-distribution windows (x1000) are not what a normal window looks like.
    for (let i = 0; i < 1024; i++) {
      const w = sineWindow(i);
      for (let k = 0; k < w.data.length; k++) w.data[k] *= 1000;
      learner.offer(w);
      if (learner.stats.refused > 0) break;
    }
    expect(learner.stats.refused).toBeGreaterThan(0);
    expect(learner.stats.steps).toBe(steps);
    expect(Array.from(d.graph.params.values)).toEqual(Array.from(weights));
  });

  it('worker mode trains on another thread and copies the weights into the serving detector', async () => {
    const d = await fitted();
    const before = Float32Array.from(d.graph.params.values);
    const versions: string[] = [];
    const learner = createOnlineLearner({ detector: d, mode: 'worker', batchSize: 16, every: 16, recalibrateEvery: 2, onStep: (s) => versions.push(s.version), onError: (e) => { throw e; } });
    for (let i = 0; i < 16; i++) learner.offer(sineWindow(i));
    const deadline = Date.now() + 30_000;
    while (learner.stats.steps < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(learner.stats.steps).toBe(1);
    expect(Array.from(d.graph.params.values)).not.toEqual(Array.from(before));
    expect(d.meta.fineTuneSteps).toBe(1);
    for (let i = 16; i < 32; i++) learner.offer(sineWindow(i));
    while (learner.stats.steps < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(versions).toHaveLength(2);
    await learner.close();
  });
});
