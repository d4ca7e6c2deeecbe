// A simulated plant log with one fault that starts and ends, and a small model trained on the
// plant's healthy behaviour before the fault, for replay tests:
//   pump-01  healthy all along
//   pump-02  cavitation from 4 h (2 min ramp) for 40 min, then healthy again
// 6 h at 10 s per sample, two machines (4320 rows), load cycle of one hour so that the 3.5 h of
// training cover the whole load range. The model: a dense autoencoder over 12-sample windows,
// 8 epochs on both machines' first 3.5 h (healthy: the fault starts later), well under a second.

import { join } from 'node:path';
import { writeSimulationLog } from '../../../agent/source/simulator-log.js';
import { CHANNELS, simulateSamples, type FaultSpec, type SimulatorConfig } from '../../../agent/source/simulator.js';
import { createDetector } from '../../../models/create-detector.js';
import type { Series } from '../../../models/detector.js';
import { saveModel } from '../../../models/persistence/index.js';

const HOUR = 3_600_000;
export const START = Date.UTC(2024, 0, 1);
export const INTERVAL_MS = 10_000;
export const FAULT: FaultSpec = { machineId: 'pump-02', kind: 'cavitation', onsetAfterMs: 4 * HOUR, rampMs: 120_000, durationMs: 40 * 60_000 };
export const FAULT_START = START + FAULT.onsetAfterMs;
export const FAULT_END = FAULT_START + FAULT.durationMs!;
export const WINDOW = 12;

const plant = (durationMs: number, faults: readonly FaultSpec[]): SimulatorConfig => ({
  seed: 7, machines: 2, start: START, intervalMs: INTERVAL_MS, durationMs, loadCycleMs: HOUR, faults,
});

export interface SimFixture {
  readonly log: string;
  readonly model: string;
}

/** Writes `<dir>/plant.csv` (or the given name) and `<dir>/plant-model.onnx`. */
export async function makeSimFixture(dir: string, logName = 'plant.csv'): Promise<SimFixture> {
  const log = join(dir, logName);
  await writeSimulationLog(plant(6 * HOUR, [FAULT]), log);
  const model = join(dir, 'plant-model.onnx');
  const detector = createDetector('dense-ae', { channels: [...CHANNELS], windowSize: WINDOW, hidden: 16, bottleneck: 4, seed: 1, name: 'plant-test' });
  await detector.fit(healthySeries(3.5 * HOUR), { epochs: 8, seed: 1 });
  await saveModel(model, detector.parts());
  return { log, model };
}

/** Both machines' first `durationMs`, no faults: one series per machine. */
function healthySeries(durationMs: number): Series[] {
  const n = Math.floor(durationMs / INTERVAL_MS);
  const C = CHANNELS.length;
  const data = [new Float32Array(n * C), new Float32Array(n * C)];
  const rows = [0, 0];
  for (const s of simulateSamples(plant(n * INTERVAL_MS, []))) {
    const m = s.machineId === 'pump-01' ? 0 : 1;
    if (rows[m] >= n) continue;
    CHANNELS.forEach((c, k) => (data[m][rows[m] * C + k] = s.values[c] ?? data[m][Math.max(0, rows[m] - 1) * C + k]));
    rows[m]++;
  }
  return data.map((d, m) => ({ data: d.subarray(0, rows[m] * C), length: rows[m] }));
}
