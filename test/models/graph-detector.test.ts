// GraphDetector beyond the shared contract: the score formula checked by hand, fit on seeded
// sines, versions and time, buffer reuse per batch size, and the errors callers meet.
import { describe, expect, it } from 'vitest';
import { GraphRunner } from '../../engine/graph/runner.js';
import { floatTensor } from '../../engine/tensor.js';
import { createDetector, detectorFromParts } from '../../models/create-detector.js';
import { sineSeries, windowsAt } from './contract/signals.js';
import { countTypedArrays } from './count-typed-arrays.js';

const channels = ['a', 'b', 'c'];
const C = 3;

function manualClock(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('GraphDetector', () => {
  it('scores as the mean squared error in scaled units, per channel over the compared samples', async () => {
    const det = createDetector('lstm-forecaster', { channels, lookback: 6, horizon: 2, hidden: 4, layers: 1, seed: 1 });
    const series = sineSeries(C, 120, 3);
    await det.fit([series], { epochs: 1, seed: 1 });
    const W = 8;
    const raw = windowsAt(series, C, W, [10, 30]);
    const { mean, std } = det.scaler;
    const z = raw.map((v, i) => (v - mean[i % C]) / std[i % C]);
    const input = floatTensor([2, 6, C]);
    for (let b = 0; b < 2; b++) input.data.set(z.subarray(b * W * C, (b * W + 6) * C), b * 6 * C);
    const out = new GraphRunner(det.graph).run({ input })[det.graph.outputs[0].name];
    expect(out.shape).toEqual([2, 2, C]);
    const s = det.score(raw, 2);
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < C; c++) {
        let e = 0;
        for (let t = 0; t < 2; t++) {
          const d = out.data[(b * 2 + t) * C + c] - z[(b * W + 6 + t) * C + c];
          e += d * d;
        }
        expect(s.perChannel[b * C + c]).toBeCloseTo(e / 2, 5);
      }
    }
  });

  it('fit on seeded multichannel sines lowers the validation loss and calibrates on the held-out windows', async () => {
    for (const arch of ['lstm-forecaster', 'dense-ae'] as const) {
      const det = createDetector(arch, { channels, windowSize: 16, hidden: arch === 'dense-ae' ? 24 : 12, layers: 1, bottleneck: 6, seed: 2 });
      const epochs: { loss: number; valLoss?: number }[] = [];
      const report = await det.fit([sineSeries(C, 400, 5)], { epochs: 10, batchSize: 16, learningRate: 0.01, stride: 2, seed: 1, onEpoch: (e) => epochs.push(e) });
      expect(epochs.length).toBe(report.epochs);
      expect(report.valLoss!).toBeLessThan(epochs[0].valLoss! * 0.8);
      expect(report.windows).toBe(Math.floor((400 - 16) / 2) + 1);
      const cal = det.calibration!;
      expect(cal.windows).toBe(report.windows - Math.floor(report.windows * 0.8));
      expect(cal.quantiles['0.5']).toBeLessThanOrEqual(cal.quantiles['0.9']);
      expect(cal.quantiles['0.99']).toBeLessThanOrEqual(cal.quantiles['1']);
    }
  });

  it('fits the scaler on the training windows only, so the held-out tail stays unseen', async () => {
    const det = createDetector('dense-ae', { channels: ['x'], windowSize: 4, hidden: 4, bottleneck: 2 });
    // 0..9 then a level shift the validation windows cover only.
    const data = Float32Array.from({ length: 20 }, (_, t) => (t < 16 ? t % 4 : 100));
    await det.fit([{ data, length: 20 }], { epochs: 1, validationSplit: 0.25, stride: 1 });
    // 17 windows, 12 for training: samples 0..14 → mean 1.4 (0,1,2,3 repeating), never 100.
    expect(det.scaler.mean[0]).toBeCloseTo(1.4, 5);
  });

  it('without enough windows to hold any out, trains on all and calibrates on a tail of them', async () => {
    const det = createDetector('dense-ae', { channels, windowSize: 8, hidden: 8, bottleneck: 2 });
    const report = await det.fit([sineSeries(C, 8, 1)], { epochs: 2 });
    expect(report.windows).toBe(1);
    expect(report.valLoss).toBeNull();
    expect(det.calibration!.windows).toBe(1);
  });

  it('keeps versions and times: fit bumps the major, learn the fine-tune count, from the injected clock', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const det = createDetector('dense-ae', { channels, windowSize: 8, hidden: 8, bottleneck: 2, clock });
    expect(det.meta.version).toBe('0.0');
    expect(det.meta.createdAt).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(60_000);
    const series = sineSeries(C, 60, 1);
    await det.fit([series], { epochs: 1 });
    expect(det.meta).toMatchObject({ version: '1.0', fineTuneSteps: 0, updatedAt: '2026-01-01T00:01:00.000Z', createdAt: '2026-01-01T00:00:00.000Z' });
    const trained = det.meta.trainedWindows;
    clock.advance(1000);
    det.learn(windowsAt(series, C, 8, [0, 3]), 2);
    expect(det.meta).toMatchObject({ version: '1.1', fineTuneSteps: 1, trainedWindows: trained + 2, updatedAt: '2026-01-01T00:01:01.000Z' });
    await det.fit([series], { epochs: 1 });
    expect(det.meta.version).toBe('2.0');
    const copy = detectorFromParts(det.parts(), { clock });
    expect(copy.meta).toEqual(det.meta);
  });

  it('reuses its buffers per batch size: steady-state scoring allocates no typed arrays', () => {
    const det = createDetector('lstm-ae', { channels, windowSize: 8, hidden: 4 });
    const series = sineSeries(C, 60, 1);
    const one = windowsAt(series, C, 8, [0]);
    const four = windowsAt(series, C, 8, [0, 5, 10, 15]);
    expect(countTypedArrays(() => new Float32Array(2))).toBe(1); // the spy sees allocations
    const a = det.score(one, 1);
    const b = det.score(four, 4);
    det.learn(four, 4);
    const allocations = countTypedArrays(() => {
      for (let i = 0; i < 5; i++) {
        expect(det.score(one, 1)).toBe(a);
        expect(det.score(four, 4)).toBe(b);
      }
      det.learn(four, 4);
    });
    expect(allocations).toBe(0);
  });

  it('refuses to learn while fit runs, and a second concurrent fit', async () => {
    const det = createDetector('dense-ae', { channels, windowSize: 8, hidden: 8, bottleneck: 2 });
    const series = sineSeries(C, 80, 1);
    const running = det.fit([series], { epochs: 2 });
    expect(() => det.learn(windowsAt(series, C, 8, [0]), 1)).toThrow(/learn\(\) called while fit is running/);
    await expect(det.fit([series])).rejects.toThrow(/fit cannot start: fit is running/);
    await running;
    expect(det.training).toBeNull();
    expect(Number.isFinite(det.learn(windowsAt(series, C, 8, [0]), 1))).toBe(true);
  });

  it('stops on an aborted signal and still leaves a calibrated, versioned detector', async () => {
    const det = createDetector('dense-ae', { channels, windowSize: 8, hidden: 8, bottleneck: 2 });
    const report = await det.fit([sineSeries(C, 80, 1)], { epochs: 5, signal: { aborted: true } });
    expect(report.stopReason).toBe('aborted');
    expect(det.calibration).not.toBeNull();
    expect(det.meta.version).toBe('1.0');
  });

  it('says what is wrong with bad series', async () => {
    const det = createDetector('dense-ae', { channels, windowSize: 8, hidden: 8, bottleneck: 2 });
    await expect(det.fit([{ data: new Float32Array(10), length: 4 }])).rejects.toThrow(/needs 12 values/);
    await expect(det.fit([sineSeries(C, 5, 1)])).rejects.toThrow(/at least one window of 8 samples/);
    await expect(det.fit([sineSeries(C, 50, 1)], { stride: 0 })).rejects.toThrow(/stride/);
  });
});

describe('GraphDetector calibration hand-over', () => {
  it('adopts a calibration computed on a copy, and refuses one of another width', async () => {
    const det = createDetector('dense-ae', { channels, windowSize: 8, hidden: 8, bottleneck: 2 });
    const series = sineSeries(C, 60, 1);
    const copy = detectorFromParts(det.parts());
    const cal = copy.calibrate(windowsAt(series, C, 8, [0, 10, 20, 30]), 4);
    det.adoptCalibration(cal);
    expect(det.calibration).toBe(cal);
    expect(det.calibrate(windowsAt(series, C, 8, [0, 10, 20, 30]), 4)).toEqual(cal);
    expect(() => det.adoptCalibration({ ...cal, perChannelMean: [1], perChannelStd: [1] })).toThrow(/another model/);
  });
});
