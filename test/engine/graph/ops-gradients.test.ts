// Every differentiable graph op passes a float64 finite-difference check, including
// broadcasting, transposed operands and index-mapping ops.
import { describe, it } from 'vitest';
import { intTensor } from '../../../engine/tensor.js';
import { checkGraphGradients } from '../../helpers/graph.js';

const ints = (...v: number[]) => intTensor([v.length], v);

describe('graph op gradients (float64, central differences)', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    it(`${op} with broadcasting both ways`, () => {
      checkGraphGradients({ inputs: { a: [2, 3, 4], b: [3, 1] }, nodes: [{ op, inputs: ['a', 'b'], outputs: ['y'] }], outputs: ['y'] });
      checkGraphGradients({ inputs: { a: [4], b: [2, 1, 4] }, nodes: [{ op, inputs: ['a', 'b'], outputs: ['y'] }], outputs: ['y'] });
    });
  }

  for (const op of ['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh']) {
    it(op, () => checkGraphGradients({ inputs: { x: [3, 5] }, nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs: { alpha: 0.1 } }], outputs: ['y'] }));
  }

  for (const [transA, transB] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    it(`Gemm transA=${transA} transB=${transB} with alpha, beta and a broadcast C`, () => {
      checkGraphGradients({
        inputs: { a: transA ? [4, 3] : [3, 4] },
        params: { b: transB ? [5, 4] : [4, 5], c: [5] },
        nodes: [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'], attrs: { transA, transB, alpha: 0.7, beta: 1.3 } }],
        outputs: ['y'],
      });
    });
  }

  it('MatMul: shared right matrix, batched both sides, broadcast batches, 1-D operands', () => {
    for (const [a, b] of [[[2, 3, 4], [4, 5]], [[2, 3, 4], [2, 4, 5]], [[2, 1, 3, 4], [5, 4, 2]], [[4], [4, 5]], [[3, 4], [4]]]) {
      checkGraphGradients({ inputs: { a }, params: { b }, nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }], outputs: ['y'] });
    }
  });

  it('Transpose, Reshape, Flatten, Squeeze, Unsqueeze chained', () => {
    checkGraphGradients({
      inputs: { x: [2, 3, 4] },
      constants: { s: ints(4, -1), ax: ints(0), ax2: ints(1) },
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [2, 0, 1] } },
        { op: 'Reshape', inputs: ['t', 's'], outputs: ['r'] },
        { op: 'Unsqueeze', inputs: ['r', 'ax'], outputs: ['u'] },
        { op: 'Squeeze', inputs: ['u', 'ax'], outputs: ['q'] },
        { op: 'Unsqueeze', inputs: ['q', 'ax2'], outputs: ['u2'] },
        { op: 'Flatten', inputs: ['u2'], outputs: ['y'], attrs: { axis: 2 } },
      ],
      outputs: ['y'],
    });
  });

  it('Slice with negative steps and axes, Gather with negative indices, Concat, Expand, Tile', () => {
    checkGraphGradients({
      inputs: { x: [3, 6], z: [3, 2] },
      constants: { st: ints(-1, 0), en: ints(-100, 6), ax: ints(1, 0), sp: ints(-2, 1), idx: intTensor([2, 2], [0, -1, 2, 2]), shp: ints(2, 3, 1), rep: ints(1, 2) },
      nodes: [
        { op: 'Slice', inputs: ['x', 'st', 'en', 'ax', 'sp'], outputs: ['s'] },
        { op: 'Gather', inputs: ['x', 'idx'], outputs: ['g'], attrs: { axis: 1 } },
        { op: 'Concat', inputs: ['s', 'z'], outputs: ['c'], attrs: { axis: 1 } },
        { op: 'Expand', inputs: ['z', 'shp'], outputs: ['e'] },
        { op: 'Tile', inputs: ['z', 'rep'], outputs: ['t'] },
      ],
      outputs: ['c', 'g', 'e', 't'],
    });
  });
});

describe('LSTM op gradients', () => {
  for (const [direction, layout] of [['forward', 0], ['forward', 1], ['reverse', 0], ['bidirectional', 1]] as const) {
    it(`${direction}, layout ${layout}, with initial state`, () => {
      const D = direction === 'bidirectional' ? 2 : 1;
      const [T, B, F, H] = [4, 2, 3, 5];
      checkGraphGradients({
        inputs: { x: layout === 0 ? [T, B, F] : [B, T, F], h0: layout === 0 ? [D, B, H] : [B, D, H], c0: layout === 0 ? [D, B, H] : [B, D, H] },
        params: { W: [D, 4 * H, F], R: [D, 4 * H, H], Bias: [D, 8 * H] },
        nodes: [{ op: 'LSTM', inputs: ['x', 'W', 'R', 'Bias', '', 'h0', 'c0'], outputs: ['y', 'yh', 'yc'], attrs: { hidden_size: H, direction, layout } }],
        outputs: ['y', 'yh', 'yc'],
      });
    });
  }
});

describe('Conv and ConvTranspose op gradients', () => {
  it('Conv 1-D: stride 2, asymmetric pads, dilation, groups', () => {
    checkGraphGradients({
      inputs: { x: [2, 4, 9] },
      params: { w: [6, 2, 3], b: [6] },
      nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { strides: [2], pads: [2, 1], dilations: [2], group: 2 } }],
      outputs: ['y'],
    });
  });
  it('Conv 1-D with auto_pad SAME_UPPER', () => {
    checkGraphGradients({
      inputs: { x: [1, 2, 7] },
      params: { w: [3, 2, 4] },
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { strides: [2], auto_pad: 'SAME_UPPER' } }],
      outputs: ['y'],
    });
  });
  it('ConvTranspose 1-D with output_padding, and with output_shape', () => {
    checkGraphGradients({
      inputs: { x: [2, 4, 5] },
      params: { w: [4, 3, 5], b: [3] },
      nodes: [
        { op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { strides: [2], pads: [2, 2], output_padding: [1] } },
        { op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['z'], attrs: { strides: [2], output_shape: [11] } },
      ],
      outputs: ['y', 'z'],
    });
  });
  it('Conv and ConvTranspose 2-D (kernel [1, k], as tf2onnx emits for Keras Conv1D)', () => {
    checkGraphGradients({
      inputs: { x: [2, 2, 1, 8] },
      params: { w: [3, 2, 1, 3], b: [3], wt: [3, 2, 1, 3] },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { strides: [1, 2], pads: [0, 1, 0, 1] } },
        { op: 'ConvTranspose', inputs: ['y', 'wt'], outputs: ['z'], attrs: { strides: [1, 2], pads: [0, 1, 0, 1], output_padding: [0, 1] } },
      ],
      outputs: ['z'],
    });
  });
});
