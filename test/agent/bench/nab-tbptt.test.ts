// The online learner the NAB bench trains its forecasters with: chunks of truncated BPTT whose
// carried state makes the training graph forecast exactly what the stream forecasts on the same
// rows (so the weights are trained as they are used), and learn = false moves only the state.

import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import { createCarriedTbptt } from '../../../agent/bench/nab-tbptt.js';
import { createDetector } from '../../../models/create-detector.js';
import { createForecastStream } from '../../../models/streaming-forecaster.js';

describe('carried truncated BPTT', () => {
  const rng = createRng(3);
  const rows = 1 + 3 * 8 + 5;
  const x = Float32Array.from({ length: rows }, (_, t) => Math.sin(t / 3) + 0.1 * rng.normal());

  it('forecasts, chunk after chunk from the carried state, what the stream forecasts, and learn = false changes no weight', () => {
    const detector = createDetector('lstm-forecaster', { channels: ['v'], lookback: 8, hidden: 5, layers: 2, seed: 1 });
    const tbptt = createCarriedTbptt(detector, 8);
    const stream = createForecastStream(detector);
    const before = Float32Array.from(detector.graph.params.values);
    tbptt.advance(x, 5); // rows 0..4 outside any chunk
    for (let t = 0; t < 5; t++) stream.step([x[t]]);
    for (let a = 5; a + 8 < rows; a += 8) {
      // The stream's squared errors over targets a+1 … a+8.
      let sq = 0;
      for (let t = a; t < a + 8; t++) {
        stream.step([x[t]]);
        sq += (stream.forecastScaled[0] - x[t + 1]) ** 2;
      }
      expect(tbptt.chunkStep(x.subarray(a, a + 8), x.subarray(a + 1, a + 9), false)).toBeCloseTo(sq / 8, 5);
    }
    expect(detector.graph.params.values).toEqual(before);
  });

  it('learn = true takes one Adam step per chunk, lowering the loss on a repeated chunk', () => {
    const detector = createDetector('lstm-forecaster', { channels: ['v'], lookback: 8, hidden: 5, layers: 1, seed: 1, lr: 1e-2 });
    const tbptt = createCarriedTbptt(detector, 8);
    const losses: number[] = [];
    for (let e = 0; e < 30; e++) {
      tbptt.reset();
      losses.push(tbptt.chunkStep(x.subarray(0, 8), x.subarray(1, 9), true));
    }
    expect(detector.meta.fineTuneSteps).toBe(30);
    expect(losses[29]).toBeLessThan(losses[0] / 2);
  });

  it('with nll the second output is a log-variance: its NLL gradient shrinks it where the mean is right', () => {
    const detector = createDetector('lstm-forecaster', { channels: ['v', 'logvar'], lookback: 8, hidden: 6, layers: 1, seed: 2, lr: 1e-2 });
    const tbptt = createCarriedTbptt(detector, 8, [1, 0], true);
    const xy = new Float32Array(2 * 9);
    for (let t = 0; t < 9; t++) xy[2 * t] = 0.5; // a constant: perfectly predictable
    const losses: number[] = [];
    for (let e = 0; e < 150; e++) {
      tbptt.reset();
      losses.push(tbptt.chunkStep(xy.subarray(0, 16), xy.subarray(2, 18), true));
    }
    expect(losses[149]).toBeLessThan(losses[0] - 1); // NLL = ½(s + d²e^{−s}) falls as s falls
  });
});
