// The detector a replay scores with, and which log channels feed it.
//   loadReplayModel  the --model file, read as the daemon reads model.path (agent/model/serving-model.ts):
//                    a Vigil model as saved, a foreign ONNX graph wrapped with the config's model.role /
//                    channels / windowSize; the config's signature requirement applies. The detector's
//                    clock is the replay's event-time clock, so fine-tuning stamps event times and two
//                    runs produce the same model versions. Never a fine-tuned copy from a state directory:
//                    a replay scores exactly the file it is given.
//   replayChannels   the model's channels name the columns by default; `--channels a,b` names the log
//                    columns that feed the model's channels instead, one per model channel, in the
//                    model's order (e.g. a NAB `value` column into a model channel called `cpu`).
// A bad model file is a ModelFileError or a UsageError (exit 2), saying what is wrong with it.

import { basename } from 'node:path';
import { detectorFromGraph, detectorFromParts } from '../../models/create-detector.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { loadModel } from '../../models/persistence/index.js';
import { UsageError, readUserFile } from '../commands/errors.js';
import type { VigilConfig } from '../config/types.js';
import type { Clock } from '../runtime/clock.js';

export interface LoadedReplayModel {
  readonly detector: GraphDetector;
  readonly warnings: readonly string[];
}

export async function loadReplayModel(path: string, config: VigilConfig, clock: Clock): Promise<LoadedReplayModel> {
  const m = config.model;
  const publicKey = m.publicKeyFile ? await readUserFile(m.publicKeyFile, 'the public key (model.publicKeyFile)') : undefined;
  const loaded = await loadModel(path, { requireSignature: m.requireSignature, publicKey, optimizerState: 'lenient' });
  if (loaded.kind === 'vigil') return { detector: detectorFromParts(loaded.parts, { clock }), warnings: loaded.warnings };
  try {
    const detector = detectorFromGraph(loaded.graph, {
      name: m.name ?? basename(path).replace(/\.onnx$/i, ''),
      ...(m.role ? { role: m.role } : {}),
      ...(m.channels ? { channels: [...m.channels] } : {}),
      ...(m.windowSize ? { windowSize: m.windowSize } : {}),
      clock,
    });
    const warnings = [...loaded.warnings];
    if (detector.calibration === null) warnings.push('foreign ONNX model without calibration: thresholds are learned online from the first normal windows');
    return { detector, warnings };
  } catch (err) {
    throw new UsageError(`${path}: a foreign ONNX model Vigil cannot score: ${(err as Error).message} (set model.role, model.channels and model.windowSize in --config)`);
  }
}

/** The log channel feeding each model channel, in the model's order; a UsageError naming both lists when they do not fit. */
export function replayChannels(modelChannels: readonly string[], logChannels: readonly string[], chosen: readonly string[] | undefined, path: string): string[] {
  const lists = `the model's channels are [${modelChannels.join(', ')}]; the log's are [${logChannels.join(', ')}]`;
  if (chosen !== undefined) {
    if (chosen.length !== modelChannels.length) throw new UsageError(`--channels names ${chosen.length} log column${chosen.length === 1 ? '' : 's'} (${chosen.join(', ')}) but the model takes ${modelChannels.length}: ${lists}`);
    const absent = chosen.filter((c) => !logChannels.includes(c));
    if (absent.length) throw new UsageError(`--channels: ${path} has no channel ${absent.map((c) => `'${c}'`).join(', ')}: ${lists}`);
    if (new Set(chosen).size !== chosen.length) throw new UsageError(`--channels names a log column twice (${chosen.join(', ')})`);
    return [...chosen];
  }
  const absent = modelChannels.filter((c) => !logChannels.includes(c));
  if (absent.length) {
    throw new UsageError(`${path} does not carry the model's channel${absent.length === 1 ? '' : 's'} ${absent.map((c) => `'${c}'`).join(', ')}: ${lists}; pass --channels to say which log columns feed the model, in its order`);
  }
  return [...modelChannels];
}
