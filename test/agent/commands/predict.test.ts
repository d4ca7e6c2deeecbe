import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../agent/commands/errors.js';
import { checkShape, parseInputJson, toNested } from '../../../agent/commands/predict.js';
import { loadTorchCases } from '../../helpers/torch-cases.js';
import { runCli } from './run-cli.js';

const cases = loadTorchCases();
const dir = mkdtempSync(join(tmpdir(), 'vigil-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectClose(got: unknown, want: unknown, where = 'output'): void {
  if (Array.isArray(want)) {
    expect(Array.isArray(got), where).toBe(true);
    expect((got as unknown[]).length, where).toBe(want.length);
    want.forEach((w, i) => expectClose((got as unknown[])[i], w, `${where}[${i}]`));
    return;
  }
  const g = got as number;
  const w = want as number;
  expect(Math.abs(g - w), `${where}: ${g} vs ${w}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w)));
}

// Each run is a child process (npx + tsx start-up dominates): run them side by side.
describe.concurrent('vigil predict on the PyTorch fixtures', () => {
  it('finds the fixtures', () => expect(cases.length).toBeGreaterThan(0));

  for (const c of cases) {
    for (const backend of ['engine', 'ort']) {
      it(`${c.name} with --backend ${backend} prints PyTorch's output within 1e-5`, async () => {
        const r = await runCli(['predict', '--model', c.onnxPath, '--input', join(c.dir, 'case.json'), '--backend', backend]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const out = JSON.parse(r.stdout) as { shape: number[]; output: unknown };
        expect(out.shape).toEqual(c.json.output_shape);
        expectClose(out.output, c.json.output);
      });
    }
  }
});

describe('predict input checks', () => {
  const shape: (number | string | null)[] = ['batch', 20, 3];
  const fails = (text: string, declared = shape): string => {
    try {
      checkShape(parseInputJson(text, 'in.json'), 'input', declared, 'in.json');
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('expected a UsageError');
  };

  it('names the element or axis at fault', () => {
    expect(fails('{"input": [[1, 2')).toMatch(/^in\.json: not valid JSON/);
    expect(fails('[1, 2]')).toMatch(/in\.json: expected an object \{"input": \[\.\.\.\]\}/);
    expect(fails('{"input": 3}')).toMatch(/"input" must be a nested array of numbers, got number/);
    expect(fails('{"input": [[]]}')).toMatch(/"input" has an empty axis \(shape \[1, 0\]\)/);
    expect(fails('{"input": [[[1,2,3]], [[1,2,3],[4,5,6]]]}')).toMatch(/input\[1\] has 2 entries, expected 1 like the first one/);
    expect(fails('{"input": [[[1,2,3]], [4]]}')).toMatch(/input\[1\]\[0\] must be an array of 3 \(the input is ragged\), got 4/);
    expect(fails('{"input": [[[1,"x",3]]]}')).toMatch(/input\[0\]\[0\]\[1\] must be a finite number, got "x"/);
    expect(fails('{"input": [[[1,null,3]]]}')).toMatch(/input\[0\]\[0\]\[1\] must be a finite number, got null/);
    expect(fails('{"input": [[[1,2]]]}')).toMatch(/input has shape \[1, 1, 2\] but the model's input 'input' is \[batch, 20, 3\]: axis 1 must be 20/);
    expect(fails('{"input": [1, 2, 3]}')).toMatch(/input has shape \[3\] \(rank 1\) but the model's input 'input' is \[batch, 20, 3\] \(rank 3\)/);
  });

  it('round-trips nested arrays', () => {
    const b = parseInputJson('{"input": [[[1,2],[3,4],[5,6]]]}', 'x');
    expect(b.shape).toEqual([1, 3, 2]);
    expect(toNested(b.data, b.shape)).toEqual([[[1, 2], [3, 4], [5, 6]]]);
  });
});

describe('vigil predict on bad input: exit code 2 with the message on stderr', () => {
  // The forecaster: input [batch, 20, 3].
  const model = cases.find((c) => c.name === 'lstm_forecaster_f3_h16')?.onnxPath ?? 'missing.onnx';
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('bad JSON on stdin, a wrong shape for ort, a missing file, a file that is not a model, an unknown backend', async () => {
    const checks: [string[], RegExp, string?][] = [
      [['--model', model, '--input', '-'], /^vigil: stdin: not valid JSON/, 'not json'],
      [['--model', model, '--input', write('shape.json', '{"input": [[[1,2]]]}'), '--backend', 'ort'], /shape\.json: input has shape \[1, 1, 2\] but the model's input 'input' is \[batch, 20, 3\]: axis 1 must be 20/],
      [['--model', model, '--input', join(dir, 'absent.json')], /absent\.json: cannot read the input JSON: it does not exist/],
      [['--model', write('m.onnx', '{"not": "onnx"}'), '--input', write('in.json', '{"input": [1]}')], /m\.onnx: not a readable ONNX model: not an ONNX model/],
      [['--model', model, '--input', 'x.json', '--backend', 'tf'], /argument 'tf' is invalid\. Allowed choices are engine, ort/],
    ];
    const results = await Promise.all(checks.map(([args, , stdin]) => runCli(['predict', ...args], { stdin })));
    results.forEach((r, i) => {
      expect(r.stderr, checks[i][0].join(' ')).toMatch(checks[i][1]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    });
  });
});

describe('onnxruntime-node stays optional', () => {
  it('is imported lazily, only by predict --backend ort: no static import anywhere the daemon loads', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { REPO } = await import('./run-cli.js');
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /^\s*import\s[^;]*from\s*['"]onnxruntime-node['"]/m.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    for (const top of ['agent', 'models', 'engine']) walk(join(REPO, top));
    expect(offenders).toEqual([]);
    expect(readFileSync(join(REPO, 'agent/commands/predict.ts'), 'utf8')).toContain("await import('onnxruntime-node')");
  });
});
