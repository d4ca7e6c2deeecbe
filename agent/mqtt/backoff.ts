// Reconnect delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
// and Jitter"): delay = random() · min(maxMs, initialMs · factor^attempt). Full jitter spreads a
// fleet of edge devices that lost the same broker, so they do not all knock at once when it returns.
// `attempt` counts failures since the last successful connection, from 0. `random` is injected.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2 };

/** The upper bound of the delay before reconnect attempt `attempt` (the jitter draws below it). */
export function backoffCap(attempt: number, { initialMs, maxMs, factor }: BackoffPolicy): number {
  return Math.min(maxMs, initialMs * factor ** Math.min(attempt, 1000));
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffCap(attempt, policy));
}

/** Checks a policy once, at configuration time; the message names the field. */
export function checkBackoff(policy: BackoffPolicy, where = 'reconnect'): BackoffPolicy {
  const { initialMs, maxMs, factor } = policy;
  if (!(Number.isFinite(initialMs) && initialMs > 0)) throw new Error(`${where}.initialMs must be a positive number of milliseconds, got ${initialMs}`);
  if (!(Number.isFinite(maxMs) && maxMs >= initialMs)) throw new Error(`${where}.maxMs must be at least initialMs (${initialMs}), got ${maxMs}`);
  if (!(Number.isFinite(factor) && factor >= 1)) throw new Error(`${where}.factor must be at least 1, got ${factor}`);
  return policy;
}
