// The decider: one machine's alerting state machine. It turns scored windows into Decisions; a
// detector scores, this decides (DESIGN principle 9). Pure and synchronous: event time comes from
// the windows, nothing reads a clock, nothing is random.
//
// Phases:  learning ─(calibrated and warmupWindows seen)→ watching ─(raise)→ active ─(clear)→
//          cooldown ─(cooldownMs of event time)→ watching
// Rules, per valid window (policy defaults in decision-policy.ts):
//   level      2 above critical, 1 above warning, else 0; the last raise.n levels are kept
//   raise      no open episode, not in cooldown, at least k of the last n levels ≥ 1 → 'raised',
//              critical when at least k of them are 2. id = episodeId(machine, model name, time).
//   escalate   open warning episode, k of the last n levels are 2 → 'updated' as critical, at once
//   de-escalate open critical episode, clearWindows consecutive windows below clearCritical →
//              'updated' as warning, at once (the critical evidence is then forgotten)
//   clear      open episode, clearWindows consecutive windows below clear → 'cleared'; cooldown
//              starts; the levels are forgotten
//   update     open episode, window above warning, updateIntervalMs since the last event → 'updated'
//   cooldown   a raise is held back until cooldownUntil; levels keep counting, so a fault still
//              present when the cooldown ends raises on the first window after it (it is not lost)
// Every Decision labels its window: 'normal' (below clear, no open episode: the caller may learn
// from it), 'anomalous' (anything else while judging), 'learning' (not judged yet) or 'invalid'
// (a non-finite score: it changes nothing and is never learned from).
// Calibration: a model Calibration (or fixed thresholds) is used at once. Without one the decider
// learns the score distribution online from every window it sees while learning, then freezes it.
// recalibrate(null) relearns; while an episode is open the old thresholds keep judging until it
// clears, so no episode is left open with nothing to close it.
// state()/load(): JSON round trip; load() keeps this decider's model calibration when it has one,
// otherwise restores the learned calibration or learning in progress. A saved episode always stays
// open (same id); if its thresholds cannot be rebuilt, the saved ones judge it until it clears.
// load() throws only on a damaged state (checkDeciderState says which field).
// Likelihood (policy.likelihood set; likelihood-judge.ts): each valid window's score is scaled to a
// raw unit score (by the score thresholds' warning level when there are some, else by the machine's
// running median) and fed to the machine's anomaly likelihood; the rules above then judge the
// likelihood's log score against the likelihood levels (thresholds reports those, null while the
// likelihood learns), and events carry it as likelihoodScore beside the raw score. No online
// calibration is learned in this mode. The likelihood's learning windows are 'learning'; with an
// episode open (a restart under new likelihood settings) they are judged, at L = 0.5, so the
// episode clears. recalibrate(null) starts the likelihood and the running scale anew (a new model
// scores on another scale); a new Calibration only changes the scale.

import type { Calibration } from '../detector.js';
import { type AlertEvent, type AlertState, type ModelRef, episodeId, topChannels } from './alert-event.js';
import { type DeciderState, type EpisodeState, type ThresholdSource, checkDeciderState } from './decider-state.js';
import { type DecisionPolicy, type ResolvedDecisionPolicy, checkDecisionPolicy } from './decision-policy.js';
import { type LikelihoodJudge, createLikelihoodJudge } from './likelihood-judge.js';
import { type OnlineCalibrator, createOnlineCalibrator } from './online-calibrator.js';
import { type Thresholds, needsCalibration, policyQuantiles, thresholdsFrom } from './threshold.js';

export type WindowVerdict = 'normal' | 'anomalous' | 'learning' | 'invalid';
export type DeciderPhase = 'learning' | 'watching' | 'active' | 'cooldown';

/** What the decider needs of a scored window; agent's Score has this shape. */
export interface ScoredWindow {
  readonly value: number;
  readonly perChannel: Readonly<Record<string, number>>;
  readonly time: number;
  readonly receivedAt: number;
  readonly model: ModelRef;
}

export interface Decision {
  readonly window: WindowVerdict;
  /** The phase after this window. */
  readonly phase: DeciderPhase;
  readonly event: AlertEvent | null;
}

export interface DeciderOptions extends DecisionPolicy {
  readonly machineId: string;
  /** The model's calibration; null or absent: learn one online (unless both thresholds are fixed). */
  readonly calibration?: Calibration | null;
}

export interface Decider {
  readonly machineId: string;
  readonly phase: DeciderPhase;
  /** The levels judged against: score thresholds, or with policy.likelihood the likelihood levels. */
  readonly thresholds: Thresholds | null;
  /** Model of the last window seen. */
  readonly model: ModelRef | null;
  step(window: ScoredWindow): Decision;
  /** New thresholds from `calibration` at once, or null: relearn online (after the open episode, if any). */
  recalibrate(calibration: Calibration | null): void;
  state(): DeciderState;
  load(state: DeciderState): void;
}

