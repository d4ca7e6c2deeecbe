// Fault and drift specs as one-line strings, for `vigil simulate --fault SPEC --drift SPEC`:
//   machine:kind@onset[+ramp][:number][:channel]
//     machine  a simulated machine id (pump-01 ...), or * for every machine
//     onset    time after the simulation start; ramp: time to the full effect. Durations are a
//              number and a unit: 500ms, 90s, 5m, 2h, 1.5d (a bare 0 is allowed)
//     number   faults: the severity, 0..1 (level-shift: the relative step, signed, e.g. -0.3);
//              drifts: the magnitude in the kind's unit (simulated-drift.ts)
//     channel  the channel a sensor fault, a level shift or a calibration drift acts on
//   pump-02:bearing-wear@10m+2h   pump-01:sensor-stuck@30s:pressure   *:ambient@0+6h:12
//   pump-03:level-shift@1h:-0.3:flow   pump-01:calibration@2h+1d:0.08:temperature
// The number and the channel may come in either order; each at most once. Everything is checked
// here, so a typo fails at start with a SpecError naming the spec, what is wrong and how to write it.

import { CHANNELS, FAULT_KINDS, LEVEL_SHIFT_RANGE, type Channel, type FaultKind, type FaultSpec } from './simulated-machine.js';
import { DRIFT_DEFAULTS, DRIFT_KINDS, type DriftKind, type DriftSpec } from './simulated-drift.js';

export const FAULT_SPEC_GRAMMAR = 'machine:kind@onset[+ramp][~duration][:severity][:channel]';
export const DRIFT_SPEC_GRAMMAR = 'machine:kind@onset[+ramp][:magnitude][:channel]';

