// Signed models for fleets: Ed25519 (node:crypto) over the exact bytes of a model file. The
// signature lives beside the file as `<file>.sig`, one line of base64 (64 bytes decoded). A device
// given the fleet's public key loads a model only when its signature verifies, so a model that was
// tampered with, damaged in transit or signed by someone else is refused before it is parsed.
// Keys are PEM: PKCS#8 private, SPKI public (what `openssl genpkey -algorithm ed25519` writes too).

import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { ModelFileError, describeIoError, messageOf } from './errors.js';

export interface KeyPairPem {
  readonly publicKey: string;
  readonly privateKey: string;
}

/** A key that is not a PEM Ed25519 key of the expected kind. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

const SIGNATURE_BYTES = 64;

export function signaturePath(path: string): string {
  return `${path}.sig`;
}

export function generateKeyPair(): KeyPairPem {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey, privateKey };
}

function parseKey(pem: string, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (err) {
    throw new SigningKeyError(`the ${kind} key is not a valid PEM key (${messageOf(err)})${kind === 'public' ? '' : '; make one with `vigil keygen`'}`);
  }
  if (key.type !== kind) throw new SigningKeyError(`expected a ${kind} key, got a ${key.type} key`);
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`the ${kind} key is ${key.asymmetricKeyType ?? 'of an unknown type'}, Vigil signs with Ed25519; make one with \`vigil keygen\``);
  return key;
}

/** Base64 Ed25519 signature over `bytes`. */
export function signBytes(bytes: Uint8Array, privateKeyPem: string): string {
  return sign(null, bytes, parseKey(privateKeyPem, 'private')).toString('base64');
}

/** Why a signature does not verify, or null when it does. */
export function signatureProblem(bytes: Uint8Array, signatureText: string, publicKeyPem: string): string | null {
  const key = parseKey(publicKeyPem, 'public');
  const text = signatureText.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return 'the signature file is not base64';
  const sig = Buffer.from(text, 'base64');
  if (sig.length !== SIGNATURE_BYTES) return `the signature is ${sig.length} bytes, an Ed25519 signature is ${SIGNATURE_BYTES}`;
  return verify(null, bytes, key, sig) ? null : 'the signature does not match: the file was changed after signing, or signed with another key';
}

/** Signs the file's exact bytes; writes `<path>.sig` atomically and returns its path. */
export async function signFile(path: string, privateKeyPem: string): Promise<string> {
  const bytes = await readBytes(path);
  const out = signaturePath(path);
  await writeFileAtomic(out, new TextEncoder().encode(`${signBytes(bytes, privateKeyPem)}\n`));
  return out;
}

/** Resolves when `<path>.sig` is a valid signature of the file by the key; otherwise throws a ModelFileError saying why. */
export async function verifyFile(path: string, publicKeyPem: string): Promise<void> {
  await verifyBytes(await readBytes(path), path, publicKeyPem);
}

/** Checks the bytes read from `path` against `<path>.sig` (loadModel verifies the very bytes it then parses). */
export async function verifyBytes(bytes: Uint8Array, path: string, publicKeyPem: string): Promise<void> {
  const sigPath = signaturePath(path);
  let text: string;
  try {
    text = await readFile(sigPath, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelFileError(path, missing
      ? `refused: a signature is required but ${sigPath} does not exist (sign the model with \`vigil sign --key PRIVATE.pem ${path}\`)`
      : `refused: cannot read the signature ${sigPath}: ${describeIoError(err)}`);
  }
  const problem = signatureProblem(bytes, text, publicKeyPem);
  if (problem !== null) throw new ModelFileError(path, `refused: ${problem} (${sigPath})`);
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ModelFileError(path, `cannot read it: ${describeIoError(err)}`, { cause: err });
  }
}
