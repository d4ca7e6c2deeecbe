// What `vigil bench nab --detector NAME` runs: one configuration for the whole corpus (NAB's rule:
// nothing is tuned per file). A detector is a set of members, each turning the rows into a
// per-row surprise, and the post-processing that turns their mean into NAB's anomaly_score:
//   members      'lstm'   stateful LSTM forecasters (an ensemble of `ensemble` seeds averaging
//                         their normalised residuals), trained by truncated BPTT on the fit rows and
//                         fine-tuned online on chunks judged normal; with `nll` the head also
//                         predicts the log-variance (Gaussian NLL) and residuals are divided by it
//                'naive'  the previous value as the forecast (a baseline with nothing learned)
//                'ae'     a dense autoencoder on the last `window` values, fine-tuned online
//                'level'  a second, slower time scale: the mean of the last hour's values against a
//                         reference level (an EWMA of those means over rows judged normal), no learning
//   inputs       the value standardised by statistics of the fit rows that then follow normal rows
//                slowly (normRate); optional extra inputs: 'lag' (the value one day before the
//                forecast target), 'week' (one week before it) and 'diff' (the first difference)
//   raw          min(1, surprise / rawScale), surprise = |residual| / its running scale; the members'
//                (weighted) mean of these, or their maximum (combine)
//   likelihood   NuPIC's anomaly likelihood of the raw scores (models/scoring/likelihood.ts), as
//                NAB's log score; rows before the probation end only build its history; the learning
//                verdict may use a second likelihood with another averaging window (gateAveragingWindow)
//   spatial      a value beyond the running range ± spatial × range scores 1 (HTM's rule)
//   rest         after a score ≥ restLevel, restFraction × probation rows report 0 (CAD OSE's rule)
// Learning never sees a row whose score reached learnGate (nor the chunk / windows holding it).

export type InputFeature = 'lag' | 'week' | 'diff';

export interface LstmMemberConfig {
  readonly kind: 'lstm';
  readonly ensemble: number;
  readonly hidden: number;
  readonly layers: number;
  /** Truncated-BPTT chunk (steps) for the fit epochs and the online steps. */
  readonly chunk: number;
  readonly epochs: number;
  readonly lrFit: number;
  readonly lrOnline: number;
  readonly nll: boolean;
  readonly inputs: readonly InputFeature[];
}

export interface NaiveMemberConfig {
  readonly kind: 'naive';
}

export interface AeMemberConfig {
  readonly kind: 'ae';
  readonly window: number;
  readonly hidden: number;
  readonly bottleneck: number;
  readonly epochs: number;
  readonly lrFit: number;
  readonly lrOnline: number;
}

/** A second, slower time scale: block means against a reference level (nab-level-member.ts). */
export interface LevelMemberConfig {
  readonly kind: 'level';
  /** Block length in minutes of the file's time step (one hour: 60). */
  readonly blockMinutes: number;
  /** Fewest rows in a block (for files sampled hourly or slower). */
  readonly minRows: number;
  readonly reference: 'day' | 'ewma' | 'daily';
  /** The reference's rate: per row judged normal ('ewma'), per day ('daily'). */
  readonly rate: number;
}

export type MemberConfig = LstmMemberConfig | NaiveMemberConfig | AeMemberConfig | LevelMemberConfig;

export interface NabDetectorConfig {
  /** The results' detector name (NAB forbids '_'). */
  readonly name: string;
  readonly members: readonly MemberConfig[];
  /** Share of the probationary rows the members are fitted on; the rest run online and seed the likelihood. */
  readonly fitFraction: number;
  /** Standardised inputs are clipped to ±zClip. */
  readonly zClip: number;
  readonly normRate: number;
  /** EWMA rate of each member's residual scale (on rows judged normal). */
  readonly residRate: number;
  readonly rawScale: number;
  /** How the members' clipped surprises make the raw score: their mean, or their maximum. */
  readonly combine: 'mean' | 'max';
  /** Each member's weight in the combination (weighted mean; for max, a factor on its surprise); null: equal. */
  readonly weights: readonly number[] | null;
  readonly learnGate: number;
  readonly likelihood: {
    readonly averagingWindow: number;
    readonly historicWindowSize: number;
    readonly reestimationPeriod: number;
    /** The learning verdict's averaging window when it differs from the reported score's; null: the same. */
    readonly gateAveragingWindow: number | null;
    /** NuPIC's red-zone filter (a second red likelihood in a row drops to yellow). */
    readonly redFilter: boolean;
  };
  /** Spatial tolerance (share of the range); null: no spatial rule. */
  readonly spatial: number | null;
  readonly restFraction: number;
  readonly restLevel: number;
  readonly seed: number;
}

