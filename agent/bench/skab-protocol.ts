// One SKAB file through the protocol (benchmarks.md §2.2), with no label in sight: the input type
// holds features and times only, so nothing derived from a test label can reach fitting,
// thresholds or decisions (the smoke test also shuffles the labels and checks nothing changes).
//   fit        every member on the 400 training rows: scaler, weights, UCL from training residuals
//   frozen     the test windows scored by the trained members, nothing learned afterwards
//   streaming  the test rows in order, causal windows, each scored by the members as they are at
//              that moment; the live decider judges it; windows it judges 'normal' go to an inline
//              online learner per member (the live agent's agent/learning/online-learner.ts), whose
//              Adam steps change the weights that score the next rows. UCLs stay as trained.
// Rows → predictions per alignment (skab-config.ts): causal windows give one score per test row;
// SKAB's alignment scores test-only windows and, for window autoencoders (N > 1), maps window
// flags to rows with SKAB's rule. The result carries each row's prediction (null: none) and score (NaN: none).

import { skabWindowRows } from '../../models/eval/skab/window-alignment.js';
import { differenceChannels, slowChannels } from '../../models/preprocess/slow-channels.js';
import { createOnlineLearner, type OnlineLearner } from '../learning/online-learner.js';
import type { SkabConfig } from './skab-config.js';
import type { SkabFile } from './skab-data.js';
import { combineScores, createRowDecider, deciderRows, type RowPrediction, smoothScores, thresholdRows } from './skab-decide.js';
import { type FittedMember, fitMember, residuals } from './skab-member.js';
import { causalWindows, type Rows, testOnlyWindows } from './skab-windows.js';

export type SkabMode = 'frozen' | 'streaming';

/** What the protocol may see of a file: features and times, never labels. */
export interface SkabInput {
  readonly name: string;
  readonly channels: readonly string[];
  readonly train: Rows;
  readonly test: Rows & { readonly time: Float64Array };
}

export function protocolInput(file: SkabFile): SkabInput {
  return {
    name: file.name,
    channels: file.channels,
    train: { rows: file.train.rows, features: file.train.features },
    test: { rows: file.test.rows, features: file.test.features, time: file.test.time },
  };
}

export interface MemberReport {
  readonly architecture: string;
  readonly ucl: number;
  readonly epochs: number;
  readonly stopReason: string;
  readonly trainLoss: number;
  readonly valLoss: number | null;
  readonly learner: { readonly offered: number; readonly steps: number; readonly refused: number } | null;
}

export interface FileRun {
  readonly name: string;
  /** Channels differenced as slow (differenceSlowAbove). */
  readonly differenced: readonly string[];
  readonly predicted: RowPrediction[];
  readonly score: number[];
  readonly members: readonly MemberReport[];
  readonly ms: number;
}

export interface RunFileOptions {
  readonly seed: number;
  readonly epochs?: number;
}

export async function runSkabFile(raw: SkabInput, config: SkabConfig, mode: SkabMode, options: RunFileOptions): Promise<FileRun> {
  const started = performance.now();
  if (config.members.length === 0) throw new Error(`${config.name}: a configuration needs at least one member`);
  if (config.alignment === 'skab' && config.members.length > 1) throw new Error(`${config.name}: SKAB's alignment takes one detector; ensembles run causal`);
  if (mode === 'streaming' && config.alignment !== 'causal') throw new Error(`${config.name}: streaming runs are causal; use --alignment causal`);
  const slow = config.differenceSlowAbove === null ? raw.channels.map(() => false) : slowChannels(raw.train.features, raw.train.rows, raw.channels.length, config.differenceSlowAbove);
  const input = differenced(raw, slow);
  const members: FittedMember[] = [];
  // SKAB's autoencoder rule thresholds raw windows; everything else smooths residuals before its UCL.
  const smoothing = config.alignment === 'skab' && config.members[0].architecture !== 'lstm-forecaster' ? 1 : config.smoothing;
  for (const m of config.members) members.push(await fitMember(m, input.train, { channels: input.channels, seed: options.seed, epochs: options.epochs, smoothing }));
  let predicted: RowPrediction[];
  let score: Float64Array;
  let learners: (OnlineLearner | null)[] = members.map(() => null);
  if (mode === 'streaming') {
    ({ predicted, score, learners } = stream(input, config, members, options.seed));
  } else if (config.alignment === 'skab') {
    ({ predicted, score } = skabAligned(input, config, members[0]));
  } else {
    const C = input.channels.length;
    const perMember = members.map((m) => {
      const { windows, count } = causalWindows(input.train, input.test, C, m.windowSize);
      return smoothScores(residuals(m, windows, count), config.smoothing).map((r) => r / m.ucl);
    });
    score = combineScores(perMember, config.combine);
    predicted = config.decision === 'decider' ? deciderRows(score, input.test.time, config.policy, config.name) : thresholdRows(score);
  }
  return {
    name: input.name,
    differenced: input.channels.filter((_, c) => slow[c]),
    predicted,
    score: Array.from(score),
    members: members.map((m, i) => ({
      architecture: m.config.architecture,
      ucl: m.ucl,
      epochs: m.fit.epochs,
      stopReason: m.fit.stopReason,
      trainLoss: m.fit.trainLoss,
      valLoss: m.fit.valLoss,
      learner: learners[i] ? { offered: learners[i]!.stats.offered, steps: learners[i]!.stats.steps, refused: learners[i]!.stats.refused } : null,
    })),
    ms: performance.now() - started,
  };
}

