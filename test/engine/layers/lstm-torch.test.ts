// PyTorch parity: lstm_forecaster_f3_h16 is nn.LSTM(3, 16, batch_first) → last step → nn.Linear(16, 3),
// rebuilt by hand from the case's initial parameters with createLstm and the matmul kernels, in float32.
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { biasAddBackward, biasAddForward, matmulForward } from '../../../engine/kernels/matmul.js';
import { createLstm, type LstmConfig, lstmParamSpecs } from '../../../engine/layers/lstm-module.js';
import { ParamStore } from '../../../engine/params.js';
import { type FloatTensor, floatTensor, fromNested } from '../../../engine/tensor.js';
import { expectClose } from '../../helpers/gradcheck.js';

const CASE = '/work/shared/fixtures/torch/lstm_forecaster_f3_h16/case.json';
const c = JSON.parse(readFileSync(CASE, 'utf8'));
const flat = (v: unknown): Float32Array => fromNested(v).data as Float32Array;

const [F, H, O] = [3, 16, 3];
const config: LstmConfig = { inputSize: F, hiddenSize: H, numLayers: 1, batchFirst: true };
const tol = { rtol: 1e-5, atol: 1e-8 }; // smallest reference gradient is ~1e-6

function model() {
  const params = new ParamStore([...lstmParamSpecs(config, 'lstm.'), { name: 'head.weight', shape: [O, H] }, { name: 'head.bias', shape: [O] }]);
  for (const p of params.list) params.set(p.name, flat(c.initial_params[p.name]));
  const lstm = createLstm(config, params, 'lstm.');
  const w = params.get('head.weight');
  const b = params.get('head.bias');
  /** out [B, O] = h_T·Wᵀ + b, where h_T (the last step of y) is the final h of the single layer. */
  const forward = (x: FloatTensor): { out: Float32Array; hT: Float32Array } => {
    const B = x.shape[0];
    const hT = lstm.forward(x).h.data as Float32Array; // [1, B, H]
    const out = new Float32Array(B * O);
    matmulForward(out, hT, w.value, B, H, O, false, true);
    biasAddForward(out, b.value, B, O);
    return { out, hT };
  };
  return { params, lstm, forward, w, b };
}

describe('LSTM forecaster vs PyTorch (lstm_forecaster_f3_h16)', () => {
  it('output and output2 (another batch size) match', () => {
    const { forward } = model();
    expectClose(forward(fromNested(c.input)).out, flat(c.output), tol, 'output');
    expectClose(forward(fromNested(c.input2)).out, flat(c.output2), tol, 'output2');
  });

  it('gradients of mse_mean against target match grads_step0 for every parameter', () => {
    const { params, lstm, forward, w, b } = model();
    const x = fromNested(c.input);
    const B = x.shape[0];
    const { out, hT } = forward(x);
    const target = flat(c.target);
    const dOut = new Float32Array(B * O); // d mean((out - target)²) / d out
    for (let i = 0; i < dOut.length; i++) dOut[i] = (2 * (out[i] - target[i])) / dOut.length;
    params.zeroGrad();
    matmulForward(w.grad, dOut, hT, O, B, H, true, false, true);
    biasAddBackward(b.grad, dOut, B, O);
    const dhN = new Float32Array(B * H);
    matmulForward(dhN, dOut, w.value, B, O, H);
    lstm.backward(null, floatTensor([1, B, H], dhN));
    for (const p of params.list) expectClose(p.grad, flat(c.grads_step0[p.name]), tol, `grad ${p.name}`);
  });
});
