// Global gradient-norm clipping as torch.nn.utils.clip_grad_norm_ (L2, error_if_nonfinite=False):
// total = ‖all grads‖₂; when maxNorm/(total + 1e-6) < 1 every gradient is scaled by it.
// Returns the norm before clipping, so callers can log or skip a step on NaN/Infinity.

import type { ParamStore } from '../params.js';

export function clipGradNorm(params: ParamStore, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm maxNorm must be > 0, got ${maxNorm}`);
  const g = params.grads;
  let sq = 0;
  for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const total = Math.sqrt(sq);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return total;
}
