// Seeded mutation fuzzing of the fixture models: 6,000 deterministic mutants (bit flips, byte
// overwrites, varint-breaking runs, truncation, insertion, deletion, duplicated and spliced spans,
// small length bumps). Every mutant decodes or throws OnnxFormatError naming a field, within the
// allocation bound; every mutant that decodes re-encodes and decodes to the same model.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../../../engine/rng.js';
import { decodeModel, encodeModel } from '../../../../models/onnx/proto/index.js';
import { loadTorchCases } from '../../../helpers/torch-cases.js';
import { decodeHostile, firstDifference } from './hostile-check.js';

const MUTANTS = 6000;
const SEED = 20240611;

type Mutation = (b: Uint8Array, rng: Rng, donor: Uint8Array) => Uint8Array;

const mutations: Mutation[] = [
  (b, rng) => flip(b, rng, 1),
  (b, rng) => flip(b, rng, 1 + rng.int(8)),
  (b, rng) => set(b, rng.int(b.length), rng.int(256)),
  (b, rng) => set(b, rng.int(b.length), [0x00, 0x7f, 0x80, 0xff][rng.int(4)]),
  (b, rng) => b.slice(0, rng.int(b.length)),
  (b, rng) => splice(b, rng.int(b.length + 1), 0, Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))),
  (b, rng) => splice(b, rng.int(b.length), 1 + rng.int(32), new Uint8Array(0)),
  (b, rng) => {
    const at = rng.int(b.length);
    return splice(b, rng.int(b.length + 1), 0, b.slice(at, at + 1 + rng.int(64)));
  },
  (b, rng) => splice(b, rng.int(b.length), 0, Uint8Array.from([...new Array<number>(9 + rng.int(3)).fill(0xff), rng.int(4)])),
  (b, rng, donor) => {
    const at = rng.int(donor.length);
    return splice(b, rng.int(b.length + 1), rng.int(8), donor.slice(at, at + 1 + rng.int(128)));
  },
  (b, rng) => {
    // Nudge a byte up or down a little: lengths and counts that are off by a few.
    const i = rng.int(b.length);
    return set(b, i, (b[i] + [1, -1, 2, -2, 4, -4][rng.int(6)]) & 0xff);
  },
];

function flip(b: Uint8Array, rng: Rng, n: number): Uint8Array {
  const out = b.slice();
  for (let k = 0; k < n; k++) out[rng.int(out.length)] ^= 1 << rng.int(8);
  return out;
}

function set(b: Uint8Array, i: number, v: number): Uint8Array {
  const out = b.slice();
  if (out.length > 0) out[Math.min(i, out.length - 1)] = v;
  return out;
}

function splice(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - Math.min(remove, b.length - at) + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

function* mutants(models: Uint8Array[], seed: number, count: number): Generator<Uint8Array> {
  const rng = createRng(seed);
  for (let i = 0; i < count; i++) {
    let b = models[i % models.length];
    const donor = models[(i + 1) % models.length];
    const steps = 1 + rng.int(3);
    for (let s = 0; s < steps && b.length > 0; s++) b = mutations[rng.int(mutations.length)](b, rng, donor);
    yield b;
  }
}

const models = loadTorchCases().map((c) => new Uint8Array(readFileSync(c.onnxPath)));

describe('fuzzing the decoder with mutated fixture models', () => {
  it('the mutants are deterministic for a seed', () => {
    const digest = (seed: number): string[] => [...mutants(models, seed, 200)].map((b) => Buffer.from(b).toString('base64'));
    expect(digest(SEED)).toEqual(digest(SEED));
    expect(digest(SEED + 1)).not.toEqual(digest(SEED));
  });

  it('the comparator used below tells models apart', () => {
    const a = decodeModel(models[0]);
    const b = decodeModel(models[0]);
    expect(firstDifference(a, b)).toBeNull();
    b.graph.initializer[1].data[0] += 1e-7;
    expect(firstDifference(a, b)).toBe('model.graph.initializer.1.data[0]');
    expect(firstDifference(Float32Array.of(NaN), Float32Array.of(NaN))).toBeNull();
    expect(firstDifference(Float32Array.of(0), Float64Array.of(0))).not.toBeNull();
  });

  it(`${MUTANTS} mutants each decode or throw OnnxFormatError naming a field, within the allocation bound`, () => {
    expect(models.length).toBeGreaterThan(0);
    let decoded = 0;
    let rejected = 0;
    const kinds = new Set<string>();
    for (const bytes of mutants(models, SEED, MUTANTS)) {
      const error = decodeHostile(bytes);
      if (error === null) {
        decoded++;
        const model = decodeModel(bytes);
        const difference = firstDifference(decodeModel(encodeModel(model)), model);
        if (difference !== null) expect.fail(`mutant ${decoded + rejected} changed on re-encoding at ${difference}`);
      } else {
        rejected++;
        kinds.add(error.message.split(': ').slice(1).join(': ').replace(/'[^']*'/g, "'…'").replace(/\d+/g, '#'));
      }
    }
    expect(decoded + rejected).toBe(MUTANTS);
    if (process.env.VIGIL_FUZZ_REPORT) process.stdout.write(`decoded ${decoded}, rejected ${rejected}, ${kinds.size} kinds:\n${[...kinds].sort().join('\n')}\n`);
    // The mutants reach deep into the decoder: many survive, many fail, in many different ways.
    expect(decoded).toBeGreaterThan(MUTANTS / 10);
    expect(rejected).toBeGreaterThan(MUTANTS / 4);
    expect(kinds.size).toBeGreaterThan(20);
  });
});
