// PyTorch's default initialisations as GraphBuilder initialisers (engine/init.ts gives the
// formulas). Every one is U(-a, a) with a = 1/√fanIn, PyTorch's kaiming_uniform_(a=√5) reduced:
//   Linear / Gemm weight [O, I] and bias:        fanIn = I
//   Conv1d weight [Co, Ci, k] and bias:          fanIn = Ci·k
//   ConvTranspose1d weight [Ci, Co, k] and bias: fanIn = Co·k (torch reads fan-in from dim 1)
//   LSTM W, R, B (every tensor):                 a = 1/√H
// Builders declare weight before bias, as PyTorch fills them.

import type { Init } from '../../engine/graph/builder.js';
import { uniformFill } from '../../engine/init.js';

export function uniformInit(a: number): Init {
  return (values, rng) => {
    uniformFill(values, -a, a, rng);
  };
}

export const fanInInit = (fanIn: number): Init => uniformInit(1 / Math.sqrt(fanIn));

export const lstmInit = (hidden: number): Init => uniformInit(1 / Math.sqrt(hidden));

/** Validates an architecture's integer size at the boundary, naming the option. */
export function positiveInt(architecture: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${architecture}: ${name} must be a positive integer, got ${value}`);
  return value;
}
