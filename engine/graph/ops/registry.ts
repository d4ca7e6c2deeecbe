// Every operator Vigil can run, by ONNX op_type. One explicit table (no registration by
// side-effect imports): what is not here is reported as unsupported, naming the node.

import { type GraphNode, GraphError } from '../graph.js';
import type { Op } from '../op.js';
import { LeakyRelu, Relu, Sigmoid, Tanh } from './activations.js';
import { Concat } from './concat.js';
import { Conv, ConvTranspose } from './conv.js';
import { Cast, Constant, ConstantOfShape, Shape } from './constants.js';
import { Add, Div, Mul, Sub } from './elementwise.js';
import { Expand, Gather, Slice, Tile, Transpose } from './gather-map.js';
import { Gemm } from './gemm.js';
import { LSTM } from './lstm.js';
import { MatMul } from './matmul.js';
import { Dropout, Flatten, Identity, Reshape, Squeeze, Unsqueeze } from './reshape.js';

const OPS: Readonly<Record<string, Op>> = {
  Add, Sub, Mul, Div,
  Relu, LeakyRelu, Sigmoid, Tanh,
  Gemm, MatMul,
  LSTM, Conv, ConvTranspose,
  Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout,
  Transpose, Slice, Gather, Expand, Tile, Concat,
  Shape, Constant, ConstantOfShape, Cast,
};

export function supportedOps(): string[] {
  return Object.keys(OPS).sort();
}

export function lookupOp(node: GraphNode): Op {
  const op = OPS[node.op];
  if (!op) throw new GraphError(node, `operator '${node.op}' is not supported (Vigil runs: ${supportedOps().join(', ')})`);
  return op;
}
