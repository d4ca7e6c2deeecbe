// Daemon configurations for end-to-end tests: the product's own settings, scaled down so a test runs in
// seconds on two shared cores. 100 ms between simulated samples and between pipeline samples (ten
// windows a second per machine), a small starter model (one simulated hour, two epochs, hidden 8,
// window 16: about 3 s to train, once per state directory), loopback everything on free ports.
// Temporary directories made here are removed by removeE2eDirs().

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type ConfigObject = { [k: string]: Json };

export const FAST_CONFIG: ConfigObject = {
  log: { level: 'info', pretty: 'auto' }, // 'auto' is JSON on a pipe
  http: { host: '127.0.0.1', port: 0 },
  embeddedBroker: { host: '127.0.0.1', port: 0 },
  simulator: { enabled: true, machines: 3, seed: 7, intervalMs: 100, faults: [] },
  model: { starter: { architecture: 'lstm-forecaster', windowSize: 16, hidden: 8, layers: 1, trainHours: 1, epochs: 2, stride: 12 } },
  sampling: { periodMs: 100, toleranceMs: 50, maxHoldMs: 300 },
  windows: { stride: 1, maxGapMs: 1000 },
  shutdown: { deadlineMs: 5000 },
};

/** Per-test bound for end-to-end tests (vitest's default here is 60 s): only a hang should ever reach
 *  it; a slow, shared CI machine must not. */
export const E2E_TIMEOUT_MS = 300_000;

const dirs: string[] = [];

export function e2eDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vigil-e2e-${label}-`));
  dirs.push(dir);
  return dir;
}

export function removeE2eDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

const isObj = (v: unknown): v is ConfigObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge: objects merge key by key, anything else (arrays included) replaces. */
export function mergeConfig(base: ConfigObject, over: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(out[k]) && isObj(v) ? mergeConfig(out[k] as ConfigObject, v) : v;
  return out;
}

/** FAST_CONFIG with `over` merged in and stateDir set, written as JSON to <dir>/<name>; returns the path. */
export function writeDaemonConfig(dir: string, over: ConfigObject, name = 'vigil.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(mergeConfig(mergeConfig(FAST_CONFIG, { stateDir: join(dir, 'state') }), over), null, 2));
  return file;
}
