// The online learner's worker thread: it owns a copy of the serving detector and takes the Adam
// steps, so fine-tuning uses the second core and never stalls ingestion or scoring. It sends the
// new weights back after each step; the main thread copies them into the serving detector.
// Messages in:  init { modelBytes, optimizer } | learn { windows, batch } | calibrate { windows, batch } | save { path }
// Messages out: ready | learned { values, loss, batch } | calibrated { calibration } | saved { path } | failed { job, message }

import { parentPort } from 'node:worker_threads';
import type { OptimizerState } from '../../engine/optim/optimizer.js';
import { detectorFromParts } from '../../models/create-detector.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { decodeModelFile, saveModel } from '../../models/persistence/index.js';

export type LearnerRequest =
  | { readonly type: 'init'; readonly modelBytes: Uint8Array; readonly optimizer: OptimizerState | null }
  | { readonly type: 'learn'; readonly windows: Float32Array; readonly batch: number }
  | { readonly type: 'calibrate'; readonly windows: Float32Array; readonly batch: number }
  | { readonly type: 'save'; readonly path: string };

export type LearnerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'learned'; readonly values: Float32Array; readonly loss: number; readonly batch: number }
  | { readonly type: 'calibrated'; readonly calibration: ReturnType<GraphDetector['calibrate']> }
  | { readonly type: 'saved'; readonly path: string }
  | { readonly type: 'failed'; readonly job: string; readonly message: string };

const port = parentPort;
if (!port) throw new Error('learner-worker must run in a worker thread');

let detector: GraphDetector | null = null;

port.on('message', (msg: LearnerRequest) => {
  void handle(msg).then(
    (reply) => reply && port.postMessage(reply, reply.type === 'learned' ? [reply.values.buffer as ArrayBuffer] : []),
    (err: unknown) => port.postMessage({ type: 'failed', job: msg.type, message: (err as Error).message } satisfies LearnerReply),
  );
});

async function handle(msg: LearnerRequest): Promise<LearnerReply | null> {
  switch (msg.type) {
    case 'init': {
      const decoded = decodeModelFile(msg.modelBytes, 'serving model');
      if (decoded.kind !== 'vigil') throw new Error('the serving model has no Vigil metadata');
      detector = detectorFromParts({ ...decoded.parts, optimizer: msg.optimizer });
      return { type: 'ready' };
    }
    case 'learn': {
      const d = need();
      const loss = d.learn(msg.windows, msg.batch);
      return { type: 'learned', values: Float32Array.from(d.graph.params.values), loss, batch: msg.batch };
    }
    case 'calibrate':
      return { type: 'calibrated', calibration: need().calibrate(msg.windows, msg.batch) };
    case 'save':
      await saveModel(msg.path, need().parts());
      return { type: 'saved', path: msg.path };
  }
}

function need(): GraphDetector {
  if (!detector) throw new Error('learner worker used before init');
  return detector;
}
