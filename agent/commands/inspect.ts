// vigil inspect FILE [--json] [--public-key PEM]: what a model file holds, without running it.
//   ONNX     IR and opset, producer, inputs and outputs with shapes, nodes by op and in order,
//            initializers and parameter count (models/onnx/summary.ts)
//   Vigil    format version, name and version, architecture and role, window and channels, the
//            scaler and calibration per channel, training counters (decoded from metadata_props)
//   engine   whether Vigil's runtime can run the graph, and its trainable parameter count
//   sidecars the optimizer state (and whether it belongs to this file) and the signature
//            (verified when --public-key is given)
// --json prints the same as one JSON object. A file whose Vigil metadata is invalid, or whose
// signature does not verify, is reported and then fails with exit code 2.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Graph } from '../../engine/graph/graph.js';
import type { Calibration, DetectorMeta, ScalerParams } from '../../models/detector.js';
import { importOnnx, parameterCount } from '../../models/onnx/import.js';
import { type OnnxModel, decodeModel } from '../../models/onnx/proto/index.js';
import { type ModelSummary, formatSummary, summarizeModel } from '../../models/onnx/summary.js';
import { ModelFileError, decodeOptimizerState, signatureProblem, signaturePath, statePath } from '../../models/persistence/index.js';
import { checkGraphMatchesMeta, decodeVigilMetadata } from '../../models/persistence/metadata.js';
import { UsageError, readUserFile } from './errors.js';

export interface InspectReport {
  readonly file: string;
  readonly bytes: number;
  /** The ONNX view; Vigil's own metadata_props are decoded into `vigil` instead of listed here. */
  readonly onnx: ModelSummary;
  readonly vigil: { readonly formatVersion: number; readonly meta: DetectorMeta; readonly scaler: ScalerParams; readonly calibration: Calibration | null } | null;
  /** Why Vigil's metadata could not be read (the file will not load). */
  readonly vigilError: string | null;
  readonly engine: { readonly runnable: true; readonly trainableParameters: number } | { readonly runnable: false; readonly reason: string };
  readonly optimizerState:
    | { readonly file: string; readonly kind: string; readonly stepCount: number; readonly lr: number; readonly matchesModel: boolean }
    | { readonly file: string; readonly error: string }
    | null;
  readonly signature: { readonly file: string; readonly verified: boolean | null; readonly problem: string | null } | null;
}

export async function inspectFile(file: string, publicKey?: string): Promise<InspectReport> {
  const bytes = await readFile(file).catch((err: Error) => {
    throw new ModelFileError(file, `cannot read it: ${err.message}`);
  });
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new ModelFileError(file, `not a readable ONNX model: ${(err as Error).message}`);
  }
  const summary = summarizeModel(model);
  const onnx = { ...summary, metadata: summary.metadata.filter((m) => !m.key.startsWith('vigil.')) };
  let engine: InspectReport['engine'];
  let graph: Graph | undefined;
  try {
    graph = importOnnx(model);
    engine = { runnable: true, trainableParameters: parameterCount(graph) };
  } catch (err) {
    engine = { runnable: false, reason: (err as Error).message };
  }
  let vigil: InspectReport['vigil'] = null;
  let vigilError: string | null = null;
  try {
    const decoded = decodeVigilMetadata(new Map(model.metadataProps.map((m) => [m.key, m.value])));
    if (decoded !== null && graph) checkGraphMatchesMeta(graph, decoded.meta);
    vigil = decoded;
  } catch (err) {
    vigilError = (err as Error).message;
  }
  return { file, bytes: bytes.length, onnx, vigil, vigilError, engine, optimizerState: await stateReport(file, bytes), signature: await signatureReport(file, bytes, publicKey) };
}

async function stateReport(file: string, bytes: Uint8Array): Promise<InspectReport['optimizerState']> {
  const path = statePath(file);
  if (!existsSync(path)) return null;
  try {
    const { state, modelSha256 } = decodeOptimizerState(await readFile(path), path);
    const hash = createHash('sha256').update(bytes).digest('hex');
    return { file: path, kind: state.kind, stepCount: state.stepCount, lr: state.lr, matchesModel: hash === modelSha256 };
  } catch (err) {
    return { file: path, error: (err as Error).message };
  }
}

async function signatureReport(file: string, bytes: Uint8Array, publicKey: string | undefined): Promise<InspectReport['signature']> {
  const path = signaturePath(file);
  if (!existsSync(path)) return publicKey === undefined ? null : { file: path, verified: false, problem: `${path} does not exist` };
  if (publicKey === undefined) return { file: path, verified: null, problem: null };
  const problem = signatureProblem(bytes, await readFile(path, 'utf8'), publicKey);
  return { file: path, verified: problem === null, problem };
}

