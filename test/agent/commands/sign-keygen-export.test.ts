import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../../models/persistence/index.js';
import { forecasterParts } from '../../models/persistence/parts.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-sign-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'pump.onnx');
const keys = join(dir, 'keys');
beforeAll(async () => {
  await saveModel(model, forecasterParts());
});

describe('vigil keygen, sign, export', () => {
  it('keygen writes a private key only its owner reads, and refuses to overwrite it', async () => {
    const r = await runCli(['keygen', '--out', keys]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/private key: .*private\.pem/);
    expect(statSync(join(keys, 'private.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keys, 'public.pem'), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
    const again = await runCli(['keygen', '--out', keys]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/private\.pem already exists; refusing to overwrite a key \(pass --force/);
  });

  it('sign makes FILE.sig that loadModel and inspect accept; a changed byte is refused', async () => {
    const r = await runCli(['sign', '--key', join(keys, 'private.pem'), model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/signature: .*pump\.onnx\.sig/);
    const publicKey = readFileSync(join(keys, 'public.pem'), 'utf8');
    expect((await loadModel(model, { requireSignature: true, publicKey })).verified).toBe(true);
    const ok = await runCli(['inspect', '--public-key', join(keys, 'public.pem'), model]);
    expect(ok.stdout).toMatch(/signature: +verified/);

    const out = join(dir, 'plain.onnx');
    const exported = await runCli(['export', '--model', model, '--out', out, '--public-key', join(keys, 'public.pem')]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/wrote .*plain\.onnx \(\d+ bytes, Vigil lstm-forecaster 'pump-7' 1\.4\)/);
    expect(readFileSync(out).equals(readFileSync(model))).toBe(true);

    const bytes = readFileSync(model);
    bytes[bytes.length - 10] ^= 1;
    writeFileSync(model, bytes);
    const [inspect, exp, wrongKey] = await Promise.all([
      runCli(['inspect', '--public-key', join(keys, 'public.pem'), model]),
      runCli(['export', '--model', model, '--out', join(dir, 'x.onnx'), '--public-key', join(keys, 'public.pem')]),
      runCli(['sign', '--key', join(keys, 'public.pem'), model]),
    ]);
    expect(inspect.code).toBe(2);
    expect(inspect.stdout).toMatch(/signature: +REFUSED: the signature does not match/);
    expect(exp.code).toBe(2);
    expect(exp.stderr).toMatch(/pump\.onnx: refused: the signature does not match/);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/private key/);
  });
});
