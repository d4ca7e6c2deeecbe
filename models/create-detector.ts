// Making detectors: createDetector builds one of Vigil's architectures from sizes and a seed;
// detectorFromParts restores a saved one; detectorFromGraph wraps a graph imported from another
// tool (ONNX), inferring role and sizes from its input/output shapes when they are not given,
// with an identity scaler and no calibration until it is fitted or calibrated.
// Options are validated here, once, with messages that name the option.

import type { Graph } from '../engine/graph/graph.js';
import { createRng } from '../engine/rng.js';
import { buildConvAe, CONV_AE_DEFAULTS } from './architectures/conv-ae.js';
import { buildDenseAe, DENSE_AE_DEFAULTS } from './architectures/dense-ae.js';
import { buildLstmAe, LSTM_AE_DEFAULTS } from './architectures/lstm-ae.js';
import { buildLstmForecaster, LSTM_FORECASTER_DEFAULTS } from './architectures/lstm-forecaster.js';
import type { Architecture, DetectorMeta, DetectorParts, DetectorRole } from './detector.js';
import { DEFAULT_FINE_TUNE_LR, type DetectorClock, GraphDetector } from './graph-detector.js';
import { inferIo } from './graph-detector-io.js';
import { identityScalerParams } from './scoring/scaler.js';

export type BuiltArchitecture = Exclude<Architecture, 'onnx'>;

export const DEFAULT_WINDOW_SIZE = 60;

export interface CreateDetectorOptions {
  /** Channel names in window order. */
  readonly channels: readonly string[];
  /** Samples per window (a forecaster's is lookback + horizon). Default 60 (autoencoders). */
  readonly windowSize?: number;
  /** lstm-forecaster: input samples (default 60); give this or windowSize. */
  readonly lookback?: number;
  /** lstm-forecaster: samples predicted (default 1). */
  readonly horizon?: number;
  /** LSTM units (lstm-forecaster 32, lstm-ae 32) or the dense-ae's hidden width (64). */
  readonly hidden?: number;
  /** lstm-forecaster: stacked LSTM layers (default 2). */
  readonly layers?: number;
  /** dense-ae: bottleneck width (default 16). */
  readonly bottleneck?: number;
  /** conv-ae: filters of the outer and inner convolutions (32, 16) and kernel size (7). */
  readonly filters1?: number;
  readonly filters2?: number;
  readonly kernel?: number;
  /** Online fine-tuning learning rate (default 1e-3). */
  readonly lr?: number;
  /** Seed of the weight initialisation (default 0). */
  readonly seed?: number;
  readonly name?: string;
  readonly clock?: DetectorClock;
}

const ARCHITECTURES: readonly BuiltArchitecture[] = ['lstm-forecaster', 'dense-ae', 'lstm-ae', 'conv-ae'];

