// How a detector's windows map onto its graph's first input and first output. A window is
// [windowSize, C] row-major; the graph sees either [B, T, C] (rank 3) or [B, T·C] (rank 2),
// which are the same bytes, so only the tensor shape differs:
//   autoencoder  input = the whole window (T = windowSize), output = its reconstruction,
//                compared with the input
//   forecaster   input = the first windowSize - horizon samples, output = [B, C], [B, horizon, C]
//                or [B, horizon·C], compared with the last `horizon` samples
// inferIo reads the sizes from the graph's declared shapes when they are not given (imported
// graphs), and says which option to pass when the shapes cannot be understood.

import type { Graph, ValueInfo } from '../engine/graph/graph.js';
import type { DetectorRole } from './detector.js';

export interface DetectorIo {
  readonly role: DetectorRole;
  readonly channels: number;
  readonly windowSize: number;
  readonly horizon: number;
  /** Samples fed to the graph per window. */
  readonly inputSteps: number;
  /** Samples compared per window (autoencoder: windowSize; forecaster: horizon). */
  readonly comparedSteps: number;
  /** Graph input rank: 3 for [B, T, C], 2 for [B, T·C]. */
  readonly inputRank: 2 | 3;
  readonly inputName: string;
  readonly outputName: string;
}

export interface IoHints {
  readonly role?: DetectorRole;
  readonly channels?: number;
  readonly windowSize?: number;
  readonly horizon?: number;
}

type Dims = readonly (number | string | null)[] | null;

const known = (d: number | string | null | undefined): d is number => typeof d === 'number' && d > 0;

function describe(v: ValueInfo): string {
  return v.shape === null ? `'${v.name}' (shape unknown)` : `'${v.name}' [${v.shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

/** Infers the window layout of a graph; hints override and are checked against the shapes. */
export function inferIo(graph: Graph, hints: IoHints = {}): DetectorIo {
  if (graph.inputs.length !== 1) {
    throw new Error(`a detector graph takes exactly one input (the window), this one has ${graph.inputs.length}: ${graph.inputs.map(describe).join(', ')}`);
  }
  if (graph.outputs.length < 1) throw new Error('a detector graph needs an output');
  const input = graph.inputs[0];
  const output = graph.outputs[0];
  if (input.dtype !== 'float32' || output.dtype !== 'float32') throw new Error(`detector graph input and output must be float tensors: input ${describe(input)}, output ${describe(output)}`);
  const inShape: Dims = input.shape;
  const outShape: Dims = output.shape;
  const rank = inShape?.length;
  if (rank !== undefined && rank !== 2 && rank !== 3) {
    throw new Error(`detector graph input ${describe(input)} must be [batch, time, channels] or [batch, time·channels]`);
  }
  const inputRank: 2 | 3 = (rank ?? 3) as 2 | 3;
  const need = (what: string): never => {
    throw new Error(`cannot infer ${what} from graph input ${describe(input)} and output ${describe(output)}; pass ${what} explicitly`);
  };

  // Channels and input steps.
  let C = hints.channels;
  let inSteps: number | undefined;
  if (inputRank === 3 && inShape) {
    if (known(inShape[2])) {
      if (C !== undefined && C !== inShape[2]) throw new Error(`channels ${C} disagrees with graph input ${describe(input)} (${inShape[2]} channels)`);
      C = inShape[2];
    }
    if (known(inShape[1])) inSteps = inShape[1];
  }
  if (C === undefined) return need('channels');
  if (inputRank === 2 && inShape && known(inShape[1])) {
    if (inShape[1] % C !== 0) throw new Error(`graph input ${describe(input)} holds ${inShape[1]} values per window, not a multiple of ${C} channels`);
    inSteps = inShape[1] / C;
  }

  // Output values per window, when declared.
  let outPerWindow: number | undefined;
  let outRank3Steps: number | undefined;
  if (outShape && outShape.length >= 2 && outShape.slice(1).every(known)) {
    outPerWindow = (outShape.slice(1) as number[]).reduce((p, d) => p * d, 1);
    if (outShape.length === 3) {
      if (outShape[2] !== C) throw new Error(`graph output ${describe(output)} has ${outShape[2]} channels, the input ${C}`);
      outRank3Steps = outShape[1] as number;
    }
  }

  // Role: explicit, or an output shaped like the input is an autoencoder, else a forecaster.
  let role = hints.role;
  if (role === undefined) {
    if (outPerWindow === undefined || inSteps === undefined) {
      if (hints.horizon !== undefined) role = hints.horizon > 0 ? 'forecaster' : 'autoencoder';
      else return need("role ('autoencoder' or 'forecaster')");
    } else {
      role = outPerWindow === inSteps * C && outShape!.length === inShape!.length ? 'autoencoder' : 'forecaster';
    }
  }

  let horizon: number;
  let windowSize: number;
  if (role === 'autoencoder') {
    if (hints.horizon !== undefined && hints.horizon !== 0) throw new Error(`an autoencoder has horizon 0, got ${hints.horizon}`);
    horizon = 0;
    windowSize = hints.windowSize ?? inSteps ?? need('windowSize');
    if (inSteps !== undefined && windowSize !== inSteps) throw new Error(`windowSize ${windowSize} disagrees with graph input ${describe(input)} (${inSteps} steps)`);
    if (outPerWindow !== undefined && outPerWindow !== windowSize * C) {
      throw new Error(`an autoencoder reconstructs its input, but graph output ${describe(output)} is not shaped like input ${describe(input)}`);
    }
  } else {
    const fromOut = outRank3Steps ?? (outPerWindow !== undefined ? outPerWindow / C : undefined);
    if (fromOut !== undefined && !Number.isInteger(fromOut)) throw new Error(`graph output ${describe(output)} holds ${outPerWindow} values per window, not a multiple of ${C} channels`);
    horizon = hints.horizon ?? fromOut ?? (hints.windowSize !== undefined && inSteps !== undefined ? hints.windowSize - inSteps : need('horizon'));
    if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`a forecaster's horizon must be an integer >= 1, got ${horizon}`);
    if (fromOut !== undefined && fromOut !== horizon) throw new Error(`horizon ${horizon} disagrees with graph output ${describe(output)} (${fromOut} samples)`);
    windowSize = hints.windowSize ?? (inSteps !== undefined ? inSteps + horizon : need('windowSize'));
    if (inSteps !== undefined && windowSize !== inSteps + horizon) {
      throw new Error(`windowSize ${windowSize} disagrees with graph input ${describe(input)}: a forecaster's window is its ${inSteps} input steps plus horizon ${horizon}`);
    }
  }
  if (!Number.isInteger(windowSize) || windowSize <= horizon) throw new Error(`windowSize must be an integer > horizon (${horizon}), got ${windowSize}`);
  if (!Number.isInteger(C) || C < 1) throw new Error(`channels must be a positive integer, got ${C}`);
  return {
    role,
    channels: C,
    windowSize,
    horizon,
    inputSteps: windowSize - horizon,
    comparedSteps: role === 'autoencoder' ? windowSize : horizon,
    inputRank,
    inputName: input.name,
    outputName: output.name,
  };
}
