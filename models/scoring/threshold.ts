// Thresholds from a Calibration (the score distribution on normal windows), chosen by policy.
//   quantile  { kind: 'quantile', q, factor }  the stored q-quantile × factor (SKAB's rule)
//   sigma     { kind: 'sigma', k }             mean + k·std
//   fixed     { kind: 'fixed', value }         the value itself: an override that needs no calibration
// Warning and critical each have a policy (defaults: quantile 0.999 × 1.5 and × 3). Two more levels
// give hysteresis: an episode clears only below `clear` = clearRatio × warning, and critical
// de-escalates only below `clearCritical` = clearRatio × critical (clearRatio defaults to 0.8).
// Every level is at least `floor` (default 1e-6, in the detector's squared-error units), so a model
// that reconstructs its calibration windows perfectly does not alarm on float rounding. Critical is
// never below warning: a pair of different kinds that inverts on some data collapses onto warning.
// Throws (configuration errors, meant to be hit once at start) when options are invalid, when a
// policy needs a calibration and there is none, or when the calibration does not store a quantile.

import type { Calibration } from '../detector.js';

export type ThresholdPolicy =
  | { readonly kind: 'quantile'; readonly q: number; readonly factor?: number }
  | { readonly kind: 'sigma'; readonly k: number }
  | { readonly kind: 'fixed'; readonly value: number };

export interface ThresholdOptions {
  /** Default { kind: 'quantile', q: 0.999, factor: 1.5 }. */
  readonly warning?: ThresholdPolicy;
  /** Default { kind: 'quantile', q: 0.999, factor: 3 }. */
  readonly critical?: ThresholdPolicy;
  /** Clear (and de-escalation) levels as a fraction of warning (and critical). In (0, 1]; default 0.8. */
  readonly clearRatio?: number;
  /** Lowest allowed threshold. Default 1e-6. */
  readonly floor?: number;
}

/** Score levels; a score strictly above a level is above it. */
export interface Thresholds {
  readonly warning: number;
  readonly critical: number;
  /** An active episode clears after enough windows strictly below this. */
  readonly clear: number;
  /** A critical episode de-escalates after enough windows strictly below this. */
  readonly clearCritical: number;
}

export const DEFAULT_THRESHOLD_OPTIONS = {
  warning: { kind: 'quantile', q: 0.999, factor: 1.5 },
  critical: { kind: 'quantile', q: 0.999, factor: 3 },
  clearRatio: 0.8,
  floor: 1e-6,
} as const satisfies Required<ThresholdOptions>;

/** Quantiles every Calibration stores (models/detector.ts). */
export const STORED_QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999, 1] as const;

/** The Calibration.quantiles key of q: 0.999 → '0.999', 1 → '1'. */
export function quantileKey(q: number): string {
  return String(q);
}

function describe(p: ThresholdPolicy): string {
  switch (p.kind) {
    case 'quantile': return `quantile ${p.q} × ${p.factor ?? 1}`;
    case 'sigma': return `mean + ${p.k}·std`;
    case 'fixed': return `fixed ${p.value}`;
  }
}

function checkPolicy(name: string, p: ThresholdPolicy | undefined): void {
  const where = `thresholds.${name}`;
  if (p === null || typeof p !== 'object') throw new Error(`${where} must be a policy like { kind: 'quantile', q: 0.999, factor: 1.5 }, got ${String(p)}`);
  switch (p.kind) {
    case 'quantile':
      if (!(p.q > 0 && p.q <= 1)) throw new Error(`${where}.q must be in (0, 1], e.g. 0.999; got ${p.q}`);
      if (p.factor !== undefined && !(p.factor > 0 && Number.isFinite(p.factor))) throw new Error(`${where}.factor must be a positive number, got ${p.factor}`);
      return;
    case 'sigma':
      if (!Number.isFinite(p.k)) throw new Error(`${where}.k must be a finite number of standard deviations, e.g. 4; got ${p.k}`);
      return;
    case 'fixed':
      if (!(p.value > 0 && Number.isFinite(p.value))) throw new Error(`${where}.value must be a positive score, got ${p.value}`);
      return;
    default:
      throw new Error(`${where}.kind must be 'quantile', 'sigma' or 'fixed', got ${String((p as { kind: unknown }).kind)}`);
  }
}

