// Online fine-tuning on windows the decision stage judged normal (never on flagged ones).
// Recent normal windows go into a bounded ring; every `every` new ones, a mini-batch (the newest
// windows plus a seeded sample of older ones, so the model does not forget) takes one Adam step:
//   'worker' mode  in a worker thread holding a copy of the detector; the new weights are copied
//                  into the serving detector when they arrive (live: never stalls the stream);
//   'inline' mode  synchronously, at exactly the same points of the stream (replays: deterministic).
// At most one step is in flight; opportunities that come while one runs are counted as skipped.
// Every `recalibrateEvery` steps the calibration is recomputed on the ring, so thresholds follow
// the fine-tuned model. A non-finite or exploding loss is never applied.

import { Worker } from 'node:worker_threads';
import { createRng, type Rng } from '../../engine/rng.js';
import type { Calibration } from '../../models/detector.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { encodeModelFile, saveModel } from '../../models/persistence/index.js';
import type { Window } from '../types.js';
import type { LearnerReply, LearnerRequest } from './learner-worker.js';

export interface OnlineLearnerOptions {
  readonly detector: GraphDetector;
  readonly mode: 'worker' | 'inline';
  /** Windows per Adam step. Default 32. */
  readonly batchSize?: number;
  /** New normal windows between steps. Default 64. */
  readonly every?: number;
  /** Normal windows kept for replay and recalibration. Default 1024. */
  readonly bufferWindows?: number;
  /** Steps between recalibrations (0: never). Default 50. */
  readonly recalibrateEvery?: number;
  /** A loss above this multiple of the running loss is refused (divergence guard). Default 10. */
  readonly maxLossRatio?: number;
  readonly seed?: number;
  readonly onStep?: (step: { loss: number; applied: boolean; version: string }) => void;
  readonly onCalibrated?: (calibration: Calibration) => void;
  readonly onError?: (err: Error) => void;
}

export interface OnlineLearner {
  /** A window the decision stage judged normal. */
  offer(window: Window): void;
  readonly stats: { offered: number; steps: number; refused: number; skipped: number; lastLoss: number };
  /** Saves the fine-tuned model (from the worker's copy in worker mode). */
  save(path: string): Promise<void>;
  close(): Promise<void>;
}

export function createOnlineLearner(options: OnlineLearnerOptions): OnlineLearner {
  const { detector } = options;
  const batchSize = options.batchSize ?? 32;
  const every = options.every ?? 64;
  const capacity = Math.max(options.bufferWindows ?? 1024, batchSize);
  const recalibrateEvery = options.recalibrateEvery ?? 50;
  const maxLossRatio = options.maxLossRatio ?? 10;
  const per = detector.meta.windowSize * detector.meta.channels.length;
  const ring: Float32Array[] = [];
  let next = 0;
  let fresh = 0;
  let busy = false;
  let runningLoss = NaN;
  const rng: Rng = createRng(options.seed ?? 0);
  const stats = { offered: 0, steps: 0, refused: 0, skipped: 0, lastLoss: NaN };
  const backend = options.mode === 'worker' ? workerBackend(detector) : null;

  const pack = (count: number): Float32Array => {
    const out = new Float32Array(count * per);
    const L = ring.length;
    const newest = Math.min(fresh, count, L);
    for (let i = 0; i < count; i++) {
      // The newest windows first (the ring's write position walks backwards), then a uniform sample of the rest.
      const k = i < newest ? (((next - 1 - i) % L) + L) % L : rng.int(L);
      out.set(ring[k], i * per);
    }
    return out;
  };

  const apply = (loss: number, values: Float32Array | null, batch: number): void => {
    const ok = Number.isFinite(loss) && !(runningLoss > 0 && loss > maxLossRatio * runningLoss);
    if (ok) {
      if (values) {
        detector.graph.params.values.set(values);
        detector.recordUpdate(batch);
      }
      runningLoss = Number.isNaN(runningLoss) ? loss : 0.95 * runningLoss + 0.05 * loss;
      stats.steps++;
    } else {
      stats.refused++;
    }
    stats.lastLoss = loss;
    options.onStep?.({ loss, applied: ok, version: detector.meta.version });
  };

  const step = (): void => {
    const batch = Math.min(batchSize, ring.length);
    const windows = pack(batch);
    fresh = 0;
    if (!backend) {
      // Inline: the detector steps itself; a refused loss must not move the weights, so snapshot them.
      const before = Float32Array.from(detector.graph.params.values);
      const loss = detector.learn(windows, batch);
      const ok = Number.isFinite(loss) && !(runningLoss > 0 && loss > maxLossRatio * runningLoss);
      if (!ok) detector.graph.params.values.set(before);
      apply(loss, null, batch);
      maybeRecalibrate();
      return;
    }
    busy = true;
    backend
      .learn(windows, batch)
      .then(({ values, loss }) => {
        apply(loss, values, batch);
        return maybeRecalibrate();
      })
      .catch((err: Error) => options.onError?.(err))
      .finally(() => {
        busy = false;
      });
  };

  const maybeRecalibrate = async (): Promise<void> => {
    if (recalibrateEvery <= 0 || stats.steps === 0 || stats.steps % recalibrateEvery !== 0) return;
    const n = ring.length;
    const windows = new Float32Array(n * per);
    ring.forEach((w, i) => windows.set(w, i * per));
    const calibration = backend ? await backend.calibrate(windows, n) : detector.calibrate(windows, n);
    if (backend) detector.adoptCalibration(calibration);
    options.onCalibrated?.(calibration);
  };

  return {
    stats,
    offer(window: Window): void {
      if (window.data.length !== per) return;
      stats.offered++;
      if (ring.length < capacity) ring.push(window.data);
      else ring[next] = window.data;
      next = (next + 1) % capacity;
      fresh++;
      if (fresh < every || ring.length < batchSize) return;
      if (busy) {
        stats.skipped++;
        fresh = 0;
        return;
      }
      step();
    },
    async save(path: string): Promise<void> {
      if (backend) await backend.save(path);
      else await saveModel(path, detector.parts());
    },
    async close(): Promise<void> {
      await backend?.close();
    },
  };
}

