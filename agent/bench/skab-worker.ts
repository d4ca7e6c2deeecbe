// A worker thread of the SKAB bench: loads the files it is asked for, strips their labels
// (protocolInput) and runs the protocol on them, one at a time. Files are independent and
// seeded, so the results are the same whichever worker runs which file.

import { parentPort } from 'node:worker_threads';
import type { SkabConfig } from './skab-config.js';
import { loadSkabFile } from './skab-data.js';
import { type FileRun, protocolInput, runSkabFile, type RunFileOptions, type SkabMode } from './skab-protocol.js';

export interface SkabJob {
  readonly dataDir: string;
  readonly name: string;
  readonly config: SkabConfig;
  readonly mode: SkabMode;
  readonly options: RunFileOptions;
}

export type SkabJobReply = { readonly ok: true; readonly run: FileRun } | { readonly ok: false; readonly name: string; readonly message: string };

export async function runJob(job: SkabJob): Promise<FileRun> {
  const file = await loadSkabFile(job.dataDir, job.name);
  return runSkabFile(protocolInput(file), job.config, job.mode, job.options);
}

parentPort?.on('message', (job: SkabJob) => {
  runJob(job).then(
    (run) => parentPort!.postMessage({ ok: true, run } satisfies SkabJobReply),
    (err: Error) => parentPort!.postMessage({ ok: false, name: job.name, message: err.stack ?? err.message } satisfies SkabJobReply),
  );
});
