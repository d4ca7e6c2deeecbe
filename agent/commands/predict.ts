// vigil predict --model FILE --input IN.json [--backend engine|ort]: runs the model's graph once.
// IN.json is {"input": nested array} (a batch for the first graph input, e.g. [batch][time][channel]);
// stdout gets {"shape": [...], "output": nested array} for the first graph output. This is the raw
// graph, as any ONNX runtime would run it: a Vigil model expects values already scaled by its
// scaler (see `vigil inspect`). `--input -` reads standard input.
//   engine  Vigil's own GraphRunner (what the daemon runs)
//   ort     onnxruntime-node, imported only here so the daemon never needs it; useful to check that
//           Vigil and a reference runtime agree on a file
// Bad JSON, a ragged or non-numeric array, or a shape the model does not take: exit code 2 with a
// message naming the element or axis at fault.

import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { GraphRunner } from '../../engine/graph/runner.js';
import type { FloatTensor, Tensor } from '../../engine/tensor.js';
import { decodeModel } from '../../models/onnx/proto/index.js';
import { ModelFileError, loadModel, verifyBytes } from '../../models/persistence/index.js';
import { UsageError, readUserFile } from './errors.js';

type Dim = number | string | null;

export interface InputBatch {
  readonly shape: number[];
  readonly data: Float32Array;
}

/** {"input": nested array} → shape and row-major values; UsageError naming the element at fault. */
export function parseInputJson(text: string, file: string): InputBatch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('input' in json)) {
    throw new UsageError(`${file}: expected an object {"input": [...]} holding the batch as a nested array`);
  }
  const input = (json as { input: unknown }).input;
  const shape: number[] = [];
  for (let v: unknown = input; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  if (shape.length === 0) throw new UsageError(`${file}: "input" must be a nested array of numbers, got ${typeof input}`);
  if (shape.includes(0)) throw new UsageError(`${file}: "input" has an empty axis (shape [${shape.join(', ')}])`);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let k = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`${file}: ${path} must be a finite number, got ${JSON.stringify(v) ?? typeof v}`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v)) throw new UsageError(`${file}: ${path} must be an array of ${shape[depth]} (the input is ragged), got ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}`);
    if (v.length !== shape[depth]) throw new UsageError(`${file}: ${path} has ${v.length} entries, expected ${shape[depth]} like the first one (the input must be rectangular)`);
    v.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
  };
  walk(input, 0, 'input');
  return { shape, data };
}

/** Row-major values → nested arrays of the given shape. */
export function toNested(data: ArrayLike<number>, shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  let k = 0;
  const build = (depth: number): unknown[] => {
    const out = new Array<unknown>(shape[depth]);
    for (let i = 0; i < shape[depth]; i++) out[i] = depth === shape.length - 1 ? data[k++] : build(depth + 1);
    return out;
  };
  return build(0);
}

function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** Checks a batch against a declared input shape; UsageError naming the axis. */
export function checkShape(batch: InputBatch, name: string, declared: readonly Dim[] | null, file: string): void {
  if (declared === null) return;
  const got = shapeText(batch.shape);
  if (declared.length !== batch.shape.length) {
    throw new UsageError(`${file}: input has shape ${got} (rank ${batch.shape.length}) but the model's input '${name}' is ${shapeText(declared)} (rank ${declared.length})`);
  }
  declared.forEach((d, i) => {
    if (typeof d === 'number' && d > 0 && batch.shape[i] !== d) {
      throw new UsageError(`${file}: input has shape ${got} but the model's input '${name}' is ${shapeText(declared)}: axis ${i} must be ${d}`);
    }
  });
}

interface Prediction {
  readonly shape: number[];
  readonly output: ArrayLike<number>;
}

