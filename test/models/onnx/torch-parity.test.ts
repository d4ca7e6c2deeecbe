// Architecture-free parity with PyTorch: for every case folder, import model.onnx knowing nothing
// of its architecture, compare outputs for two batch sizes, then train the imported graph with the
// case's Adam settings on mse_mean and compare the loss before every step and the final output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GraphRunner } from '../../../engine/graph/runner.js';
import { lossBackward, lossForward } from '../../../engine/losses/loss.js';
import { createAdam } from '../../../engine/optim/adam.js';
import { floatTensor, fromNested } from '../../../engine/tensor.js';
import { importOnnx } from '../../../models/onnx/import.js';
import { decodeModel } from '../../../models/onnx/proto/index.js';
import { expectClose } from '../../helpers/gradcheck.js';
import { loadTorchCases, torchCasesDir } from '../../helpers/torch-cases.js';

const cases = loadTorchCases();
const TOL = { rtol: 1e-5, atol: 1e-6 };

describe(`PyTorch parity through ONNX import (${torchCasesDir()})`, () => {
  it('finds the reference cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    describe(c.name, () => {
      const load = () => new GraphRunner(importOnnx(decodeModel(readFileSync(c.onnxPath))));

      it('reproduces output for both batch sizes', () => {
        const runner = load();
        const out = runner.forward(fromNested(c.json.input));
        expect(out.shape).toEqual(c.json.output_shape);
        expectClose(out.data, fromNested(c.json.output).data, TOL, 'output');
        if (c.json.input2 !== undefined) {
          const out2 = runner.forward(fromNested(c.json.input2));
          expect(out2.shape).toEqual(c.json.output2_shape);
          expectClose(out2.data, fromNested(c.json.output2!).data, TOL, 'output2');
        }
      });

      if (c.json.steps && c.json.losses && c.json.optimizer && c.json.target !== undefined) {
        it(`trains with Adam like PyTorch (${c.json.steps} steps)`, () => {
          const runner = load();
          const { lr, betas, eps, weight_decay } = c.json.optimizer!;
          const adam = createAdam(runner.params, { lr, betas, eps, weightDecay: weight_decay });
          const input = fromNested(c.json.input);
          const target = fromNested(c.json.target);
          const losses: number[] = [];
          for (let step = 0; step < c.json.steps!; step++) {
            adam.zeroGrad();
            const pred = runner.forward(input);
            const n = pred.data.length;
            losses.push(lossForward('mse', pred.data, target.data, n));
            const dPred = floatTensor(pred.shape);
            lossBackward('mse', dPred.data, pred.data, target.data, n);
            runner.backward(dPred);
            adam.step();
          }
          expectClose(losses, c.json.losses!, TOL, 'losses');
          const final = runner.forward(input);
          expectClose(final.data, fromNested(c.json.final_output).data, { rtol: 1e-5, atol: 1e-5 }, 'final_output');
        });
      }
    });
  }
});