export class SpecError extends Error {
  override readonly name = 'SpecError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)?$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const CHANNEL_FAULTS: readonly FaultKind[] = ['sensor-stuck', 'sensor-spike', 'sensor-dropout', 'level-shift'];
const RAMPED_FAULTS: readonly FaultKind[] = ['bearing-wear', 'cavitation', 'overheating', 'level-shift'];

/** "90s" → 90000 ms; undefined when it is not a duration. A unit is required except for 0. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === undefined) return n === 0 ? 0 : undefined;
  return n * UNITS[m[2]];
}

interface Parts {
  readonly machines: readonly string[];
  readonly kind: string;
  readonly onsetAfterMs: number;
  readonly rampMs: number | undefined;
  readonly durationMs: number | undefined;
  readonly number: number | undefined;
  readonly channel: Channel | undefined;
}

function parseParts(text: string, what: 'fault' | 'drift', machineIds: readonly string[], kinds: readonly string[]): Parts {
  const grammar = what === 'fault' ? FAULT_SPEC_GRAMMAR : DRIFT_SPEC_GRAMMAR;
  const example = what === 'fault' ? 'pump-01:cavitation@10m+5m' : 'pump-01:ambient@1h+6h:10';
  const fail = (why: string): never => {
    throw new SpecError(`'${text}': ${why} (write ${grammar}, e.g. ${example})`);
  };
  const [machine, head, ...extras] = text.trim().split(':');
  if (head === undefined) fail(`no kind: put ':' after the machine id`);
  if (machine === '') fail('the machine id is empty');
  if (machine !== '*' && !machineIds.includes(machine)) {
    fail(`machine '${machine}' is not simulated; the machines are ${machineIds.join(', ')} (raise --machines, or * for every machine)`);
  }
  const at = head.indexOf('@');
  if (at < 0) fail(`no onset: add '@' and a time after the start, like @0 or @10m`);
  const kind = head.slice(0, at);
  if (!kinds.includes(kind)) fail(`unknown ${what} kind '${kind}'; the kinds are ${kinds.join(', ')}`);
  const [timing, durationText, ...tooMany] = head.slice(at + 1).split('~');
  if (tooMany.length > 0) fail(`one '~duration' at most`);
  const durationMs = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationText !== undefined && !(durationMs !== undefined && durationMs > 0)) fail(`duration '${durationText}' is not a positive duration; write e.g. 90s, 5m or 2h`);
  if (durationText !== undefined && what === 'drift') fail(`drifts do not end; drop '~${durationText}'`);
  const [onsetText, rampText, ...more] = timing.split('+');
  if (more.length > 0) fail(`one '+ramp' at most`);
  const onsetAfterMs = parseDuration(onsetText);
  if (onsetAfterMs === undefined) fail(`onset '${onsetText}' is not a duration; write e.g. 0, 90s, 5m, 2h or 1d`);
  const rampMs = rampText === undefined ? undefined : parseDuration(rampText);
  if (rampText !== undefined && rampMs === undefined) fail(`ramp '${rampText}' is not a duration; write e.g. 30s, 10m, 2h or 1d`);
  let number: number | undefined;
  let channel: Channel | undefined;
  for (const x of extras) {
    if (NUMBER.test(x)) {
      if (number !== undefined) fail(`two numbers (${number} and ${x}); give one`);
      number = Number(x);
    } else if ((CHANNELS as readonly string[]).includes(x)) {
      if (channel !== undefined) fail(`two channels (${channel} and ${x}); give one`);
      channel = x as Channel;
    } else {
      fail(`'${x}' is neither a number nor a channel (${CHANNELS.join(', ')})`);
    }
  }
  return { machines: machine === '*' ? machineIds : [machine], kind, onsetAfterMs: onsetAfterMs as number, rampMs, durationMs, number, channel };
}

/** One --fault spec → one FaultSpec per machine it names. Throws SpecError. */
export function parseFaultSpec(text: string, machineIds: readonly string[]): FaultSpec[] {
  const p = parseParts(text, 'fault', machineIds, FAULT_KINDS);
  const kind = p.kind as FaultKind;
  const fail = (why: string): never => {
    throw new SpecError(`'${text}': ${why}`);
  };
  if (p.channel !== undefined && !CHANNEL_FAULTS.includes(kind)) fail(`${kind} acts on the whole machine; drop ':${p.channel}' (channels go with ${CHANNEL_FAULTS.join(', ')})`);
  if (p.rampMs !== undefined && !RAMPED_FAULTS.includes(kind)) fail(`${kind} starts at once; drop '+ramp' (ramps go with ${RAMPED_FAULTS.join(', ')})`);
  let severity: number | undefined;
  let magnitude: number | undefined;
  if (kind === 'level-shift') {
    const [lo, hi] = LEVEL_SHIFT_RANGE;
    if (p.number !== undefined && !(p.number >= lo && p.number <= hi)) fail(`level-shift's step ${p.number} must be in ${lo}..${hi} (relative: 0.25 = 25 % higher, -0.3 = 30 % lower)`);
    magnitude = p.number;
  } else {
    if (p.number !== undefined && !(p.number >= 0 && p.number <= 1)) fail(`severity ${p.number} must be in 0..1 (1 = full effect)`);
    severity = p.number;
  }
  return p.machines.map((machineId) => ({
    machineId, kind, onsetAfterMs: p.onsetAfterMs,
    ...(p.rampMs !== undefined ? { rampMs: p.rampMs } : {}),
    ...(p.durationMs !== undefined ? { durationMs: p.durationMs } : {}),
    ...(severity !== undefined ? { severity } : {}),
    ...(magnitude !== undefined ? { magnitude } : {}),
    ...(p.channel !== undefined ? { channel: p.channel } : {}),
  }));
}

/** One --drift spec → one DriftSpec per machine it names. Throws SpecError. */
export function parseDriftSpec(text: string, machineIds: readonly string[]): DriftSpec[] {
  const p = parseParts(text, 'drift', machineIds, DRIFT_KINDS);
  const kind = p.kind as DriftKind;
  const fail = (why: string): never => {
    throw new SpecError(`'${text}': ${why}`);
  };
  if (p.channel !== undefined && kind !== 'calibration') fail(`${kind} drift acts on the whole machine; drop ':${p.channel}' (only calibration drift takes a channel)`);
  const { range, unit } = DRIFT_DEFAULTS[kind];
  if (p.number !== undefined && !(p.number >= range[0] && p.number <= range[1])) fail(`${kind} magnitude ${p.number} must be in ${range[0]}..${range[1]} (${unit})`);
  return p.machines.map((machineId) => ({
    machineId, kind, onsetAfterMs: p.onsetAfterMs,
    ...(p.rampMs !== undefined ? { rampMs: p.rampMs } : {}),
    ...(p.number !== undefined ? { magnitude: p.number } : {}),
    ...(p.channel !== undefined ? { channel: p.channel } : {}),
  }));
}