export function createDetector(architecture: BuiltArchitecture, options: CreateDetectorOptions): GraphDetector {
  if (!ARCHITECTURES.includes(architecture)) {
    throw new Error(`unknown architecture '${architecture}' (Vigil builds: ${ARCHITECTURES.join(', ')}; use detectorFromGraph for imported ONNX models)`);
  }
  const channels = checkChannels(options.channels);
  const C = channels.length;
  const seed = options.seed ?? 0;
  const lr = options.lr ?? DEFAULT_FINE_TUNE_LR;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`lr must be a finite number > 0, got ${lr}`);
  const rng = createRng(seed);
  let graph: Graph;
  let hyper: Record<string, number>;
  let horizon = 0;
  let windowSize: number;
  if (architecture === 'lstm-forecaster') {
    horizon = options.horizon ?? LSTM_FORECASTER_DEFAULTS.horizon;
    const lookback = options.lookback ?? (options.windowSize !== undefined ? options.windowSize - horizon : LSTM_FORECASTER_DEFAULTS.lookback);
    if (options.lookback !== undefined && options.windowSize !== undefined && options.windowSize !== options.lookback + horizon) {
      throw new Error(`windowSize ${options.windowSize} disagrees with lookback ${options.lookback} + horizon ${horizon}; give one of them`);
    }
    hyper = { lookback, hidden: options.hidden ?? LSTM_FORECASTER_DEFAULTS.hidden, layers: options.layers ?? LSTM_FORECASTER_DEFAULTS.layers, horizon };
    graph = buildLstmForecaster({ channels: C, ...hyper }, rng);
    windowSize = lookback + horizon;
  } else {
    if (options.lookback !== undefined || (options.horizon ?? 0) !== 0) {
      throw new Error(`${architecture} is an autoencoder: give windowSize, not lookback or horizon`);
    }
    windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
    if (architecture === 'dense-ae') {
      hyper = { hidden: options.hidden ?? DENSE_AE_DEFAULTS.hidden, bottleneck: options.bottleneck ?? DENSE_AE_DEFAULTS.bottleneck };
      graph = buildDenseAe({ channels: C, windowSize, ...hyper }, rng);
    } else if (architecture === 'lstm-ae') {
      hyper = { hidden: options.hidden ?? LSTM_AE_DEFAULTS.hidden };
      graph = buildLstmAe({ channels: C, windowSize, ...hyper }, rng);
    } else {
      hyper = {
        filters1: options.filters1 ?? CONV_AE_DEFAULTS.filters1,
        filters2: options.filters2 ?? CONV_AE_DEFAULTS.filters2,
        kernel: options.kernel ?? CONV_AE_DEFAULTS.kernel,
      };
      graph = buildConvAe({ channels: C, windowSize, ...hyper }, rng);
    }
  }
  const role: DetectorRole = architecture === 'lstm-forecaster' ? 'forecaster' : 'autoencoder';
  const meta = newMeta(options.name ?? architecture, architecture, role, channels, windowSize, horizon, { ...hyper, lr, seed }, options.clock);
  return new GraphDetector({ meta, graph, scaler: identityScalerParams(C), calibration: null, optimizer: null, clock: options.clock });
}

/** Restores a detector from what parts() (or persistence) gave; the graph is used as it is. */
export function detectorFromParts(parts: DetectorParts, options: { readonly clock?: DetectorClock } = {}): GraphDetector {
  return new GraphDetector({ ...parts, clock: options.clock });
}

export interface DetectorFromGraphOptions {
  readonly role?: DetectorRole;
  /** Channel names; required when the graph's input is [batch, time·channels]. */
  readonly channels?: readonly string[];
  readonly windowSize?: number;
  readonly horizon?: number;
  readonly name: string;
  /** Online fine-tuning learning rate (default 1e-3). */
  readonly lr?: number;
  readonly clock?: DetectorClock;
}

export function detectorFromGraph(graph: Graph, options: DetectorFromGraphOptions): GraphDetector {
  const names = options.channels === undefined ? undefined : checkChannels(options.channels);
  const io = inferIo(graph, { role: options.role, channels: names?.length, windowSize: options.windowSize, horizon: options.horizon });
  const channels = names ?? Array.from({ length: io.channels }, (_, c) => `ch${c}`);
  const lr = options.lr ?? DEFAULT_FINE_TUNE_LR;
  const meta = newMeta(options.name, 'onnx', io.role, channels, io.windowSize, io.horizon, { lr, graph: graph.name }, options.clock);
  const detector = new GraphDetector({ meta, graph, scaler: identityScalerParams(io.channels), calibration: null, optimizer: null, clock: options.clock });
  // A graph whose inner shapes do not fit the window would fail on every batch; refuse it now,
  // naming the node (GraphError), rather than when the first window arrives.
  try {
    detector.score(new Float32Array(io.windowSize * io.channels), 1);
  } catch (err) {
    throw new Error(`the graph cannot score a [${io.windowSize}, ${io.channels}] window: ${(err as Error).message}`, { cause: err });
  }
  return detector;
}

function checkChannels(channels: readonly string[] | undefined): readonly string[] {
  if (!Array.isArray(channels) || channels.length === 0) throw new Error('channels must be a non-empty list of channel names (the window column order)');
  if (new Set(channels).size !== channels.length) throw new Error(`channels must be distinct, got [${channels.join(', ')}]`);
  return [...channels];
}

function newMeta(
  name: string, architecture: Architecture, role: DetectorRole, channels: readonly string[], windowSize: number, horizon: number,
  hyper: Record<string, number | string | boolean>, clock: DetectorClock | undefined,
): DetectorMeta {
  const now = new Date(clock ? clock.now() : Date.now()).toISOString();
  return { name, version: '0.0', architecture, role, channels, windowSize, horizon, hyper, createdAt: now, updatedAt: now, trainedWindows: 0, fineTuneSteps: 0 };
}
