// Forward values of the shape-plumbing ops against hand-computed results from the ONNX spec.
import { describe, expect, it } from 'vitest';
import { type Tensor, floatTensor, intTensor } from '../../../engine/tensor.js';
import { runGraph } from '../../helpers/graph.js';

const ints = (...v: number[]) => intTensor([v.length], v);
const x23 = floatTensor([2, 3], [1, 2, 3, 4, 5, 6], Float64Array);

function run1(op: string, inputs: Tensor[], attrs: Record<string, never | number | number[]> = {}, opset = 17): Tensor {
  const names = inputs.map((_, i) => `i${i}`);
  const constants = Object.fromEntries(inputs.map((t, i) => [`i${i}`, t]));
  const out = runGraph({ inputs: {}, constants, nodes: [{ op, inputs: names, outputs: ['y'], attrs }], outputs: ['y'], opset }, {});
  return out.y;
}

describe('shape ops forward', () => {
  it('Slice: negative step walks backwards, ends clamp (INT64_MAX-like sentinels)', () => {
    const y = run1('Slice', [x23, ints(0, -1), ints(9.2e18, -9.2e18), ints(0, 1), ints(1, -1)]);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it('Gather: axis 1 with a 0-D index drops the axis', () => {
    const y = run1('Gather', [x23, intTensor([], [-1])], { axis: 1 });
    expect(y.shape).toEqual([2]);
    expect(Array.from(y.data)).toEqual([3, 6]);
  });

  it('Reshape: 0 copies a dim, -1 infers', () => {
    const y = run1('Reshape', [floatTensor([2, 3, 4]), ints(0, -1)]);
    expect(y.shape).toEqual([2, 12]);
  });

  it('Shape with start/end (opset 15), Concat of int vectors, ConstantOfShape', () => {
    expect(Array.from(run1('Shape', [floatTensor([2, 3, 4])], { start: 1, end: -1 }).data)).toEqual([3]);
    expect(Array.from(run1('Concat', [ints(1), ints(2, 3)], { axis: 0 }).data)).toEqual([1, 2, 3]);
    const c = run1('ConstantOfShape', [ints(2, 2)]);
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([0, 0, 0, 0]);
  });

  it('Tile and Expand', () => {
    expect(Array.from(run1('Tile', [x23, ints(1, 2)]).data)).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    const e = run1('Expand', [floatTensor([3, 1], [1, 2, 3]), ints(2, 1, 2)]);
    expect(e.shape).toEqual([2, 3, 2]);
    expect(Array.from(e.data)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  });

  it('Squeeze/Unsqueeze read axes from attributes before opset 13', () => {
    expect(run1('Unsqueeze', [x23], { axes: [0, 3] }, 11).shape).toEqual([1, 2, 3, 1]);
    expect(run1('Squeeze', [floatTensor([1, 2, 1])], { axes: [0] }, 11).shape).toEqual([2, 1]);
  });

  it('int64 arithmetic truncates division, as exported shape computations expect', () => {
    expect(Array.from(run1('Div', [ints(7, -7), ints(2, 2)]).data)).toEqual([3, -3]);
  });

  it('unsupported ops are named', () => {
    expect(() => run1('Einsum', [x23])).toThrow(/Einsum.*not supported/);
  });
});
