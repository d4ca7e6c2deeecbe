// A member of a NAB detector: something that turns each row into a residual, from that row and the
// rows before it only, and learns from the rows the detector judged normal. The detector
// (nab-series.ts) divides the residual's magnitude by its running scale and averages the members.
//   fitResiduals  once, after construction (which fitted it on the fit rows): the residuals of the
//                 fit rows in order (NaN where it has none), which also brings any state up to date
//   residual(t)   row t's residual, rows in order from the first row after the fit rows; the
//                 features (nab-features.ts) have standardised row t
//   judged(t, …)  the detector's verdict on row t, right after residual(t): learning happens here,
//                 never on a row judged anomalous

import type { MemberConfig } from './nab-config.js';
import type { NabFeatures } from './nab-features.js';

export interface NabMember {
  fitResiduals(): Float64Array;
  residual(t: number): number;
  judged(t: number, normal: boolean): void;
}

export type MemberFactory = (features: NabFeatures, fitRows: number, config: MemberConfig, seed: number) => Promise<NabMember>;

/** The previous standardised value as the forecast: residual z_t − z_{t−1}; learns nothing. */
export function createNaiveMember(features: NabFeatures, fitRows: number): NabMember {
  const { z } = features;
  return {
    fitResiduals: () => Float64Array.from({ length: fitRows }, (_, t) => (t > 0 ? z[t] - z[t - 1] : NaN)),
    residual: (t) => z[t] - z[t - 1],
    judged: () => undefined,
  };
}
