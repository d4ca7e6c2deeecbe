// What the decider says when an episode changes: one lifecycle event (raised → updated* → cleared)
// of one anomaly episode of one machine. Structurally the agent's Alert (agent/types.ts; models/
// cannot import agent/, the operator checks the two agree at compile time).
//   id           stable per episode and deterministic: sha256 of (machineId, model name, the event
//                time the episode was raised), first 24 hex digits (96 bits). A replay of the same
//                scores gives the same ids; a redelivered event carries the same id.
//   topChannels  the channels with the largest per-channel scores, largest first, each with its share
//                of the sum of all per-channel scores (0 when that sum is 0).

import { createHash } from 'node:crypto';

export type Severity = 'warning' | 'critical';
export type AlertState = 'raised' | 'updated' | 'cleared';

export interface ModelRef {
  readonly name: string;
  readonly version: string;
}

export interface ChannelContribution {
  readonly channel: string;
  readonly score: number;
  /** score / sum of all per-channel scores, in [0, 1]. */
  readonly share: number;
}

export interface AlertEvent {
  readonly id: string;
  readonly machineId: string;
  readonly state: AlertState;
  readonly severity: Severity;
  /** The score of the window that caused this event. */
  readonly score: number;
  /** The level it was judged against: raised/updated the severity's threshold, cleared the clear level. */
  readonly threshold: number;
  readonly topChannels: readonly ChannelContribution[];
  /** Event time of the window that caused this event. */
  readonly time: number;
  readonly receivedAt: number;
  /** Event time of the window that raised the episode. */
  readonly startedAt: number;
  readonly model: ModelRef;
  /** Per-machine, +1 per event, continued across restarts through the decider's saved state. */
  readonly seq: number;
  /**
   * Only when the decision policy judges the likelihood (decision.likelihood): the window's log
   * likelihood score, which was judged against `threshold` (score stays the raw score).
   */
  readonly likelihoodScore?: number;
}

export function episodeId(machineId: string, modelName: string, startedAt: number): string {
  return createHash('sha256').update(JSON.stringify([machineId, modelName, startedAt])).digest('hex').slice(0, 24);
}

/** The `count` largest finite per-channel scores, largest first (ties by channel name). */
export function topChannels(perChannel: Readonly<Record<string, number>>, count: number): ChannelContribution[] {
  const entries: [string, number][] = [];
  let sum = 0;
  for (const channel of Object.keys(perChannel)) {
    const v = perChannel[channel];
    if (!Number.isFinite(v)) continue;
    entries.push([channel, v]);
    if (v > 0) sum += v;
  }
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.slice(0, count).map(([channel, score]) => ({ channel, score, share: sum > 0 ? Math.max(score, 0) / sum : 0 }));
}
