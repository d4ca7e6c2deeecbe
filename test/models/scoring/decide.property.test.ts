// Seeded property tests: whatever the scores and the policy, the event stream is a well-formed
// lifecycle (raised → updated* → cleared per id, never two open episodes, seq +1 per event), the
// rate limit and the cooldown hold, and nothing flagged is ever offered for learning. Then the
// false-alarm side: noisy but normal signals near the thresholds do not flap.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../engine/rng.js';
import type { AlertEvent } from '../../../models/scoring/alert-event.js';
import { type Decision, type ScoredWindow } from '../../../models/scoring/decide.js';
import type { DecisionPolicy } from '../../../models/scoring/decision-policy.js';
import { MODEL, STEP, T0, decider, events, regimeStream, repeat, run, trace } from './decide-helpers.js';

interface Case {
  policy: DecisionPolicy;
  windows: ScoredWindow[];
}

function randomCase(seed: number): Case {
  const rng = createRng(seed);
  const n = 1 + rng.int(7);
  const policy: DecisionPolicy = {
    raise: { k: 1 + rng.int(n), n },
    clearWindows: 1 + rng.int(6),
    updateIntervalMs: rng.int(4) === 0 ? 0 : rng.int(30) * STEP,
    cooldownMs: rng.int(40) * STEP,
    warmupWindows: rng.int(12),
  };
  let time = T0;
  const windows = regimeStream(seed * 7919 + 1, 3000).map((value) => {
    time += rng.next() < 0.02 ? STEP * (1 + rng.int(100)) : STEP; // occasional gaps in event time
    return { value, perChannel: { a: value * rng.next(), b: value }, time, receivedAt: time + 5, model: MODEL };
  });
  return { policy, windows };
}

/** Checks every lifecycle invariant; returns the first violation or null. */
function violation(c: Case, decisions: readonly Decision[]): string | null {
  const { policy } = c;
  let open: AlertEvent | null = null; // the raised event of the open episode
  let last: AlertEvent | null = null; // the last event of the open episode
  let lastClear: AlertEvent | null = null;
  let seq = 0;
  const closed = new Set<string>();
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i];
    const w = c.windows[i];
    if (d.window === 'normal' && (open || !(w.value < 0.8))) return `window ${i} offered for learning while flagged`;
    if (d.window === 'normal' && d.phase === 'learning') return `window ${i} normal while learning`;
    if (d.window === 'learning' && d.event) return `event while learning at ${i}`;
    if (!Number.isFinite(w.value) && (d.window !== 'invalid' || d.event)) return `non-finite window ${i} not invalid`;
    const e = d.event;
    if (!e) continue;
    if (e.seq !== ++seq) return `seq ${e.seq} at ${i}, expected ${seq}`;
    if (e.time !== w.time || e.machineId !== 'pump-7') return `event ${i} not about its window`;
    if (e.state === 'raised') {
      if (open) return `second raised at ${i} while ${open.id} is open`;
      if (closed.has(e.id)) return `raised reuses a closed id at ${i}`;
      if (lastClear && e.time < lastClear.time + policy.cooldownMs!) return `raised at ${i} inside the cooldown`;
      if (e.startedAt !== e.time) return `startedAt of raised at ${i}`;
      open = last = e;
    } else {
      if (!open || !last) return `${e.state} without raised at ${i}`;
      if (e.id !== open.id || e.startedAt !== open.startedAt) return `${e.state} at ${i} of another episode`;
      if (e.state === 'updated' && e.severity === last.severity && e.time - last.time < policy.updateIntervalMs!) {
        return `updated at ${i} only ${e.time - last.time} ms after the last event`;
      }
      if (e.state === 'cleared') {
        if (e.severity !== last.severity) return `cleared at ${i} changed severity`;
        closed.add(e.id);
        lastClear = e;
        open = last = null;
      } else {
        last = e;
      }
    }
    if (open && d.phase !== 'active') return `phase ${d.phase} with an open episode at ${i}`;
  }
  return null;
}

