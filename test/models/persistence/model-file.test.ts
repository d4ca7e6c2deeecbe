import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_META, ModelFileError, encodeModelFile, loadModel, saveModel, statePath } from '../../../models/persistence/index.js';
import { decodeModel, encodeModel } from '../../../models/onnx/proto/index.js';
import type { DetectorParts } from '../../../models/detector.js';
import { runOrt } from '../../helpers/ort.js';
import { FORECASTER_DIR, forecasterParts } from './parts.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bytesOf(a: ArrayLike<number>): Buffer {
  return Buffer.from(Float32Array.from(a).buffer);
}

async function loadVigil(path: string, options = {}): Promise<DetectorParts> {
  const loaded = await loadModel(path, options);
  if (loaded.kind !== 'vigil') throw new Error('expected a Vigil model');
  return loaded.parts;
}

/** Rewrites one metadata value of a saved model file. */
function withMetadata(path: string, key: string, value: string | undefined): string {
  const model = decodeModel(readFileSync(path));
  model.metadataProps = model.metadataProps.filter((e) => e.key !== key);
  if (value !== undefined) model.metadataProps.push({ key, value });
  const out = join(dir, `edited-${key}-${readdirSync(dir).length}.onnx`);
  writeFileSync(out, encodeModel(model));
  return out;
}

async function loadError(path: string, options = {}): Promise<ModelFileError> {
  const err = await loadModel(path, options).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelFileError);
  return err as ModelFileError;
}

