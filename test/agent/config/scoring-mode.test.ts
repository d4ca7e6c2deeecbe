// scoring.mode: 'window' by default, 'stream' from the file or VIGIL_SCORING_MODE, anything else
// refused naming the choices; 'stream' with a starter model that is no LSTM forecaster is refused
// at start, before any training.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../agent/config/resolve.js';
import { problemsOf } from '../../helpers/config-problems.js';

describe('scoring.mode', () => {
  it("defaults to 'window' and takes 'stream' from the file or the environment", () => {
    expect(resolveConfig({ env: {} }).scoring).toEqual({ mode: 'window', maxBatch: 64 });
    expect(resolveConfig({ env: {}, file: { scoring: { mode: 'stream' } } }).scoring.mode).toBe('stream');
    expect(resolveConfig({ env: { VIGIL_SCORING_MODE: 'stream' } }).scoring.mode).toBe('stream');
  });

  it('refuses an unknown mode, naming the choices', () => {
    expect(problemsOf(() => resolveConfig({ env: {}, file: { scoring: { mode: 'streaming' } } }))).toEqual([
      "scoring.mode must be window or stream, got 'streaming'",
    ]);
  });

  it("refuses 'stream' when the starter model would be an autoencoder", () => {
    const file = { scoring: { mode: 'stream' }, model: { starter: { architecture: 'dense-ae' } } };
    expect(problemsOf(() => resolveConfig({ env: {}, file }))).toEqual([
      "scoring.mode 'stream' steps an LSTM forecaster, but the starter model is dense-ae: set model.starter.architecture to lstm-forecaster or scoring.mode to window",
    ]);
    // A model file is checked when the daemon loads it (agent/stages/to-stream-scores.ts checkStreamable).
    expect(problemsOf(() => resolveConfig({ env: {}, file: { ...file, model: { path: 'm.onnx' } } }))).toEqual([]);
  });
});
