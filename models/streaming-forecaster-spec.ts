// Recognises a stacked-LSTM forecaster in a graph, whoever built it (Vigil's lstm-forecaster or
// a PyTorch export): forward LSTM nodes, each fed by the one before, zero initial state, then one
// Gemm head on the last layer's final h. Everything else in the graph must be plumbing (shape
// ops that move no arithmetic). The result names the weights, so the stateful stream and its
// truncated-BPTT training graph use the detector's own parameters. Whether the head really
// reads the LAST step is checked numerically by the stream (streaming-forecaster.ts).

import { attrNumber, attrString, type Graph, type GraphNode } from '../engine/graph/graph.js';
import type { Tensor } from '../engine/tensor.js';

export interface LstmLayerSpec {
  readonly node: string;
  readonly W: string; // [1, 4H, F] ONNX gate order i,o,f,c
  readonly R: string; // [1, 4H, H]
  readonly B: string | null; // [1, 8H]
  readonly inputSize: number;
  readonly hidden: number;
}

export interface HeadSpec {
  readonly node: string;
  readonly weight: string; // Gemm B: [N, H] with transB, else [H, N]
  readonly bias: string | null; // Gemm C: N values (or one, broadcast)
  readonly transB: boolean;
  readonly alpha: number;
  readonly beta: number;
  readonly outputs: number; // N = horizon·C
}

export interface StackedLstmSpec {
  readonly layers: readonly LstmLayerSpec[];
  readonly head: HeadSpec;
}

const PLUMBING: ReadonlySet<string> = new Set([
  'Shape', 'Constant', 'ConstantOfShape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Transpose', 'Slice', 'Reshape', 'Flatten', 'Identity', 'Dropout', 'Cast',
]);

const HINT = 'the stateful stream runs graphs shaped LSTM layers → last step → Gemm (lstm-forecaster, or the same exported from PyTorch)';

export function weightTensor(graph: Graph, name: string, where: string): Tensor {
  if (graph.params.has(name)) {
    const p = graph.params.get(name);
    return { dtype: 'float32', shape: p.shape, data: p.value };
  }
  const c = graph.constants.get(name);
  if (!c) throw new Error(`${where}: '${name}' is not an initializer (weights computed inside the graph are not supported); ${HINT}`);
  return c;
}

function isZeroState(graph: Graph, name: string | undefined): boolean {
  if (!name) return true;
  const producer = graph.nodes.find((n) => n.outputs.includes(name));
  if (producer?.op !== 'ConstantOfShape') return false;
  const v = producer.attrs.value as Tensor | undefined;
  return v === undefined || Array.from(v.data).every((x) => x === 0);
}

export function extractStackedLstm(graph: Graph, channels: number, horizon: number): StackedLstmSpec {
  const layers: LstmLayerSpec[] = [];
  let head: HeadSpec | null = null;
  const where = (n: GraphNode): string => `${n.op} node '${n.name}'`;
  for (const n of graph.nodes) {
    if (PLUMBING.has(n.op)) continue;
    if (n.op === 'LSTM') {
      if (head) throw new Error(`${where(n)} comes after the head; ${HINT}`);
      if (attrString(n, 'direction', 'forward') !== 'forward') throw new Error(`${where(n)} is ${attrString(n, 'direction', '')}: a stream only runs forward in time`);
      if (n.inputs[4]) throw new Error(`${where(n)} has sequence_lens; ${HINT}`);
      if (!isZeroState(graph, n.inputs[5]) || !isZeroState(graph, n.inputs[6])) {
        throw new Error(`${where(n)} starts from a computed initial state; ${HINT} (initial state absent or zeros)`);
      }
      const W = weightTensor(graph, n.inputs[1], where(n));
      const H = W.shape[1] / 4;
      const F = W.shape[2];
      const expectF = layers.length === 0 ? channels : layers[layers.length - 1].hidden;
      if (F !== expectF) throw new Error(`${where(n)} takes ${F} inputs, expected ${expectF} (${layers.length === 0 ? 'the channels' : 'the previous layer\'s hidden size'}); ${HINT}`);
      layers.push({ node: n.name, W: n.inputs[1], R: n.inputs[2], B: n.inputs[3] || null, inputSize: F, hidden: H });
      continue;
    }
    if (n.op === 'Gemm') {
      if (head) throw new Error(`${where(n)} is a second Gemm; ${HINT}`);
      if (layers.length === 0) throw new Error(`${where(n)} comes before any LSTM; ${HINT}`);
      if (attrNumber(n, 'transA', 0) !== 0) throw new Error(`${where(n)} has transA; ${HINT}`);
      const transB = attrNumber(n, 'transB', 0) !== 0;
      const w = weightTensor(graph, n.inputs[1], where(n));
      const H = layers[layers.length - 1].hidden;
      const [N, K] = transB ? [w.shape[0], w.shape[1]] : [w.shape[1], w.shape[0]];
      if (w.shape.length !== 2 || K !== H) throw new Error(`${where(n)} weight [${w.shape}] does not read the last layer's ${H} hidden units; ${HINT}`);
      if (N !== horizon * channels) throw new Error(`${where(n)} gives ${N} values, the detector forecasts ${horizon}·${channels}; ${HINT}`);
      const biasName = n.inputs[2] || null;
      if (biasName) {
        const b = weightTensor(graph, biasName, where(n));
        if (b.data.length !== N && b.data.length !== 1) throw new Error(`${where(n)} bias [${b.shape}] is not ${N} values; ${HINT}`);
      }
      head = { node: n.name, weight: n.inputs[1], bias: biasName, transB, alpha: attrNumber(n, 'alpha', 1), beta: attrNumber(n, 'beta', 1), outputs: N };
      continue;
    }
    throw new Error(`${where(n)} does arithmetic a stacked-LSTM forecaster does not; ${HINT}`);
  }
  if (layers.length === 0) throw new Error(`the graph has no LSTM node; ${HINT}`);
  if (!head) throw new Error(`the graph has no Gemm head after its LSTM layers; ${HINT}`);
  return { layers, head };
}
