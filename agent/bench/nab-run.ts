// A whole NAB run: every data file through the detector (in this thread, or spread over `jobs`
// worker threads, longest files first: same numbers either way), then NAB's own scoring
// (models/eval/nab: the corpus-wide threshold per profile, normalised against null and perfect).
// The windows are read here, for scoring only; the detector never sees them.

import { Worker } from 'node:worker_threads';
import { type NabCorpusScore, scoreCorpus } from '../../models/eval/nab/index.js';
import type { NabDetectorConfig } from './nab-config.js';
import { loadNabCorpus, type NabFile } from './nab-corpus.js';
import { type NabFileRun, type NabJob, type NabJobReply, runNabJob } from './nab-worker.js';

export interface NabRunOptions {
  readonly data: string;
  /** Only files whose relPath passes (quick tries and tests; NAB's score wants all 58). */
  readonly only?: (relPath: string) => boolean;
  readonly jobs?: number;
  readonly onFile?: (run: NabFileRun, done: number, total: number) => void;
}

export interface NabRunResult {
  readonly config: NabDetectorConfig;
  readonly files: readonly NabFile[];
  readonly runs: readonly NabFileRun[];
  readonly score: NabCorpusScore;
  readonly ms: number;
}

export async function runNab(config: NabDetectorConfig, options: NabRunOptions): Promise<NabRunResult> {
  const started = performance.now();
  const files = await loadNabCorpus(options.data, options.only);
  const jobs = files.map((f): NabJob => ({ dataDir: options.data, relPath: f.relPath, config }));
  const runs = await runJobs(jobs, files.map((f) => f.values.length), options.jobs ?? 1, (run, done) => options.onFile?.(run, done, files.length));
  const windows = Object.fromEntries(files.map((f) => [f.relPath, f.windowTimes]));
  const score = scoreCorpus({ files: files.map((f, i) => ({ relPath: f.relPath, timestamps: f.timestamps, scores: runs[i].scores })), windows });
  return { config, files, runs, score, ms: performance.now() - started };
}

async function runJobs(jobs: readonly NabJob[], sizes: readonly number[], parallel: number, onDone: (run: NabFileRun, done: number) => void): Promise<NabFileRun[]> {
  const out: NabFileRun[] = new Array(jobs.length);
  let done = 0;
  if (parallel <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      out[i] = await runNabJob(jobs[i]);
      onDone(out[i], ++done);
    }
    return out;
  }
  const order = jobs.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
  let next = 0;
  const workers = Array.from({ length: Math.min(parallel, jobs.length) }, () => startWorker());
  try {
    await Promise.all(workers.map(async (w) => {
      while (next < order.length) {
        const i = order[next++];
        out[i] = await w.run(jobs[i]);
        onDone(out[i], ++done);
      }
    }));
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  return out;
}

function startWorker(): { run(job: NabJob): Promise<NabFileRun>; close(): Promise<number> } {
  const here = new URL(import.meta.url);
  // From source (tsx), a worker's entry cannot be TypeScript on Node 20: a bootstrap registers tsx first.
  const worker = here.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./nab-worker.ts', here).href)}); })`, { eval: true })
    : new Worker(new URL('./nab-worker.js', here));
  let pending: { resolve: (r: NabFileRun) => void; reject: (e: Error) => void } | null = null;
  const fail = (err: Error): void => {
    const p = pending;
    pending = null;
    p?.reject(err);
  };
  worker.on('message', (reply: NabJobReply) => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (reply.ok) p.resolve(reply.run);
    else p.reject(new Error(`NAB file ${reply.relPath}: ${reply.message}`));
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`NAB worker exited (code ${code})`)));
  return {
    run: (job) => new Promise((resolve, reject) => {
      pending = { resolve, reject };
      worker.postMessage(job);
    }),
    close: () => worker.terminate(),
  };
}