const LSTM: LstmMemberConfig = { kind: 'lstm', ensemble: 1, hidden: 16, layers: 1, chunk: 32, epochs: 30, lrFit: 1e-2, lrOnline: 1e-3, nll: false, inputs: [] };

const BASE: Omit<NabDetectorConfig, 'name' | 'members'> = {
  fitFraction: 1,
  zClip: 8,
  normRate: 1e-3,
  residRate: 1e-3,
  rawScale: 4,
  combine: 'mean',
  weights: null,
  learnGate: 0.5,
  likelihood: { averagingWindow: 10, gateAveragingWindow: null, historicWindowSize: 8640, reestimationPeriod: 100, redFilter: false },
  spatial: 0.02,
  restFraction: 0.1,
  restLevel: 0.5,
  seed: 0,
};

export const NAB_DETECTORS = {
  /** Persistence forecast + the same post-processing: what the post-processing alone is worth. */
  naive: { ...BASE, name: 'vigilNaive', members: [{ kind: 'naive' }] },
  /** One stateful LSTM forecaster (MSE) on the value. */
  lstm: { ...BASE, name: 'vigilLstm', members: [LSTM] },
  /** One LSTM predicting mean and log-variance, with the value one day back as a second input. */
  'lstm-nll': { ...BASE, name: 'vigilLstmNll', members: [{ ...LSTM, nll: true, inputs: ['lag'] }] },
  /** A dense autoencoder on the last 16 values. */
  ae: { ...BASE, name: 'vigilAe', members: [{ kind: 'ae', window: 16, hidden: 32, bottleneck: 4, epochs: 50, lrFit: 3e-3, lrOnline: 1e-3 }] },
  /**
   * Vigil's NAB configuration (standard 70.8 at seed 0; 70.8 / 71.0 / 69.7 at seeds 0 / 10 / 20):
   * - six NLL forecasters (seeds) averaged, with the value one day back as a second input: the
   *   predicted σ puts each residual on the stream's own noise scale, and six seeds instead of three
   *   halve the variance of the raw score that seed luck adds (3 seeds: 70.3 / 69.8 / 69.2 with the
   *   same post-processing); it costs twice the time;
   * - the reported likelihood averages the raw score over 15 rows instead of NuPIC's 10: a lone
   *   surprising row (most of the false positives) moves the short mean less, while a sustained
   *   change still crosses; better on every one of six member runs tried (+1.5 on average), 20 rows
   *   about as good, 12 and 30 worse. A choice by NAB score over a plateau, not a derived value;
   * - the learning verdict keeps NuPIC's 10-row likelihood (gateAveragingWindow): it releases
   *   sooner after an event, so the forecasters resume learning; judging learning by the 15-row
   *   likelihood instead scored lower in the runs tried (68.9 with 20 rows at seed 0);
   * - the spatial rule (a value beyond the range seen ± 2 % of it scores 1) finds about 60 of the
   *   ~95 windows caught; without it the score falls to 49;
   * - the rest period (0.1 × probation rows after a score ≥ 0.5 report 0): NAB counts only the
   *   first detection in a window and charges every later one outside it (0: 54.3, 0.2: worse).
   */
  ensemble: {
    ...BASE,
    name: 'vigilEnsemble',
    members: [{ ...LSTM, ensemble: 6, nll: true, inputs: ['lag'] }],
    likelihood: { ...BASE.likelihood, averagingWindow: 15, gateAveragingWindow: 10 },
  },
  /**
   * `ensemble` plus a second time scale: the level member (one-hour block means against an EWMA
   * reference), its clipped surprise averaged with the forecasters' before the likelihood. Not the
   * default: over seeds 0/10/20/30 it scored 70.31 / 63.72 / 74.39 (standard / lowFP / lowFN)
   * against `ensemble`'s 70.78 / 65.69 / 74.42: it catches some level changes the forecasters
   * miss and adds as many false positives (BENCHMARKS.md, NAB history).
   */
  'two-scale': {
    ...BASE,
    name: 'vigilTwoScale',
    members: [{ ...LSTM, ensemble: 6, nll: true, inputs: ['lag'] }, { kind: 'level', blockMinutes: 60, minRows: 4, reference: 'ewma', rate: 3e-3 }],
    likelihood: { ...BASE.likelihood, averagingWindow: 15, gateAveragingWindow: 10 },
  },
} as const satisfies Record<string, NabDetectorConfig>;

export type NabDetectorName = keyof typeof NAB_DETECTORS;
export const NAB_DETECTOR_NAMES = Object.keys(NAB_DETECTORS) as NabDetectorName[];
