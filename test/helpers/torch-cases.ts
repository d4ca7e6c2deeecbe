// Discovers the PyTorch reference cases (../shared/fixtures/torch by default, or the folder named by
// VIGIL_TORCH_CASES) by listing the directory, so new cases need no code change.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface TorchCase {
  readonly name: string;
  readonly dir: string;
  readonly onnxPath: string;
  readonly json: TorchCaseJson;
}

export interface TorchCaseJson {
  source?: string;
  input: unknown;
  input_shape: number[];
  output: unknown;
  output_shape: number[];
  input2?: unknown;
  input2_shape?: number[];
  output2?: unknown;
  output2_shape?: number[];
  param_shapes?: Record<string, number[]>;
  initial_params?: Record<string, unknown>;
  target?: unknown;
  loss?: string;
  grads_step0?: Record<string, unknown>;
  optimizer?: { name: string; lr: number; betas: [number, number]; eps: number; weight_decay: number };
  steps?: number;
  losses?: number[];
  final_params?: Record<string, unknown>;
  final_output?: unknown;
}

export function torchCasesDir(): string {
  return resolve(process.env.VIGIL_TORCH_CASES ?? join(process.cwd(), '..', 'shared', 'fixtures', 'torch'));
}

export function loadTorchCases(): TorchCase[] {
  const dir = torchCasesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory() && existsSync(join(dir, name, 'case.json')) && existsSync(join(dir, name, 'model.onnx')))
    .sort()
    .map((name) => ({
      name,
      dir: join(dir, name),
      onnxPath: join(dir, name, 'model.onnx'),
      json: JSON.parse(readFileSync(join(dir, name, 'case.json'), 'utf8')) as TorchCaseJson,
    }));
}