describe('saveModel → loadModel', () => {
  it('gives back identical parts: weights bit for bit, metadata equal, optimizer state exact', async () => {
    const parts = forecasterParts();
    const path = join(dir, 'pump.onnx');
    await saveModel(path, parts);
    const loaded = await loadModel(path);
    expect(loaded.kind).toBe('vigil');
    if (loaded.kind !== 'vigil') return;
    expect(loaded.warnings).toEqual([]);
    expect(loaded.formatVersion).toBe(1);
    const back = loaded.parts;
    expect(back.meta).toEqual(parts.meta);
    expect(back.scaler).toEqual(parts.scaler);
    expect(back.calibration).toEqual(parts.calibration);
    expect(back.optimizer).toEqual(parts.optimizer);
    expect(back.graph.params.list.map((p) => [p.name, p.shape])).toEqual(parts.graph.params.list.map((p) => [p.name, p.shape]));
    expect(bytesOf(back.graph.params.values).equals(bytesOf(parts.graph.params.values))).toBe(true);
    expect(back.graph.nodes).toEqual(parts.graph.nodes);
    expect(back.graph.inputs).toEqual(parts.graph.inputs);
    expect(back.graph.outputs).toEqual(parts.graph.outputs);
    expect([...back.graph.constants.keys()]).toEqual([...parts.graph.constants.keys()]);
    // Saving again gives the same bytes: nothing drifts through a round trip.
    expect(Buffer.from(encodeModelFile(back)).equals(readFileSync(path))).toBe(true);
  });

  it('writes a plain ONNX file that onnxruntime runs, metadata and all', async () => {
    const path = join(dir, 'ort.onnx');
    await saveModel(path, forecasterParts(false));
    const c = JSON.parse(readFileSync(join(FORECASTER_DIR, 'case.json'), 'utf8')) as { input: number[][][]; input_shape: number[]; output: number[][] };
    const out = await runOrt(readFileSync(path), { input: { dtype: 'float32', shape: c.input_shape, data: Float32Array.from(c.input.flat(2)) } });
    const got = Array.from(out.output.data as Float32Array);
    c.output.flat().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    expect(decodeModel(readFileSync(path)).metadataProps.map((e) => e.key)).toEqual(['vigil.format', 'vigil.meta', 'vigil.scaler', 'vigil.calibration']);
  });

  it('keeps no optimizer sidecar for parts without optimizer state, removing a leftover one', async () => {
    const path = join(dir, 'no-opt.onnx');
    await saveModel(path, forecasterParts(true));
    expect(existsSync(statePath(path))).toBe(true);
    await saveModel(path, forecasterParts(false));
    expect(existsSync(statePath(path))).toBe(false);
    expect((await loadVigil(path)).optimizer).toBeNull();
  });

  it('ignores, with a warning, a sidecar saved with another version of the model', async () => {
    const path = join(dir, 'stale.onnx');
    const parts = forecasterParts();
    await saveModel(path, parts);
    const oldState = readFileSync(statePath(path));
    await saveModel(path, { ...parts, meta: { ...parts.meta, version: '1.5', fineTuneSteps: 5 } });
    writeFileSync(statePath(path), oldState);
    const loaded = await loadModel(path);
    expect(loaded.kind === 'vigil' && loaded.parts.optimizer).toBeNull();
    expect(loaded.warnings.join()).toMatch(/saved with another version/);
  });

  it('refuses a damaged sidecar by default, and loads without it when lenient', async () => {
    const path = join(dir, 'bad-state.onnx');
    await saveModel(path, forecasterParts());
    const state = readFileSync(statePath(path));
    state[state.length >> 1] ^= 0x10;
    writeFileSync(statePath(path), state);
    const err = await loadError(path);
    expect(err.file).toBe(statePath(path));
    expect(err.message).toMatch(/checksum does not match/);
    const lenient = await loadModel(path, { optimizerState: 'lenient' });
    expect(lenient.kind === 'vigil' && lenient.parts.optimizer).toBeNull();
    expect(lenient.warnings.join()).toMatch(/checksum/);
  });

  it('loads a foreign ONNX file (no vigil.meta) as a graph for detectorFromGraph', async () => {
    const loaded = await loadModel(join(FORECASTER_DIR, 'model.onnx'));
    expect(loaded.kind).toBe('foreign');
    if (loaded.kind === 'foreign') expect(loaded.graph.inputs[0].shape).toEqual(['batch', 20, 3]);
  });

  it('refuses to save parts it could not read back, naming the field', async () => {
    const parts = forecasterParts();
    const path = join(dir, 'never.onnx');
    await expect(saveModel(path, { ...parts, scaler: { mean: [0, Number.NaN, 0], std: [1, 1, 1] } })).rejects.toThrow(/never\.onnx: cannot save: vigil\.scaler\.mean\[1\]: expected a finite number, got NaN/);
    await expect(saveModel(path, { ...parts, meta: { ...parts.meta, channels: ['a', 'b'] } })).rejects.toThrow(/vigil\.scaler\.mean: expected 2 entries \(one per channel\), got 3/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('loadModel on bad metadata', () => {
  const good = join(dir, 'good.onnx');
  const meta = (): Record<string, unknown> => ({ ...forecasterParts().meta });

  it('names the field of the wrong type', async () => {
    await saveModel(good, forecasterParts(false));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...meta(), windowSize: '21' }, /vigil\.meta\.windowSize: expected an integer >= 1, got "21" \(a string\)/],
      [{ ...meta(), channels: ['temp', 7, 'current'] }, /vigil\.meta\.channels\[1\]: expected a string, got 7 \(a number\)/],
      [{ ...meta(), role: 'oracle' }, /vigil\.meta\.role: expected one of 'autoencoder', 'forecaster', got "oracle"/],
      [{ ...meta(), name: undefined }, /vigil\.meta\.name: expected a string, got nothing \(the field is missing\)/],
      [{ ...meta(), hyper: { hidden: [16] } }, /vigil\.meta\.hyper\.hidden: expected a finite number, got an array/],
    ];
    for (const [m, re] of cases) {
      const err = await loadError(withMetadata(good, KEY_META, JSON.stringify(m)));
      expect(err.message).toMatch(re);
      expect(err.message).toMatch(/^.*edited-vigil\.meta-\d+\.onnx: /);
    }
    expect((await loadError(withMetadata(good, KEY_META, '{"name": '))).message).toMatch(/vigil\.meta: is not valid JSON/);
    expect((await loadError(withMetadata(good, 'vigil.calibration', '{"windows": 3}'))).message).toMatch(/vigil\.calibration\.quantiles: expected an object/);
    expect((await loadError(withMetadata(good, 'vigil.scaler', undefined))).message).toMatch(/vigil\.scaler: missing/);
  });

  it('names both sides when the metadata does not match the graph', async () => {
    // Scaler and calibration are per channel, so make them agree with the four channels to reach the graph check.
    let p = withMetadata(good, KEY_META, JSON.stringify({ ...meta(), channels: ['a', 'b', 'c', 'd'] }));
    expect((await loadError(p)).message).toMatch(/vigil\.scaler\.mean: expected 4 entries \(one per channel\), got 3/);
    p = withMetadata(p, 'vigil.scaler', JSON.stringify({ mean: [0, 0, 0, 0], std: [1, 1, 1, 1] }));
    const fixed2 = withMetadata(p, 'vigil.calibration', 'null');
    expect((await loadError(fixed2)).message).toMatch(/vigil\.meta\.channels lists 4 channels \(a, b, c, d\), but graph input 'input' is \[batch, 20, 3\] with 3 on its channel axis/);
    const time = withMetadata(good, KEY_META, JSON.stringify({ ...meta(), windowSize: 30 }));
    expect((await loadError(time)).message).toMatch(/vigil\.meta\.windowSize is 30 \(horizon 1\), but graph input 'input' is \[batch, 20, 3\] with 20 samples on its time axis/);
  });

  it('refuses newer and older formats with what to do', async () => {
    expect((await loadError(withMetadata(good, 'vigil.format', '2'))).message).toMatch(/format 2, written by a newer Vigil; this Vigil reads formats 1 to 1: upgrade Vigil/);
    expect((await loadError(withMetadata(good, 'vigil.format', '0'))).message).toMatch(/format 0, older than this Vigil reads/);
    expect((await loadError(withMetadata(good, 'vigil.format', 'one'))).message).toMatch(/vigil\.format: expected a format version number, got "one"/);
    expect((await loadError(withMetadata(good, 'vigil.format', undefined))).message).toMatch(/vigil\.format: missing/);
  });
});

describe('loadModel on files that are not models', () => {
  const path = join(dir, 'victim.onnx');

  it('empty, JSON, missing, a directory: a ModelFileError naming the file', async () => {
    writeFileSync(join(dir, 'empty.onnx'), '');
    expect((await loadError(join(dir, 'empty.onnx'))).message).toMatch(/empty\.onnx: not a readable ONNX model: not an ONNX model: the file is empty/);
    writeFileSync(join(dir, 'case.onnx'), readFileSync(join(FORECASTER_DIR, 'case.json')));
    expect((await loadError(join(dir, 'case.onnx'))).message).toMatch(/case\.onnx: not a readable ONNX model: not an ONNX model/);
    expect((await loadError(join(dir, 'nope.onnx'))).message).toMatch(/nope\.onnx: cannot read it: the file does not exist/);
    mkdirSync(join(dir, 'adir.onnx'));
    expect((await loadError(join(dir, 'adir.onnx'))).message).toMatch(/adir\.onnx: cannot read it: it is a directory/);
  });

  it('every truncation is a clear error, never a crash', async () => {
    await saveModel(path, forecasterParts(false));
    const bytes = readFileSync(path);
    const cut = join(dir, 'cut.onnx');
    for (let n = 1; n < bytes.length; n += Math.max(1, Math.floor(bytes.length / 300))) {
      writeFileSync(cut, bytes.subarray(0, n));
      const err = await loadError(cut);
      expect(err.message.startsWith(`${cut}: `)).toBe(true);
    }
  });

  it('flipped bytes load or fail with a ModelFileError, never anything else', async () => {
    const bytes = readFileSync(path);
    const flipped = join(dir, 'flipped.onnx');
    let seed = 12345;
    let refused = 0;
    for (let k = 0; k < 300; k++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const copy = Buffer.from(bytes);
      copy[seed % copy.length] ^= 1 << (seed >>> 29);
      writeFileSync(flipped, copy);
      const r = await loadModel(flipped).then(() => 'loaded', (e: unknown) => e);
      if (r !== 'loaded') {
        expect(r).toBeInstanceOf(ModelFileError);
        refused++;
      }
    }
    // Flips inside weight values are undetectable without a signature; most others are refused.
    expect(refused).toBeGreaterThan(0);
  });

  it('a copied-in foreign file with a stray sidecar is still foreign', async () => {
    const p = join(dir, 'foreign-copy.onnx');
    copyFileSync(join(FORECASTER_DIR, 'model.onnx'), p);
    writeFileSync(statePath(p), 'junk');
    expect((await loadModel(p)).kind).toBe('foreign');
  });
});
