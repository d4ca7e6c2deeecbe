// Weight initialisers, seeded (engine/rng.ts), filling a flat array in place and returning it.
// Formulas and defaults follow torch.nn.init so a model initialised here has the same
// distribution as its PyTorch twin (not the same numbers: the generators differ):
//   xavierUniform  U(-a, a),  a   = gain·√(6 / (fanIn + fanOut))
//   xavierNormal   N(0, σ²),  σ   = gain·√(2 / (fanIn + fanOut))
//   heUniform      U(-a, a),  a   = gain·√(3 / fan)     (kaiming_uniform_, gain √2 = ReLU)
//   heNormal       N(0, σ²),  σ   = gain / √fan         (kaiming_normal_)
//   linearDefaultInit: nn.Linear.reset_parameters, i.e. kaiming_uniform_(a=√5) on the weight,
//   which reduces to U(±1/√fanIn), and U(±1/√fanIn) on the bias.
// For a Dense weight [O, I]: fanIn = I, fanOut = O. He's `fan` is fanIn (PyTorch's default
// mode) unless you pass fanOut deliberately.

import type { Activation } from './kernels/activations.js';
import type { Rng } from './rng.js';
import type { FloatArray } from './tensor.js';

/** torch.nn.init.calculate_gain for the activations the engine has. */
export function calculateGain(activation: Activation, negativeSlope = 0.01): number {
  switch (activation) {
    case 'identity':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + negativeSlope * negativeSlope));
  }
}

export function uniformFill(out: FloatArray, lo: number, hi: number, rng: Rng): FloatArray {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(lo, hi);
  return out;
}

export function normalFill(out: FloatArray, std: number, rng: Rng): FloatArray {
  for (let i = 0; i < out.length; i++) out[i] = std * rng.normal();
  return out;
}

function checkFan(name: string, fan: number): void {
  if (!(fan > 0) || !Number.isInteger(fan)) throw new Error(`${name} must be a positive integer, got ${fan}`);
}

export function xavierUniform(out: FloatArray, fanIn: number, fanOut: number, rng: Rng, gain = 1): FloatArray {
  checkFan('fanIn', fanIn);
  checkFan('fanOut', fanOut);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniformFill(out, -a, a, rng);
}

export function xavierNormal(out: FloatArray, fanIn: number, fanOut: number, rng: Rng, gain = 1): FloatArray {
  checkFan('fanIn', fanIn);
  checkFan('fanOut', fanOut);
  return normalFill(out, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

export function heUniform(out: FloatArray, fan: number, rng: Rng, gain = Math.SQRT2): FloatArray {
  checkFan('fan', fan);
  const a = gain * Math.sqrt(3 / fan);
  return uniformFill(out, -a, a, rng);
}

export function heNormal(out: FloatArray, fan: number, rng: Rng, gain = Math.SQRT2): FloatArray {
  checkFan('fan', fan);
  return normalFill(out, gain / Math.sqrt(fan), rng);
}

/** nn.Linear's default: weight and bias both U(±1/√fanIn); the weight is filled first. */
export function linearDefaultInit(weight: FloatArray, bias: FloatArray | null, fanIn: number, rng: Rng): void {
  checkFan('fanIn', fanIn);
  const a = 1 / Math.sqrt(fanIn);
  uniformFill(weight, -a, a, rng);
  if (bias) uniformFill(bias, -a, a, rng);
}
