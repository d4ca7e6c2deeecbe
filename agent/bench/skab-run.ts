// A whole SKAB run: every file through the protocol (in this thread, or spread over worker
// threads with `jobs` > 1: same results, files are independent and seeded), then the official
// metrics (models/eval/skab) on the predictions against the test labels — the only place labels
// are read. Returns per-file runs and the evaluation.

import { Worker } from 'node:worker_threads';
import { evaluateSkab, type SkabEvaluation } from '../../models/eval/skab/evaluate.js';
import type { SkabConfig } from './skab-config.js';
import { listSkabFiles, loadSkabFile, skabDataDir, type SkabFile } from './skab-data.js';
import type { FileRun, RunFileOptions, SkabMode } from './skab-protocol.js';
import { runJob, type SkabJob, type SkabJobReply } from './skab-worker.js';

export interface SkabRunOptions extends RunFileOptions {
  readonly data: string;
  readonly files?: readonly string[];
  readonly jobs?: number;
  readonly onFile?: (run: FileRun, done: number, total: number) => void;
}

export interface SkabRunResult {
  readonly config: SkabConfig;
  readonly mode: SkabMode;
  readonly runs: readonly FileRun[];
  readonly evaluation: SkabEvaluation;
  readonly ms: number;
}

export async function runSkab(config: SkabConfig, mode: SkabMode, options: SkabRunOptions): Promise<SkabRunResult> {
  const started = performance.now();
  const dataDir = await skabDataDir(options.data);
  const names = await listSkabFiles(dataDir, options.files);
  const jobs = names.map((name): SkabJob => ({ dataDir, name, config, mode, options: { seed: options.seed, epochs: options.epochs } }));
  const runs = await runJobs(jobs, options.jobs ?? 1, (run, done) => options.onFile?.(run, done, names.length));
  const files: SkabFile[] = await Promise.all(names.map((n) => loadSkabFile(dataDir, n)));
  const evaluation = evaluateSkab(files.map((f, i) => ({ time: f.test.time, anomaly: f.test.anomaly, changepoint: f.test.changepoint, predicted: runs[i].predicted })));
  return { config, mode, runs, evaluation, ms: performance.now() - started };
}

async function runJobs(jobs: readonly SkabJob[], parallel: number, onDone: (run: FileRun, done: number) => void): Promise<FileRun[]> {
  const out: FileRun[] = new Array(jobs.length);
  let done = 0;
  if (parallel <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      out[i] = await runJob(jobs[i]);
      onDone(out[i], ++done);
    }
    return out;
  }
  let next = 0;
  const workers = Array.from({ length: Math.min(parallel, jobs.length) }, () => startWorker());
  try {
    await Promise.all(workers.map(async (w) => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await w.run(jobs[i]);
        onDone(out[i], ++done);
      }
    }));
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
  return out;
}

function startWorker(): { run(job: SkabJob): Promise<FileRun>; close(): Promise<number> } {
  const here = new URL(import.meta.url);
  // From source (tsx), a worker's entry cannot be TypeScript on Node 20: a bootstrap registers tsx first.
  const worker = here.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./skab-worker.ts', here).href)}); })`, { eval: true })
    : new Worker(new URL('./skab-worker.js', here));
  let pending: { resolve: (r: FileRun) => void; reject: (e: Error) => void } | null = null;
  worker.on('message', (reply: SkabJobReply) => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (reply.ok) p.resolve(reply.run);
    else p.reject(new Error(`SKAB file ${reply.name}: ${reply.message}`));
  });
  worker.on('error', (err) => pending?.reject(err));
  worker.on('exit', (code) => pending?.reject(new Error(`SKAB worker exited (code ${code})`)));
  return {
    run: (job) => new Promise((resolve, reject) => {
      pending = { resolve, reject };
      worker.postMessage(job);
    }),
    close: () => worker.terminate(),
  };
}
