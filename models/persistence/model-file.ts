// A Vigil model file is a standard ONNX file (any runtime runs it) holding exactly DetectorParts:
// the graph and its weights as ONNX, meta / scaler / calibration in metadata_props (metadata.ts),
// and the optimizer moments beside it in `<file>.state` (optimizer-state.ts).
//   saveModel   validates, then writes the sidecar and the model atomically (atomic-write.ts);
//               with no optimizer state, a leftover sidecar is removed
//   loadModel   → { kind: 'vigil', parts } for Vigil files; → { kind: 'foreign', graph } for other
//               ONNX files (no vigil.meta), which callers wrap with detectorFromGraph. Optionally
//               refuses files whose `<file>.sig` does not verify (signing.ts).
// Every failure is a ModelFileError naming the file and the field or reason; nothing else escapes.

import { readFile, unlink } from 'node:fs/promises';
import type { Graph } from '../../engine/graph/graph.js';
import type { OptimizerState } from '../../engine/optim/optimizer.js';
import type { DetectorParts } from '../detector.js';
import { exportOnnx } from '../onnx/export.js';
import { importOnnx } from '../onnx/import.js';
import { type OnnxModel, decodeModel, encodeModel } from '../onnx/proto/index.js';
import { type AtomicIo, writeFileAtomic } from './atomic-write.js';
import { ModelFileError, describeIoError, messageOf } from './errors.js';
import { FieldError } from './fields.js';
import { checkGraphMatchesMeta, decodeVigilMetadata, encodeVigilMetadata } from './metadata.js';
import { decodeOptimizerState, encodeOptimizerState, sha256Hex } from './optimizer-state.js';
import { verifyBytes } from './signing.js';

export function statePath(path: string): string {
  return `${path}.state`;
}

export interface SaveOptions {
  /** File-system calls (tests inject failures). */
  readonly io?: AtomicIo;
}

export interface LoadOptions {
  /** Load only when `<file>.sig` verifies with `publicKey`. */
  readonly requireSignature?: boolean;
  /** The fleet's Ed25519 public key, PEM (SPKI). */
  readonly publicKey?: string;
  /**
   * A `.state` sidecar that cannot be read: 'strict' (default) refuses to load, 'lenient' loads the
   * model without optimizer state and says so in `warnings` (fine-tuning restarts its moments).
   * A sidecar saved with another version of the model is always dropped with a warning.
   */
  readonly optimizerState?: 'strict' | 'lenient';
}

interface LoadedBase {
  readonly file: string;
  /** True when the signature was required and verified. */
  readonly verified: boolean;
  /** Things the caller may want to log (a stale or unreadable optimizer state). */
  readonly warnings: readonly string[];
}

export interface LoadedVigilModel extends LoadedBase {
  readonly kind: 'vigil';
  readonly formatVersion: number;
  readonly parts: DetectorParts;
}

/** An ONNX file from another tool: no Vigil metadata. Wrap it with detectorFromGraph. */
export interface LoadedForeignModel extends LoadedBase {
  readonly kind: 'foreign';
  readonly graph: Graph;
  /** The file's own metadata_props. */
  readonly metadata: Readonly<Record<string, string>>;
}

export type LoadedModel = LoadedVigilModel | LoadedForeignModel;

/** The model file's bytes for `parts` (validated); `path` only names the file in errors. */
export function encodeModelFile(parts: DetectorParts, path = 'model'): Uint8Array {
  try {
    const metadata = encodeVigilMetadata(parts.meta, parts.scaler, parts.calibration);
    checkGraphMatchesMeta(parts.graph, parts.meta);
    return encodeModel(exportOnnx(parts.graph, { metadata, docString: `Vigil ${parts.meta.architecture} detector '${parts.meta.name}'` }));
  } catch (err) {
    throw new ModelFileError(path, `cannot save: ${messageOf(err)}`, { cause: err });
  }
}

export async function saveModel(path: string, parts: DetectorParts, options: SaveOptions = {}): Promise<void> {
  const bytes = encodeModelFile(parts, path);
  const sidecar = statePath(path);
  if (parts.optimizer !== null) {
    // Sidecar first: it carries the new model's hash, so a crash between the two renames leaves a
    // sidecar that loadModel recognises as not belonging to the model on disk.
    await writeFileAtomic(sidecar, encodeOptimizerState(parts.optimizer, sha256Hex(bytes)), { io: options.io });
    await writeFileAtomic(path, bytes, { io: options.io });
  } else {
    await writeFileAtomic(path, bytes, { io: options.io });
    await unlink(sidecar).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw new ModelFileError(sidecar, `cannot remove the outdated optimizer state: ${describeIoError(err)}`);
    });
  }
}