/** The slow channels' differences in place of their levels, train and test as one stream. */
function differenced(input: SkabInput, slow: readonly boolean[]): SkabInput {
  if (!slow.includes(true)) return input;
  const C = input.channels.length;
  const train = new Float32Array(input.train.features.length);
  differenceChannels(train, input.train.features, input.train.rows, C, slow);
  const test = new Float32Array(input.test.features.length);
  differenceChannels(test, input.test.features, input.test.rows, C, slow, input.train.features.subarray((input.train.rows - 1) * C));
  return { ...input, train: { ...input.train, features: train }, test: { ...input.test, features: test } };
}

/** SKAB's own alignment: windows over the test rows only. */
function skabAligned(input: SkabInput, config: SkabConfig, m: FittedMember): { predicted: RowPrediction[]; score: Float64Array } {
  const C = input.channels.length;
  const N = m.windowSize;
  const T = input.test.rows;
  const { windows, count } = testOnlyWindows(input.test, C, N);
  const res = residuals(m, windows, count);
  if (m.detector.meta.role === 'autoencoder' && N > 1) {
    // The window notebooks (LSTM-AE, Conv-AE) threshold each window (residual > UCL) and map windows
    // to rows with their rule. Not for single rows (Vanilla AE, N = 1): that notebook flags each row
    // by its own residual, and the rule would check the empty slice anom[i:i], which Python's all()
    // calls true, flagging every row.
    const rows = skabWindowRows(Array.from(res, (r) => (r > m.ucl ? 1 : 0)), N);
    const score = new Float64Array(T).fill(Number.NaN);
    return { predicted: Array.from(rows, (v) => v as RowPrediction), score };
  }
  // A forecaster's window ending at row t judges row t; its first N − 1 rows have none. A row
  // autoencoder's window is its row (N = 1), one score per row.
  const score = new Float64Array(T).fill(Number.NaN);
  score.set(smoothScores(res, config.smoothing).map((r) => r / m.ucl), N - 1);
  const predicted = config.decision === 'decider' ? deciderRows(score, input.test.time, config.policy, config.name) : thresholdRows(score);
  return { predicted, score };
}

/** Streaming: row by row, the live decider judging, an inline learner per member learning from 'normal' windows. */
function stream(input: SkabInput, config: SkabConfig, members: readonly FittedMember[], seed: number) {
  const C = input.channels.length;
  const T = input.test.rows;
  const windows = members.map((m) => causalWindows(input.train, input.test, C, m.windowSize).windows);
  const learners = members.map((m) =>
    createOnlineLearner({ detector: m.detector, mode: 'inline', ...config.learning, recalibrateEvery: 0, seed }),
  );
  const decider = createRowDecider(config.policy, config.name);
  const k = config.smoothing;
  const res = members.map(() => new Float64Array(T)); // raw residuals, per member
  const score = new Float64Array(T);
  const predicted: RowPrediction[] = [];
  for (let t = 0; t < T; t++) {
    const views = members.map((m, i) => windows[i].subarray(t * m.windowSize * C, (t + 1) * m.windowSize * C));
    const ratios = members.map((m, i) => {
      res[i][t] = residuals(m, views[i], 1)[0];
      const recent = res[i].subarray(Math.max(0, t - k + 1), t + 1);
      return Float64Array.of(recent.reduce((a, b) => a + b, 0) / recent.length / m.ucl);
    });
    score[t] = combineScores(ratios, config.combine)[0];
    const { flag, verdict } = decider.step(score[t], input.test.time[t]);
    predicted.push(flag);
    if (verdict === 'normal') {
      members.forEach((m, i) => {
        learners[i].offer({ machineId: 'skab', time: input.test.time[t], channels: input.channels, data: views[i].slice(), size: m.windowSize, receivedAt: input.test.time[t] });
      });
    }
  }
  return { predicted, score, learners };
}