export type { DeciderState } from './decider-state.js';

export function createDecider(options: DeciderOptions): Decider {
  const { machineId } = options;
  if (typeof machineId !== 'string' || machineId === '') throw new Error('createDecider: machineId must be a non-empty string');
  const policy: ResolvedDecisionPolicy = checkDecisionPolicy(options);
  const { k, n } = policy.raise;
  const online = needsCalibration(policy.thresholds);
  const newCalibrator = (resume?: DeciderState['learning']): OnlineCalibrator =>
    createOnlineCalibrator({ minWindows: policy.calibrationWindows, quantiles: policyQuantiles(policy.thresholds) }, resume ?? undefined);

  // Calibration state.
  let th: Thresholds | null = null;
  let source: ThresholdSource | null = null;
  let learned: Calibration | null = null;
  let calibrator: OnlineCalibrator | null = null;
  let relearnPending = false;
  // Judging state.
  let seq = 0, seen = 0, below = 0, belowCritical = 0;
  let lastTime: number | null = null;
  let model: ModelRef | null = null;
  let levels: number[] = []; // oldest first, at most n
  let episode: { -readonly [K in keyof EpisodeState]: EpisodeState[K] } | null = null;
  let cooldownUntil: number | null = null;
  // Likelihood state (policy.likelihood only).
  const lp = policy.likelihood;
  const newJudge = (): LikelihoodJudge => createLikelihoodJudge(lp!, policy.thresholds.clearRatio, policy.thresholds.floor);
  let lj: LikelihoodJudge | null = lp ? newJudge() : null;

  function useCalibration(calibration: Calibration | null): void {
    relearnPending = false;
    learned = null;
    calibrator = null;
    if (calibration || !online) {
      th = thresholdsFrom(calibration, policy.thresholds);
      source = online ? 'model' : 'fixed';
    } else {
      th = null;
      source = 'online';
      calibrator = lp ? null : newCalibrator();
      if (lp) lj = newJudge();
    }
  }
  useCalibration(options.calibration ?? null);
  const constructedSource = source;
  const constructedThresholds = th;

  /** Whether a saved learned calibration yields thresholds under the current policy (it may name a new quantile). */
  function fits(calibration: Calibration): boolean {
    try {
      thresholdsFrom(calibration, policy.thresholds);
      return true;
    } catch {
      return false;
    }
  }

  function phase(): DeciderPhase {
    if (episode) return 'active';
    if (lj ? lj.learning : !th) return 'learning';
    if (seen < policy.warmupWindows) return 'learning';
    if (cooldownUntil !== null && lastTime !== null && lastTime < cooldownUntil) return 'cooldown';
    return 'watching';
  }

  function forget(): void {
    levels = [];
    below = 0;
    belowCritical = 0;
  }

  /** The judged log likelihood score of the current window (likelihood mode), for its events. */
  let likelihoodScore: number | null = null;

  function emit(state: AlertState, w: ScoredWindow, threshold: number): AlertEvent {
    const e = episode!;
    seq++;
    if (state !== 'cleared') e.lastEventAt = w.time;
    return {
      id: e.id, machineId, state, severity: e.severity, score: w.value, threshold,
      topChannels: topChannels(w.perChannel, policy.topChannels),
      time: w.time, receivedAt: w.receivedAt, startedAt: e.startedAt,
      model: { name: w.model.name, version: w.model.version }, seq,
      ...(likelihoodScore === null ? {} : { likelihoodScore }),
    };
  }

  /** Judges value v (the window's score, or its log likelihood score) against t. */
  function judge(w: ScoredWindow, t: Thresholds, v: number): { window: WindowVerdict; event: AlertEvent | null } {
    levels.push(v > t.critical ? 2 : v > t.warning ? 1 : 0);
    if (levels.length > n) levels.shift();
    let above = 0, critical = 0;
    for (const l of levels) {
      if (l >= 1) above++;
      if (l === 2) critical++;
    }
    below = v < t.clear ? below + 1 : 0;
    belowCritical = v < t.clearCritical ? belowCritical + 1 : 0;

    if (!episode) {
      const window: WindowVerdict = v < t.clear ? 'normal' : 'anomalous';
      const cooling = cooldownUntil !== null && w.time < cooldownUntil;
      if (above < k || cooling) return { window, event: null };
      cooldownUntil = null;
      const severity = critical >= k ? 'critical' : 'warning';
      episode = { id: episodeId(machineId, w.model.name, w.time), startedAt: w.time, severity, lastEventAt: w.time };
      return { window, event: emit('raised', w, t[severity]) };
    }
    if (below >= policy.clearWindows) {
      const event = emit('cleared', w, t.clear);
      episode = null;
      cooldownUntil = w.time + policy.cooldownMs;
      forget();
      return { window: 'anomalous', event };
    }
    if (episode.severity === 'warning' && critical >= k) {
      episode.severity = 'critical';
      return { window: 'anomalous', event: emit('updated', w, t.critical) };
    }
    if (episode.severity === 'critical' && belowCritical >= policy.clearWindows) {
      episode.severity = 'warning';
      levels = levels.map((l) => Math.min(l, 1));
      belowCritical = 0;
      return { window: 'anomalous', event: emit('updated', w, t.warning) };
    }
    if (v > t.warning && w.time - episode.lastEventAt >= policy.updateIntervalMs) {
      return { window: 'anomalous', event: emit('updated', w, t[episode.severity]) };
    }
    return { window: 'anomalous', event: null };
  }

  function stepLikelihood(w: ScoredWindow, j: LikelihoodJudge): Decision {
    const r = j.step(w.value, th ? th.warning : null);
    if (!episode && (r.learning || seen <= policy.warmupWindows)) return { window: 'learning', phase: phase(), event: null };
    likelihoodScore = r.score;
    const out = judge(w, j.thresholds, r.score);
    likelihoodScore = null;
    if (out.window === 'normal') j.learnScale(w.value);
    if (relearnPending && !episode) {
      useCalibration(null);
      forget();
    }
    return { window: out.window, phase: phase(), event: out.event };
  }

  function step(w: ScoredWindow): Decision {
    if (!Number.isFinite(w.value)) return { window: 'invalid', phase: phase(), event: null };
    seen++;
    lastTime = w.time;
    model = w.model;
    if (lj) return stepLikelihood(w, lj);
    if (!th) {
      const c = calibrator ?? (calibrator = newCalibrator());
      c.observe(w.value, Object.values(w.perChannel));
      if (c.ready) {
        learned = c.calibration();
        th = thresholdsFrom(learned, policy.thresholds);
        calibrator = null;
      }
      return { window: 'learning', phase: phase(), event: null };
    }
    if (!episode && seen <= policy.warmupWindows) return { window: 'learning', phase: phase(), event: null };
    const out = judge(w, th, w.value);
    if (relearnPending && !episode) {
      useCalibration(null);
      forget();
    }
    return { window: out.window, phase: phase(), event: out.event };
  }

  /** The levels in use: the score thresholds, or the likelihood's once it has learned. */
  function judged(): Thresholds | null {
    if (!lj) return th;
    return lj.learning && !episode ? null : lj.thresholds;
  }

  return {
    machineId,
    get phase() { return phase(); },
    get thresholds() { return judged(); },
    get model() { return model; },
    step,
    recalibrate(calibration) {
      if (calibration === null && online && episode) {
        relearnPending = true;
        return;
      }
      useCalibration(calibration);
      if (!th) forget();
    },
    state(): DeciderState {
      return {
        format: 1, machineId, seq, seen, lastTime,
        model: model && { name: model.name, version: model.version },
        thresholds: judged() && { ...judged()! }, source,
        learned: source === 'online' ? learned : null,
        learning: calibrator ? calibrator.state() : null,
        relearnPending,
        levels: [...levels], below, belowCritical,
        episode: episode && { ...episode },
        cooldownUntil,
        ...(lj ? { likelihood: lj.state() } : {}),
      };
    },
    load(raw) {
      const s = checkDeciderState(raw, machineId);
      seq = s.seq;
      seen = s.seen;
      lastTime = s.lastTime;
      model = s.model && { name: s.model.name, version: s.model.version };
      levels = s.levels.slice(-n);
      below = s.below;
      belowCritical = s.belowCritical;
      episode = s.episode && { ...s.episode };
      cooldownUntil = s.cooldownUntil;
      // Thresholds: this decider's model calibration or fixed policy wins over the saved ones.
      if (constructedSource !== 'online') {
        th = constructedThresholds;
        source = constructedSource;
        learned = null;
        calibrator = null;
        relearnPending = false;
      } else if (s.source === 'online' && s.learned && fits(s.learned)) {
        learned = s.learned;
        th = thresholdsFrom(learned, policy.thresholds);
        source = 'online';
        calibrator = null;
        relearnPending = s.relearnPending && episode !== null;
      } else if (s.source === 'online' && !episode) {
        useCalibration(null);
        if (s.learning && !lp) calibrator = newCalibrator(s.learning);
      } else if (episode && s.thresholds && !s.likelihood) {
        // Saved thresholds came from a calibration this decider no longer has: they judge the open
        // episode until it clears, then the decider learns anew.
        th = { ...s.thresholds };
        source = s.source;
        learned = null;
        calibrator = null;
        relearnPending = true;
      } else {
        useCalibration(null);
      }
      if (lp) {
        // The saved likelihood resumes (a state saved without one, or under other settings, learns anew).
        lj = createLikelihoodJudge(lp, policy.thresholds.clearRatio, policy.thresholds.floor, s.likelihood ?? undefined);
        relearnPending = relearnPending && episode !== null;
      } else if (!th) forget();
    },
  };
}
