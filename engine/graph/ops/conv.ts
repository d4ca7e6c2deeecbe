// ONNX Conv and ConvTranspose over one or two spatial axes (inputs [N,C,L] or [N,C,H,W]), on the
// kernels in engine/layers/conv*.ts. Attributes as the spec names them: kernel_shape, strides,
// dilations, pads [begins..., ends...], group, auto_pad, and for ConvTranspose output_padding and
// output_shape. A 1-D conv runs as itself; a 2-D conv with a height of 1 (tf2onnx's Keras Conv1D)
// takes the same 2-D path, whose loops degenerate to the 1-D ones.

import { conv1dBackward, conv1dForward, conv1dOutputLength } from '../../layers/conv1d.js';
import { convTranspose1dBackward, convTranspose1dForward, convTranspose1dOutputLength } from '../../layers/conv-transpose1d.js';
import {
  type ConvTranspose2dGeometry, conv2dBackward, conv2dForward, convTranspose2dBackward, convTranspose2dForward,
} from '../../layers/conv2d.js';
import type { FloatTensor } from '../../tensor.js';
import { attrInts, attrNumber, attrString, type GraphNode } from '../graph.js';
import type { MaybeTensor, Op, OpContext } from '../op.js';
import { needFloat } from './util.js';

interface AxisGeometry {
  size: number; // input length on this axis
  k: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  outputPadding: number;
  out: number;
}

interface ConvGeometry {
  B: number;
  Ci: number;
  Co: number;
  groups: number;
  axes: AxisGeometry[];
}

function spatialAttr(node: GraphNode, name: string, n: number, fallback: number): number[] {
  const v = attrInts(node, name);
  if (!v) return new Array<number>(n).fill(fallback);
  if (v.length !== n) throw new Error(`${name} has ${v.length} values for ${n} spatial axes`);
  return [...v];
}

