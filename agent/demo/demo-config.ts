// The configuration `vigil demo` runs: `vigil run`'s no-config product (embedded broker, simulated
// pumps, starter model) with a plant whose faults show within a couple of minutes:
//   pump-03  cavitation from tick 50 to tick 110 (pressure and flow drop within 15 ticks): raised
//            about a minute in (pumps are judged from tick ~41), cleared soon after the cavitation stops
//   pump-02  bearing wear from tick 70, ramping over 120 ticks (slow start, then faster): raised a
//            minute or so later, escalating to critical
//   others   healthy
// A tick is one simulated sample (1 s by default). The scenario is written in ticks, so the hidden
// `--tick-ms` (tests: 100) replays the same story faster; sampling and gap limits follow the tick.
// An open alert re-reports its score every 60 ticks, so a run shows the score moving.
// The demo ignores config files and VIGIL_* variables: whatever the shell says, it runs its own
// plant on loopback (a VIGIL_BROKER_URL pointing at a real plant must not receive simulated pumps).

import type { FaultSpec } from '../source/simulated-machine.js';
import { resolveConfig } from '../config/resolve.js';
import type { VigilConfig } from '../config/types.js';

export interface DemoSettings {
  readonly stateDir: string;
  readonly machines: number;
  /** Milliseconds per simulated sample. Default 1000. */
  readonly tickMs?: number;
  /** The e2e-sized starter model (window 16, hidden 8, one simulated hour, 2 epochs: a few seconds). */
  readonly smallModel?: boolean;
  /** Health and metrics port; 0 picks a free one. */
  readonly httpPort: number;
  /** Embedded broker port (the agent falls back to a free one when it is taken); 0 picks a free one. */
  readonly brokerPort: number;
}

/** The demo's faults, in ticks after the start. */
const SCENARIO: readonly (Omit<FaultSpec, 'onsetAfterMs' | 'rampMs' | 'durationMs'> & { onsetTick: number; rampTicks: number; durationTicks?: number })[] = [
  // Cavitation that ends (a valve reopened) after 60 ticks, so the demo shows an alert cleared too.
  { machineId: 'pump-03', kind: 'cavitation', onsetTick: 50, rampTicks: 15, durationTicks: 60 },
  { machineId: 'pump-02', kind: 'bearing-wear', onsetTick: 70, rampTicks: 120 },
];

export const DEMO_UPDATE_TICKS = 60;

/** How the header tells a fault of the scenario. */
export function faultStory(f: FaultSpec): string {
  const said: Partial<Record<FaultSpec['kind'], string>> = { cavitation: 'starts cavitating', 'bearing-wear': 'starts wearing a bearing' };
  return `${f.machineId} ${said[f.kind] ?? `develops ${f.kind}`}`;
}

export function machineIds(machines: number): string[] {
  return Array.from({ length: machines }, (_, i) => `pump-${String(i + 1).padStart(2, '0')}`);
}

/** The scenario's faults on the machines that exist (`--machines 1` has none). */
export function demoFaults(machines: number, tickMs: number): FaultSpec[] {
  const ids = new Set(machineIds(machines));
  return SCENARIO.filter((f) => ids.has(f.machineId)).map(({ machineId, kind, onsetTick, rampTicks, durationTicks }) => ({
    machineId,
    kind,
    onsetAfterMs: onsetTick * tickMs,
    rampMs: rampTicks * tickMs,
    ...(durationTicks !== undefined ? { durationMs: durationTicks * tickMs } : {}),
  }));
}

export function demoConfig(s: DemoSettings): VigilConfig {
  const tick = s.tickMs ?? 1000;
  const file = {
    stateDir: s.stateDir,
    log: { level: 'info', pretty: false },
    http: { host: '127.0.0.1', port: s.httpPort },
    embeddedBroker: { host: '127.0.0.1', port: s.brokerPort },
    simulator: { enabled: true, machines: s.machines, seed: 1, intervalMs: tick, faults: demoFaults(s.machines, tick) },
    sampling: { periodMs: tick, toleranceMs: tick / 2, maxHoldMs: 3 * tick },
    windows: { stride: 1, maxGapMs: 10 * tick },
    decision: { updateIntervalMs: DEMO_UPDATE_TICKS * tick },
    ...(s.smallModel ? { model: { starter: { architecture: 'lstm-forecaster', windowSize: 16, hidden: 8, layers: 1, trainHours: 1, epochs: 2, stride: 12 } } } : {}),
  };
  return resolveConfig({ file: file as never, fileName: 'vigil demo', env: {} });
}
