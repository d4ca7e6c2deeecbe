// Which detector the daemon serves, and where its fine-tuned copy lives.
//   model.path set   load it (verifying its Ed25519 signature when required); ONNX files from other
//                    tools are wrapped with the role/channels/window the config gives or the graph implies;
//   model.path null  the starter model: trained once on simulated healthy pumps, cached in
//                    <stateDir>/models/starter.onnx, so `vigil run` works on a fresh machine;
//   fine-tuned copy  <stateDir>/models/<name>.tuned.onnx, written by online learning. It is served
//                    instead of the base file when it derives from the same base (same name and major
//                    version), so learning resumes after a restart. With signed models required, only
//                    the signed base is ever loaded (a local copy carries no fleet signature).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type BuiltArchitecture, createDetector, detectorFromGraph, detectorFromParts } from '../../models/create-detector.js';
import type { Series } from '../../models/detector.js';
import type { GraphDetector } from '../../models/graph-detector.js';
import { loadModel, saveModel } from '../../models/persistence/index.js';
import type { VigilConfig } from '../config/types.js';
import { CHANNELS, simulateSamples } from '../source/simulator.js';

export interface ServingModel {
  readonly detector: GraphDetector;
  /** Where it was loaded from (or 'starter'). */
  readonly source: string;
  /** Where online learning saves the fine-tuned copy. */
  readonly tunedPath: string;
}

export interface ModelLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const major = (v: string): string => v.split('.')[0];

export async function openServingModel(config: VigilConfig, log: ModelLog): Promise<ServingModel> {
  const dir = join(config.stateDir, 'models');
  mkdirSync(dir, { recursive: true });
  const base = config.model.path === null ? await starterModel(config, dir, log) : await loadBase(config, log);
  const tunedPath = join(dir, `${safeName(base.meta.name)}.tuned.onnx`);
  if (!config.model.requireSignature && existsSync(tunedPath)) {
    try {
      const tuned = await loadModel(tunedPath, { optimizerState: 'lenient' });
      if (tuned.kind === 'vigil' && tuned.parts.meta.name === base.meta.name && major(tuned.parts.meta.version) === major(base.meta.version)) {
        for (const w of tuned.warnings) log.warn({ file: tunedPath }, w);
        log.info({ file: tunedPath, version: tuned.parts.meta.version, fineTuneSteps: tuned.parts.meta.fineTuneSteps }, 'resuming from the fine-tuned copy');
        return { detector: detectorFromParts(tuned.parts), source: tunedPath, tunedPath };
      }
      log.info({ file: tunedPath }, 'fine-tuned copy belongs to another model version; starting from the base model');
    } catch (err) {
      log.warn({ file: tunedPath, err: (err as Error).message }, 'fine-tuned copy unreadable; starting from the base model');
    }
  }
  return { detector: base, source: config.model.path ?? 'starter model', tunedPath };
}

async function loadBase(config: VigilConfig, log: ModelLog): Promise<GraphDetector> {
  const path = config.model.path!;
  const publicKey = config.model.publicKeyFile ? readFileSync(config.model.publicKeyFile, 'utf8') : undefined;
  const loaded = await loadModel(path, { requireSignature: config.model.requireSignature, publicKey, optimizerState: 'lenient' });
  for (const w of loaded.warnings) log.warn({ file: path }, w);
  if (loaded.kind === 'vigil') {
    log.info({ file: path, name: loaded.parts.meta.name, version: loaded.parts.meta.version, verified: loaded.verified }, 'model loaded');
    return detectorFromParts(loaded.parts);
  }
  const m = config.model;
  const detector = detectorFromGraph(loaded.graph, {
    name: m.name ?? basename(path).replace(/\.onnx$/i, ''),
    ...(m.role ? { role: m.role } : {}),
    ...(m.channels ? { channels: [...m.channels] } : {}),
    ...(m.windowSize ? { windowSize: m.windowSize } : {}),
  });
  if (detector.calibration === null) log.warn({ file: path }, 'foreign ONNX model without calibration: thresholds are learned online from the first normal windows');
  log.info({ file: path, role: detector.meta.role, channels: detector.meta.channels, windowSize: detector.meta.windowSize }, 'foreign ONNX model loaded');
  return detector;
}

/** Trains (once) the starter model on simulated healthy pumps: the embedded default's model. */
async function starterModel(config: VigilConfig, dir: string, log: ModelLog): Promise<GraphDetector> {
  const s = config.model.starter;
  // The starter model learns the healthy behaviour of the very pumps the simulator runs (same seed,
  // same machines, a whole day of load cycle), so its thresholds fit the demo plant.
  const machines = Math.min(config.simulator.machines, 10);
  const path = join(dir, `starter-${s.architecture}-w${s.windowSize}-s${config.simulator.seed}-m${machines}.onnx`);
  if (existsSync(path)) {
    try {
      const loaded = await loadModel(path, { optimizerState: 'lenient' });
      if (loaded.kind === 'vigil' && loaded.parts.meta.architecture === s.architecture && loaded.parts.meta.windowSize === s.windowSize) {
        log.info({ file: path, version: loaded.parts.meta.version }, 'starter model loaded');
        return detectorFromParts(loaded.parts);
      }
    } catch (err) {
      log.warn({ file: path, err: (err as Error).message }, 'cached starter model unreadable; training a new one');
    }
  }
  const started = Date.now();
  const samples = Math.round((s.trainHours * 3_600_000) / config.simulator.intervalMs);
  log.info({ architecture: s.architecture, hours: s.trainHours, machines }, 'no model configured: training a starter model on the simulated pumps\' healthy behaviour (once; cached in the state directory)');
  const series = simulatedSeries(config.simulator.seed, machines, samples, config.simulator.intervalMs);
  const detector = createDetector(s.architecture as BuiltArchitecture, {
    channels: [...CHANNELS],
    windowSize: s.windowSize,
    hidden: s.hidden,
    layers: s.layers,
    seed: config.simulator.seed,
    name: 'starter-pump',
  });
  const report = await detector.fit(series, {
    epochs: s.epochs,
    stride: s.stride,
    seed: config.simulator.seed,
    onEpoch: ({ epoch, epochs, loss, valLoss }) => log.info({ epoch: epoch + 1, epochs, loss, valLoss }, 'starter model epoch'),
  });
  await saveModel(path, detector.parts());
  log.info({ file: path, seconds: (Date.now() - started) / 1000, valLoss: report.valLoss, windows: report.windows }, 'starter model trained');
  return detector;
}

/** Healthy simulated pumps as training series, one per machine (the same physics the live simulator runs). */
export function simulatedSeries(seed: number, machines: number, samples: number, intervalMs: number): Series[] {
  const C = CHANNELS.length;
  const data = Array.from({ length: machines }, () => new Float32Array(samples * C));
  const filled = new Array<number>(machines).fill(0);
  const ids = Array.from({ length: machines }, (_, i) => `pump-${String(i + 1).padStart(2, '0')}`);
  const index = new Map(ids.map((id, i) => [id, i]));
  for (const s of simulateSamples({ seed, machines: ids, intervalMs, durationMs: samples * intervalMs })) {
    const m = index.get(s.machineId)!;
    const row = filled[m];
    if (row >= samples) continue;
    CHANNELS.forEach((c, k) => {
      data[m][row * C + k] = s.values[c] ?? data[m][Math.max(0, row - 1) * C + k];
    });
    filled[m]++;
  }
  return data.map((d, m) => ({ data: d.subarray(0, filled[m] * C), length: filled[m] }));
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