describe('lifecycle invariants over random score streams and policies', () => {
  it('300 seeded cases: never cleared-before-raised, updated-without-raised, or two raised in one episode', () => {
    let raisedTotal = 0, clearedTotal = 0, updatedTotal = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const c = randomCase(seed);
      const d = decider(c.policy);
      const decisions = c.windows.map((w) => d.step(w));
      expect(violation(c, decisions), `seed ${seed} ${JSON.stringify(c.policy)}`).toBeNull();
      for (const e of events(decisions)) {
        if (e.state === 'raised') raisedTotal++;
        else if (e.state === 'cleared') clearedTotal++;
        else updatedTotal++;
      }
    }
    // The generator exercises every transition many times, so the invariants are not vacuous.
    expect(raisedTotal).toBeGreaterThan(3000);
    expect(clearedTotal).toBeGreaterThan(3000);
    expect(updatedTotal).toBeGreaterThan(3000);
  });

  it('the checker catches a broken stream (it is not vacuous)', () => {
    const c = randomCase(1);
    const decisions = c.windows.map(decider(c.policy).step);
    const firstRaised = decisions.findIndex((x) => x.event?.state === 'raised');
    const broken = decisions.map((x, i) => (i === firstRaised ? { ...x, event: { ...x.event!, state: 'cleared' as const } } : x));
    expect(violation(c, broken)).toMatch(/cleared without raised/);
  });
});

describe('no flapping on noisy but normal signals', () => {
  it('normal noise with 1 % random spikes above warning raises nothing over 50,000 windows', () => {
    // 1 % is ten times the exceedance rate q0.999 × 1.5 allows on normal data. Three spikes in five
    // windows then happen with p ≈ 10 · 0.01³ = 1e-5 per window; without the debounce every spike alerts.
    const rng = createRng(2024);
    const values = Array.from({ length: 50_000 }, () => (rng.next() < 0.01 ? 1 + rng.next() * 3 : Math.abs(rng.normal()) * 0.25));
    const decisions = run(decider(), values);
    expect(trace(decisions)).toEqual([]);
    expect(decisions.filter((x) => x.window === 'normal').length).toBeGreaterThan(0.95 * values.length);
    const undebounced = events(run(decider({ raise: { k: 1, n: 1 }, cooldownMs: 0 }), values));
    expect(undebounced.filter((e) => e.state === 'raised').length).toBeGreaterThan(400);
  });

  it('a score hovering around the warning threshold is one episode, not a flapping series', () => {
    const rng = createRng(7);
    const values = Array.from({ length: 20_000 }, () => 1 + (rng.next() - 0.5) * 0.3); // 0.85 … 1.15
    const ds = run(decider(), values); // 20,000 s with a 10 min update interval
    const states = events(ds).map((e) => e.state);
    expect(states.filter((s) => s === 'raised')).toHaveLength(1);
    expect(states.filter((s) => s === 'cleared')).toHaveLength(0);
    expect(states.filter((s) => s === 'updated').length).toBeLessThanOrEqual(Math.ceil((20_000 * STEP) / 600_000));
  });

  it('a score hovering around the clear level after an episode clears once and stays quiet', () => {
    const rng = createRng(8);
    const tail = Array.from({ length: 20_000 }, () => 0.8 + (rng.next() - 0.5) * 0.3); // 0.65 … 0.95, below warning
    const ds = run(decider(), [...repeat(1.5, 3), ...tail]);
    const states = events(ds).map((e) => e.state);
    expect(states).toEqual(['raised', 'cleared']);
  });

  it('a score hovering around the critical threshold escalates once, not back and forth', () => {
    const rng = createRng(9);
    const values = Array.from({ length: 20_000 }, () => 2 + (rng.next() - 0.5) * 0.6); // 1.7 … 2.3
    const severityChanges = events(run(decider(), values)).filter((e, i, all) => i > 0 && e.severity !== all[i - 1].severity);
    expect(severityChanges.length).toBeLessThanOrEqual(1);
  });
});