export async function loadModel(path: string, options: LoadOptions = {}): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelFileError(path, `cannot read it: ${describeIoError(err)}`, { cause: err });
  }
  let verified = false;
  if (options.requireSignature) {
    if (options.publicKey === undefined) throw new ModelFileError(path, 'a signature is required but no public key was given to check it with');
    try {
      await verifyBytes(bytes, path, options.publicKey);
    } catch (err) {
      if (err instanceof ModelFileError) throw err;
      throw new ModelFileError(path, `refused: ${messageOf(err)}`, { cause: err });
    }
    verified = true;
  }
  const decoded = decodeModelFile(bytes, path);
  if (decoded.kind === 'foreign') return { ...decoded, verified, warnings: [] };
  const warnings: string[] = [];
  const optimizer = await loadOptimizerState(path, bytes, decoded.parts.graph, options.optimizerState ?? 'strict', warnings);
  return { ...decoded, parts: { ...decoded.parts, optimizer }, verified, warnings };
}

export type DecodedModelFile =
  | { readonly kind: 'vigil'; readonly file: string; readonly formatVersion: number; readonly parts: DetectorParts }
  | { readonly kind: 'foreign'; readonly file: string; readonly graph: Graph; readonly metadata: Readonly<Record<string, string>> };

/** Bytes of a model file → parts (optimizer null: it lives in the sidecar) or a foreign graph. */
export function decodeModelFile(bytes: Uint8Array, path: string): DecodedModelFile {
  let onnx: OnnxModel;
  try {
    onnx = decodeModel(bytes);
  } catch (err) {
    throw new ModelFileError(path, `not a readable ONNX model: ${messageOf(err)}`, { cause: err });
  }
  const props = new Map<string, string>();
  for (const { key, value } of onnx.metadataProps) {
    if (key.startsWith('vigil.') && props.has(key)) throw new ModelFileError(path, `metadata_props holds ${key} twice`);
    props.set(key, value);
  }
  let graph: Graph;
  try {
    graph = importOnnx(onnx);
  } catch (err) {
    throw new ModelFileError(path, `Vigil cannot run this model: ${messageOf(err)}`, { cause: err });
  }
  try {
    const vigil = decodeVigilMetadata(props);
    if (vigil === null) return { kind: 'foreign', file: path, graph, metadata: Object.fromEntries(props) };
    checkGraphMatchesMeta(graph, vigil.meta);
    const parts: DetectorParts = { meta: vigil.meta, graph, scaler: vigil.scaler, calibration: vigil.calibration, optimizer: null };
    return { kind: 'vigil', file: path, formatVersion: vigil.formatVersion, parts };
  } catch (err) {
    if (err instanceof FieldError) throw new ModelFileError(path, err.message, { cause: err });
    throw new ModelFileError(path, `cannot read Vigil's metadata: ${messageOf(err)}`, { cause: err });
  }
}

async function loadOptimizerState(path: string, modelBytes: Uint8Array, graph: Graph, mode: 'strict' | 'lenient', warnings: string[]): Promise<OptimizerState | null> {
  const sidecar = statePath(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(sidecar);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return unusable(new ModelFileError(sidecar, `cannot read it: ${describeIoError(err)}`), mode, warnings);
  }
  try {
    const { state, modelSha256 } = decodeOptimizerState(bytes, sidecar);
    if (modelSha256 !== sha256Hex(modelBytes)) {
      warnings.push(`${sidecar}: saved with another version of ${path}; ignored, fine-tuning restarts its optimizer moments`);
      return null;
    }
    for (const [name, buf] of Object.entries(state.buffers)) {
      if (buf.length !== graph.params.size) {
        throw new ModelFileError(sidecar, `optimizer buffer '${name}' has ${buf.length} values but the model has ${graph.params.size} parameters`);
      }
    }
    return state;
  } catch (err) {
    return unusable(err instanceof ModelFileError ? err : new ModelFileError(sidecar, messageOf(err)), mode, warnings);
  }
}

function unusable(err: ModelFileError, mode: 'strict' | 'lenient', warnings: string[]): null {
  if (mode === 'strict') throw err;
  warnings.push(`${err.message}; loaded without optimizer state`);
  return null;
}