async function predictEngine(modelPath: string, batch: InputBatch, inputFile: string, publicKey: string | undefined): Promise<Prediction> {
  const loaded = await loadModel(modelPath, { requireSignature: publicKey !== undefined, publicKey, optimizerState: 'lenient' });
  const graph = loaded.kind === 'vigil' ? loaded.parts.graph : loaded.graph;
  const input = graph.inputs[0];
  if (graph.inputs.length > 1) throw new UsageError(`${modelPath}: the model has ${graph.inputs.length} inputs (${graph.inputs.map((i) => i.name).join(', ')}); predict feeds one`);
  if (input.dtype !== 'float32') throw new UsageError(`${modelPath}: the model's input '${input.name}' is ${input.dtype}; predict feeds float tensors`);
  checkShape(batch, input.name, input.shape, inputFile);
  const feed: FloatTensor = { dtype: 'float32', shape: batch.shape, data: batch.data };
  const out: Tensor = new GraphRunner(graph).run({ [input.name]: feed })[graph.outputs[0].name];
  return { shape: [...out.shape], output: out.data };
}

async function predictOrt(modelPath: string, batch: InputBatch, inputFile: string, publicKey: string | undefined): Promise<Prediction> {
  const bytes = await readFile(modelPath).catch((err: Error) => {
    throw new ModelFileError(modelPath, `cannot read it: ${err.message}`);
  });
  if (publicKey !== undefined) await verifyBytes(bytes, modelPath, publicKey);
  let model;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new ModelFileError(modelPath, `not a readable ONNX model: ${(err as Error).message}`);
  }
  const inits = new Set(model.graph.initializer.map((t) => t.name));
  const inputs = model.graph.input.filter((v) => !inits.has(v.name));
  if (inputs.length !== 1) throw new UsageError(`${modelPath}: the model has ${inputs.length} inputs; predict feeds one`);
  const dims = inputs[0].type?.tensorType?.shape?.dim;
  checkShape(batch, inputs[0].name, dims ? dims.map((d) => d.dimValue ?? d.dimParam ?? null) : null, inputFile);
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (err) {
    throw new UsageError(`--backend ort needs the onnxruntime-node package, which cannot be loaded here (${(err as Error).message}); use --backend engine`);
  }
  const session = await ort.InferenceSession.create(bytes);
  try {
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', batch.data, batch.shape) });
    const out = result[session.outputNames[0]];
    const data = out.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new Error(`output '${session.outputNames[0]}' is ${out.type}, predict prints float outputs`);
    return { shape: [...out.dims], output: data };
  } finally {
    await session.release();
  }
}

export function predictCommand(): Command {
  return new Command('predict')
    .description('run a model on a batch from a JSON file; prints {"shape", "output"} as JSON')
    .requiredOption('--model <file>', 'the model file (Vigil or any ONNX model)')
    .requiredOption('--input <file>', 'JSON {"input": nested array} for the first graph input (- for stdin)')
    .addOption(new Option('--backend <name>', 'engine: Vigil\'s runtime; ort: onnxruntime-node').choices(['engine', 'ort']).default('engine'))
    .option('--public-key <pem>', 'refuse the model unless its .sig verifies with this key')
    .addHelpText('after', `
The batch is fed to the graph as it is: a Vigil model expects scaled values (its scaler is shown
by \`vigil inspect\`). Example: {"input": [[[0.1, 0.2, 0.3], ...]]} for a [batch, time, channels] input.
Exit code 2 when the JSON, its shape or the model is wrong.`)
    .action(async (opts: { model: string; input: string; backend: 'engine' | 'ort'; publicKey?: string }) => {
      const text = opts.input === '-' ? await readStdin() : await readUserFile(opts.input, 'the input JSON');
      const inputName = opts.input === '-' ? 'stdin' : opts.input;
      const batch = parseInputJson(text, inputName);
      const publicKey = opts.publicKey === undefined ? undefined : await readUserFile(opts.publicKey, 'the public key');
      const run = opts.backend === 'ort' ? predictOrt : predictEngine;
      const { shape, output } = await run(opts.model, batch, inputName, publicKey);
      process.stdout.write(`${JSON.stringify({ shape, output: toNested(output, shape) })}\n`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
