import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ModelFileError, generateKeyPair, loadModel, saveModel, signFile, signaturePath, verifyFile,
} from '../../../models/persistence/index.js';
import { forecasterParts } from './parts.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-sign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fleet = generateKeyPair();
const other = generateKeyPair();

async function signedModel(name: string): Promise<string> {
  const path = join(dir, name);
  await saveModel(path, forecasterParts());
  await signFile(path, fleet.privateKey);
  return path;
}

async function refusal(path: string, publicKey = fleet.publicKey): Promise<string> {
  const err = await loadModel(path, { requireSignature: true, publicKey }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelFileError);
  expect((err as ModelFileError).file).toBe(path);
  return (err as Error).message;
}

describe('Ed25519 model signatures', () => {
  it('generates PEM keys and writes <file>.sig as one line of base64', async () => {
    expect(fleet.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(fleet.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const path = await signedModel('a.onnx');
    expect(readFileSync(signaturePath(path), 'utf8')).toMatch(/^[A-Za-z0-9+/]{86}==\n$/);
    await expect(verifyFile(path, fleet.publicKey)).resolves.toBeUndefined();
  });

  it('a valid signature loads', async () => {
    const path = await signedModel('ok.onnx');
    const loaded = await loadModel(path, { requireSignature: true, publicKey: fleet.publicKey });
    expect(loaded.verified).toBe(true);
    expect(loaded.kind).toBe('vigil');
  });

  it('a tampered byte, a missing sig, the wrong key or a garbage sig are refused, naming the file', async () => {
    const path = await signedModel('t.onnx');
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] ^= 1;
    writeFileSync(path, bytes);
    expect(await refusal(path)).toMatch(/t\.onnx: refused: the signature does not match: the file was changed after signing, or signed with another key/);

    const wrongKey = await signedModel('w.onnx');
    expect(await refusal(wrongKey, other.publicKey)).toMatch(/w\.onnx: refused: the signature does not match/);

    const missing = await signedModel('m.onnx');
    rmSync(signaturePath(missing));
    expect(await refusal(missing)).toMatch(/m\.onnx: refused: a signature is required but .*m\.onnx\.sig does not exist \(sign the model with `vigil sign/);

    const garbage = await signedModel('g.onnx');
    writeFileSync(signaturePath(garbage), 'not base64!!');
    expect(await refusal(garbage)).toMatch(/g\.onnx: refused: the signature file is not base64/);
    writeFileSync(signaturePath(garbage), Buffer.alloc(10).toString('base64'));
    expect(await refusal(garbage)).toMatch(/the signature is 10 bytes, an Ed25519 signature is 64/);
  });

  it('verifyFile refuses the same way, and keys of the wrong kind are named', async () => {
    const path = await signedModel('v.onnx');
    await expect(verifyFile(path, other.publicKey)).rejects.toThrow(/v\.onnx: refused/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    await expect(signFile(path, rsa.privateKey)).rejects.toThrow(/the private key is rsa, Vigil signs with Ed25519/);
    await expect(signFile(path, fleet.publicKey)).rejects.toThrow(/not a valid PEM key|expected a private key/);
    expect(await refusal(path, 'garbage')).toMatch(/v\.onnx: refused: the public key is not a valid PEM key/);
    await expect(loadModel(path, { requireSignature: true })).rejects.toThrow(/no public key was given/);
  });
});
