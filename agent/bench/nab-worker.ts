// A worker thread of the NAB bench: reads the data file it is given (values and times only: the
// windows stay with the caller) and runs the detector over it. Files are independent and seeded,
// so which worker runs which file does not change a number.

import { parentPort } from 'node:worker_threads';
import { parseReplayTime } from '../source/replay-time.js';
import type { NabDetectorConfig } from './nab-config.js';
import { readNabFile } from './nab-corpus.js';
import { scoreNabSeries } from './nab-series.js';

export interface NabJob {
  readonly dataDir: string;
  readonly relPath: string;
  readonly config: NabDetectorConfig;
}

export interface NabFileRun {
  readonly relPath: string;
  readonly scores: Float64Array;
  readonly raw: Float64Array;
  readonly ms: number;
}

export type NabJobReply = { readonly ok: true; readonly run: NabFileRun } | { readonly ok: false; readonly relPath: string; readonly message: string };

export async function runNabJob(job: NabJob): Promise<NabFileRun> {
  const started = performance.now();
  const file = await readNabFile(job.dataDir, job.relPath, []);
  const times = Float64Array.from(file.timestamps, (t) => parseReplayTime(t) ?? NaN);
  const { scores, raw } = await scoreNabSeries({ values: file.values, times, probation: file.probation }, job.config);
  return { relPath: job.relPath, scores, raw, ms: performance.now() - started };
}

parentPort?.on('message', (job: NabJob) => {
  runNabJob(job).then(
    (run) => parentPort!.postMessage({ ok: true, run } satisfies NabJobReply, [run.scores.buffer as ArrayBuffer, run.raw.buffer as ArrayBuffer]),
    (err: Error) => parentPort!.postMessage({ ok: false, relPath: job.relPath, message: err.stack ?? err.message } satisfies NabJobReply),
  );
});