function geometry(ctx: OpContext, inputs: readonly MaybeTensor[], transposed: boolean): ConvGeometry {
  const node = ctx.node;
  const x = needFloat(inputs[0], 'X');
  const w = needFloat(inputs[1], 'W');
  const rank = x.shape.length;
  if (rank !== 3 && rank !== 4) throw new Error(`only 1-D and 2-D convolutions are supported (X [${x.shape}])`);
  if (w.shape.length !== rank) throw new Error(`W [${w.shape}] must have the rank of X [${x.shape}]`);
  const n = rank - 2;
  const groups = attrNumber(node, 'group', 1);
  const [B, Ci] = x.shape;
  const Co = transposed ? w.shape[1] * groups : w.shape[0];
  const wIn = transposed ? w.shape[0] : w.shape[1] * groups;
  if (wIn !== Ci || Ci % groups !== 0 || Co % groups !== 0) {
    throw new Error(`W [${w.shape}] with group ${groups} does not fit X with ${Ci} channels`);
  }
  const kernel = attrInts(node, 'kernel_shape') ?? w.shape.slice(2);
  if (kernel.some((k, i) => k !== w.shape[2 + i])) throw new Error(`kernel_shape [${kernel}] disagrees with W [${w.shape}]`);
  const strides = spatialAttr(node, 'strides', n, 1);
  const dilations = spatialAttr(node, 'dilations', n, 1);
  const pads = attrInts(node, 'pads') ? [...attrInts(node, 'pads')!] : new Array<number>(2 * n).fill(0);
  if (pads.length !== 2 * n) throw new Error(`pads has ${pads.length} values for ${n} spatial axes (want ${2 * n})`);
  const outputPadding = transposed ? spatialAttr(node, 'output_padding', n, 0) : new Array<number>(n).fill(0);
  const outputShape = transposed ? attrInts(node, 'output_shape') : undefined;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const axes: AxisGeometry[] = [];
  for (let i = 0; i < n; i++) {
    const size = x.shape[2 + i];
    const k = kernel[i], stride = strides[i], dilation = dilations[i];
    let padBegin = pads[i], padEnd = pads[n + i];
    const span = (k - 1) * dilation + 1;
    if (!transposed) {
      if (autoPad === 'VALID') padBegin = padEnd = 0;
      else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
        const out = Math.ceil(size / stride);
        const total = Math.max(0, (out - 1) * stride + span - size);
        padBegin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
        padEnd = total - padBegin;
      } else if (autoPad !== 'NOTSET') throw new Error(`auto_pad '${autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
      const out = conv1dOutputLength(size, k, stride, padBegin, padEnd, dilation);
      if (out < 1) throw new Error(`axis ${i}: input length ${size} is too short for kernel ${k} (dilation ${dilation}, pads ${padBegin}+${padEnd})`);
      axes.push({ size, k, stride, dilation, padBegin, padEnd, outputPadding: 0, out });
    } else {
      let target = outputShape ? outputShape[outputShape.length - n + i] : undefined;
      if (target === undefined && (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER')) target = size * stride;
      if (target !== undefined) {
        const total = stride * (size - 1) + outputPadding[i] + span - target;
        if (autoPad === 'SAME_UPPER') { padBegin = Math.floor(total / 2); padEnd = total - padBegin; }
        else { padEnd = Math.floor(total / 2); padBegin = total - padEnd; }
      } else if (autoPad === 'VALID') padBegin = padEnd = 0;
      const out = convTranspose1dOutputLength(size, k, stride, padBegin, padEnd, dilation, outputPadding[i]);
      if (out < 1) throw new Error(`axis ${i}: output length would be ${out}`);
      axes.push({ size, k, stride, dilation, padBegin, padEnd, outputPadding: outputPadding[i], out });
    }
  }
  return { B, Ci, Co, groups, axes };
}

function geometry2d(g: ConvGeometry): ConvTranspose2dGeometry {
  const [h, w] = g.axes;
  return {
    B: g.B, Ci: g.Ci, H: h.size, W: w.size, Co: g.Co, KH: h.k, KW: w.k, strideH: h.stride, strideW: w.stride,
    padBeginH: h.padBegin, padBeginW: w.padBegin, padEndH: h.padEnd, padEndW: w.padEnd,
    dilationH: h.dilation, dilationW: w.dilation, groups: g.groups, outputPaddingH: h.outputPadding, outputPaddingW: w.outputPadding,
  };
}

function convOp(transposed: boolean): Op {
  return {
    forward(ctx, inputs) {
      const g = geometry(ctx, inputs, transposed);
      ctx.scratch = g;
      const x = (inputs[0] as FloatTensor).data, w = (inputs[1] as FloatTensor).data;
      const bias = inputs[2] ? needFloat(inputs[2], 'B').data : null;
      if (bias && bias.length !== g.Co) throw new Error(`B has ${bias.length} values for ${g.Co} output channels`);
      const out = ctx.floatOut(0, [g.B, g.Co, ...g.axes.map((a) => a.out)]);
      if (g.axes.length === 1) {
        const a = g.axes[0];
        if (transposed) convTranspose1dForward(out.data, x, w, bias, g.B, g.Ci, a.size, g.Co, a.k, a.stride, a.padBegin, a.padEnd, a.dilation, g.groups, a.outputPadding);
        else conv1dForward(out.data, x, w, bias, g.B, g.Ci, a.size, g.Co, a.k, a.stride, a.padBegin, a.padEnd, a.dilation, g.groups);
      } else if (transposed) convTranspose2dForward(out.data, x, w, bias, geometry2d(g));
      else conv2dForward(out.data, x, w, bias, geometry2d(g));
      return [out];
    },
    backward(ctx, inputs, _outs, [dOut], [dX, dW, dB]) {
      if (!dOut) return;
      const g = ctx.scratch as ConvGeometry;
      const x = (inputs[0] as FloatTensor).data, w = (inputs[1] as FloatTensor).data;
      const dx = dX?.data ?? null, dw = dW?.data ?? null, db = dB?.data ?? null;
      if (g.axes.length === 1) {
        const a = g.axes[0];
        if (transposed) convTranspose1dBackward(dx, dw, db, dOut.data, x, w, g.B, g.Ci, a.size, g.Co, a.k, a.stride, a.padBegin, a.padEnd, a.dilation, g.groups, a.outputPadding);
        else conv1dBackward(dx, dw, db, dOut.data, x, w, g.B, g.Ci, a.size, g.Co, a.k, a.stride, a.padBegin, a.padEnd, a.dilation, g.groups);
      } else if (transposed) convTranspose2dBackward(dx, dw, db, dOut.data, x, w, geometry2d(g));
      else conv2dBackward(dx, dw, db, dOut.data, x, w, geometry2d(g));
    },
  };
}

export const Conv = convOp(false);
export const ConvTranspose = convOp(true);