/** Resolves defaults and validates once; throws naming the field and the fix. */
export function checkThresholdOptions(options: ThresholdOptions = {}): Required<ThresholdOptions> {
  const o = { ...DEFAULT_THRESHOLD_OPTIONS, ...stripUndefined(options) } as Required<ThresholdOptions>;
  checkPolicy('warning', o.warning);
  checkPolicy('critical', o.critical);
  if (!(o.clearRatio > 0 && o.clearRatio <= 1)) throw new Error(`thresholds.clearRatio must be in (0, 1] (the clear level as a fraction of warning), got ${o.clearRatio}`);
  if (!(o.floor >= 0 && Number.isFinite(o.floor))) throw new Error(`thresholds.floor must be a non-negative number, got ${o.floor}`);
  // Inversions visible without data: same kind, critical's parameter not above warning's.
  const w = o.warning, c = o.critical;
  const inverted =
    (w.kind === 'fixed' && c.kind === 'fixed' && c.value <= w.value) ||
    (w.kind === 'sigma' && c.kind === 'sigma' && c.k <= w.k) ||
    (w.kind === 'quantile' && c.kind === 'quantile' && c.q === w.q && (c.factor ?? 1) <= (w.factor ?? 1));
  if (inverted) throw new Error(`thresholds.critical (${describe(c)}) must be above thresholds.warning (${describe(w)})`);
  return o;
}

/** True when some policy needs a calibration (is not 'fixed'). */
export function needsCalibration(options: ThresholdOptions = {}): boolean {
  const o = checkThresholdOptions(options);
  return o.warning.kind !== 'fixed' || o.critical.kind !== 'fixed';
}

/** The quantiles the policies read (for an online calibrator to track). */
export function policyQuantiles(options: ThresholdOptions = {}): number[] {
  const o = checkThresholdOptions(options);
  return [o.warning, o.critical].flatMap((p) => (p.kind === 'quantile' ? [p.q] : []));
}

function level(name: string, p: ThresholdPolicy, cal: Calibration | null): number {
  if (p.kind === 'fixed') return p.value;
  if (!cal) {
    throw new Error(`thresholds.${name} (${describe(p)}) needs a calibration and the model has none: calibrate the model, let the decider learn one online, or use { kind: 'fixed', value }`);
  }
  let v: number;
  if (p.kind === 'sigma') {
    v = cal.mean + p.k * cal.std;
  } else {
    const key = quantileKey(p.q);
    const stored = cal.quantiles[key];
    if (stored === undefined || !Object.hasOwn(cal.quantiles, key)) {
      throw new Error(`thresholds.${name}: quantile ${key} is not in the calibration (it stores ${Object.keys(cal.quantiles).sort((a, b) => Number(a) - Number(b)).join(', ')}); choose one of those`);
    }
    v = stored * (p.factor ?? 1);
  }
  if (!Number.isFinite(v)) throw new Error(`thresholds.${name} (${describe(p)}) is ${v}: the calibration holds non-finite statistics; recalibrate the model`);
  return v;
}

/** Thresholds of one calibration under `options`. Pure; throws only on configuration errors. */
export function thresholdsFrom(calibration: Calibration | null, options: ThresholdOptions = {}): Thresholds {
  const o = checkThresholdOptions(options);
  const warning = Math.max(level('warning', o.warning, calibration), o.floor);
  const critical = Math.max(level('critical', o.critical, calibration), warning);
  return { warning, critical, clear: o.clearRatio * warning, clearCritical: o.clearRatio * critical };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