/** Escapes control characters (names come from the file) and cuts long strings. */
function clean(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const num = (x: number): string => (Number.isInteger(x) ? x.toLocaleString('en-US') : Number(x.toPrecision(5)).toString());

export function formatReport(r: InspectReport): string {
  const lines = [`${clean(r.file)} (${r.bytes.toLocaleString('en-US')} bytes)`, formatSummary(r.onnx)];
  lines.push(r.engine.runnable
    ? `Vigil engine: runs it; ${r.engine.trainableParameters.toLocaleString('en-US')} trainable parameters`
    : `Vigil engine: cannot run it: ${clean(r.engine.reason, 300)}`);
  if (r.vigil) lines.push(...vigilLines(r.vigil));
  else if (r.vigilError) lines.push(`Vigil detector: INVALID metadata: ${clean(r.vigilError, 300)}`);
  else lines.push('Vigil detector: none (a foreign ONNX model: Vigil wraps it, inferring role and sizes from its shapes)');
  const s = r.optimizerState;
  if (s === null) lines.push('  optimizer state: none');
  else if ('error' in s) lines.push(`  optimizer state: ${clean(s.file)}: unreadable: ${clean(s.error, 300)}`);
  else lines.push(`  optimizer state: ${s.kind}, ${num(s.stepCount)} steps, lr ${num(s.lr)} (${clean(s.file)}${s.matchesModel ? '' : '; saved with another version of the model, will be ignored'})`);
  const g = r.signature;
  if (g === null) lines.push('  signature:       none');
  else if (g.verified === null) lines.push(`  signature:       ${clean(g.file)} (not checked: pass --public-key)`);
  else lines.push(`  signature:       ${g.verified ? 'verified' : `REFUSED: ${clean(g.problem ?? '')}`} (${clean(g.file)})`);
  return lines.join('\n');
}

function vigilLines(v: NonNullable<InspectReport['vigil']>): string[] {
  const { meta, scaler, calibration } = v;
  const C = meta.channels.length;
  const role = meta.role === 'forecaster'
    ? `forecaster: predicts ${meta.horizon} sample${meta.horizon === 1 ? '' : 's'} from the ${meta.windowSize - meta.horizon} before`
    : 'autoencoder: reconstructs the window';
  const hyper = Object.entries(meta.hyper).map(([k, x]) => `${clean(k)}=${clean(String(x))}`).join(' ');
  const lines = [
    `Vigil detector (model file format ${v.formatVersion})`,
    `  name:            ${clean(meta.name)}, version ${clean(meta.version)}`,
    `  architecture:    ${meta.architecture} (${role})`,
    `  window:          ${meta.windowSize} samples × ${C} channel${C === 1 ? '' : 's'}`,
    `  hyper:           ${hyper || '(none)'}`,
    `  created:         ${clean(meta.createdAt)}, updated ${clean(meta.updatedAt)}`,
    `  trained on:      ${num(meta.trainedWindows)} windows, ${num(meta.fineTuneSteps)} fine-tune steps since`,
  ];
  if (calibration) {
    const q = quantileEntries(calibration.quantiles).map(([k, x]) => `${k === '1' ? 'max' : `p${Number(k) * 100}`} ${num(x)}`).join('  ');
    lines.push(`  calibration:     ${num(calibration.windows)} windows; score mean ${num(calibration.mean)}, std ${num(calibration.std)}`);
    lines.push(`    quantiles:     ${q}`);
  } else {
    lines.push('  calibration:     none (not fitted or calibrated yet)');
  }
  const w = Math.max(7, ...meta.channels.map((c) => clean(c).length));
  lines.push(`  ${'channel'.padEnd(w)}  ${'mean'.padStart(11)}  ${'std'.padStart(11)}${calibration ? `  ${'score mean'.padStart(11)}  ${'score std'.padStart(11)}` : ''}`);
  meta.channels.forEach((c, i) => {
    const cal = calibration ? `  ${num(calibration.perChannelMean[i]).padStart(11)}  ${num(calibration.perChannelStd[i]).padStart(11)}` : '';
    lines.push(`  ${clean(c).padEnd(w)}  ${num(scaler.mean[i]).padStart(11)}  ${num(scaler.std[i]).padStart(11)}${cal}`);
  });
  return lines;
}

export function inspectCommand(): Command {
  return new Command('inspect')
    .description('show what a model file holds: graph, inputs and outputs, Vigil metadata, parameters')
    .argument('<file>', 'a model file (Vigil or any ONNX model)')
    .option('--json', 'print one JSON object instead of text', false)
    .option('--public-key <pem>', 'also verify FILE.sig with this key')
    .action(async (file: string, opts: { json: boolean; publicKey?: string }) => {
      const publicKey = opts.publicKey === undefined ? undefined : await readUserFile(opts.publicKey, 'the public key');
      const report = await inspectFile(file, publicKey);
      process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
      if (report.vigilError) throw new UsageError(`${file}: will not load: ${report.vigilError}`);
      if (report.signature?.verified === false) throw new UsageError(`${file}: signature refused: ${report.signature.problem}`);
    });
}

/** Quantiles in increasing order (an object lists '1' before '0.5'). */
function quantileEntries(q: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(q).sort((a, b) => Number(a[0]) - Number(b[0]));
}