interface Backend {
  learn(windows: Float32Array, batch: number): Promise<{ values: Float32Array; loss: number }>;
  calibrate(windows: Float32Array, batch: number): Promise<Calibration>;
  save(path: string): Promise<void>;
  close(): Promise<void>;
}

/** The worker thread, fed the serving model's bytes; requests are answered in order. */
function workerBackend(detector: GraphDetector): Backend {
  const here = new URL(import.meta.url);
  // Built, the worker is plain JS. From source (tests, tsx), a worker's entry cannot be TypeScript
  // on Node 20 even with --import tsx, so a one-line bootstrap registers tsx and then imports it.
  const worker = here.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./learner-worker.ts', here).href)}); })`, { eval: true })
    : new Worker(new URL('./learner-worker.js', here));
  const waiting: { resolve: (r: LearnerReply) => void; reject: (e: Error) => void }[] = [];
  let dead: Error | null = null;
  worker.on('message', (reply: LearnerReply) => {
    const w = waiting.shift();
    if (!w) return;
    if (reply.type === 'failed') w.reject(new Error(`online learning (${reply.job}) failed: ${reply.message}`));
    else w.resolve(reply);
  });
  const fail = (err: Error): void => {
    dead = err;
    for (const w of waiting.splice(0)) w.reject(err);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`online learning worker exited (code ${code})`)));
  // After the listeners: on Node 20 adding a 'message' listener refs the worker again, and a
  // learner nobody closed (a failed start) then kept the process alive.
  worker.unref();
  const request = (msg: LearnerRequest, transfer: ArrayBuffer[] = []): Promise<LearnerReply> => {
    if (dead) return Promise.reject(dead);
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      worker.postMessage(msg, transfer);
    });
  };
  const parts = detector.parts();
  const ready = request({ type: 'init', modelBytes: encodeModelFile(parts), optimizer: parts.optimizer });
  return {
    async learn(windows, batch) {
      await ready;
      const r = await request({ type: 'learn', windows, batch }, [windows.buffer as ArrayBuffer]);
      if (r.type !== 'learned') throw new Error(`unexpected reply ${r.type}`);
      return { values: r.values, loss: r.loss };
    },
    async calibrate(windows, batch) {
      await ready;
      const r = await request({ type: 'calibrate', windows, batch }, [windows.buffer as ArrayBuffer]);
      if (r.type !== 'calibrated') throw new Error(`unexpected reply ${r.type}`);
      return r.calibration;
    },
    async save(path) {
      await ready;
      await request({ type: 'save', path });
    },
    async close() {
      await worker.terminate();
    },
  };
}
