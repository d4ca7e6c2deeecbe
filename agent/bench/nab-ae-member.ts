// The autoencoder member of a NAB detector: a Vigil dense-ae over the last `window` standardised
// values. Its residual for row t is the root of the window's reconstruction error (the window
// ending at t, so a spike counts from the row it arrives). Fitted on the windows of the fit rows
// (the last fifth held out for early stopping); online, every `window` rows one Adam step on the
// windows ending at those rows, unless a row they cover was judged anomalous.

import { createDetector } from '../../models/create-detector.js';
import type { AeMemberConfig } from './nab-config.js';
import type { NabFeatures } from './nab-features.js';
import type { NabMember } from './nab-member.js';

export async function createAeMember(features: NabFeatures, fitRows: number, cfg: AeMemberConfig, seed: number): Promise<NabMember> {
  const { z } = features;
  const W = cfg.window;
  const detector = createDetector('dense-ae', { channels: ['value'], windowSize: W, hidden: cfg.hidden, bottleneck: cfg.bottleneck, seed, lr: cfg.lrOnline });
  await detector.fit([{ data: z.slice(0, fitRows), length: fitRows }], {
    epochs: cfg.epochs, batchSize: 32, learningRate: cfg.lrFit, validationSplit: 0.2, patience: 10, seed,
  });
  const batch = new Float32Array(W * W); // [W windows, W values]
  const residual = (t: number): number => (t >= W - 1 ? Math.sqrt(detector.score(z.subarray(t - W + 1, t + 1), 1).total[0]) : NaN);
  let lastFlagged = -Infinity;
  return {
    fitResiduals: () => Float64Array.from({ length: fitRows }, (_, t) => residual(t)),
    residual,
    judged(t, normal) {
      if (!normal) lastFlagged = t;
      // Every W rows: the W windows ending at t−W+1 … t cover rows t−2W+2 … t.
      if ((t - fitRows + 1) % W !== 0 || t - 2 * W + 2 < 0 || lastFlagged >= t - 2 * W + 2) return;
      for (let k = 0; k < W; k++) batch.set(z.subarray(t - 2 * W + 2 + k, t - W + 2 + k), k * W);
      detector.learn(batch, W);
    },
  };
}
