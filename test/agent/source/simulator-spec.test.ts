import { describe, expect, it } from 'vitest';
import { SpecError, parseDriftSpec, parseDuration, parseFaultSpec } from '../../../agent/source/simulator-spec.js';
import { simulate } from '../../../agent/source/simulator.js';

const IDS = ['pump-01', 'pump-02', 'pump-03'];

describe('parseDuration', () => {
  it('reads a number and a unit; a bare 0; nothing else', () => {
    expect(['500ms', '90s', '5m', '2h', '1.5d', '0', '0s', '.5h'].map(parseDuration)).toEqual([500, 90_000, 300_000, 7_200_000, 129_600_000, 0, 0, 1_800_000]);
    for (const bad of ['10', '-5m', '', '5 m', '5min', 'h', '1e3s']) expect(parseDuration(bad), bad).toBeUndefined();
  });
});

describe('parseFaultSpec', () => {
  it('reads machine, kind, onset, ramp, severity and channel', () => {
    expect(parseFaultSpec('pump-02:bearing-wear@10m+2h', IDS)).toEqual([{ machineId: 'pump-02', kind: 'bearing-wear', onsetAfterMs: 600_000, rampMs: 7_200_000 }]);
    expect(parseFaultSpec('pump-01:sensor-stuck@30s:pressure', IDS)).toEqual([{ machineId: 'pump-01', kind: 'sensor-stuck', onsetAfterMs: 30_000, channel: 'pressure' }]);
    expect(parseFaultSpec('pump-03:cavitation@0+5m:0.5', IDS)).toEqual([{ machineId: 'pump-03', kind: 'cavitation', onsetAfterMs: 0, rampMs: 300_000, severity: 0.5 }]);
    expect(parseFaultSpec('pump-01:sensor-dropout@1h:0.3:flow', IDS)).toEqual([{ machineId: 'pump-01', kind: 'sensor-dropout', onsetAfterMs: 3_600_000, severity: 0.3, channel: 'flow' }]);
  });

  it('level-shift takes a signed relative step as its number, in either order with the channel', () => {
    const want = [{ machineId: 'pump-03', kind: 'level-shift', onsetAfterMs: 3_600_000, magnitude: -0.3, channel: 'flow' }];
    expect(parseFaultSpec('pump-03:level-shift@1h:-0.3:flow', IDS)).toEqual(want);
    expect(parseFaultSpec('pump-03:level-shift@1h:flow:-0.3', IDS)).toEqual(want);
    expect(parseFaultSpec('pump-01:level-shift@2m+30s', IDS)).toEqual([{ machineId: 'pump-01', kind: 'level-shift', onsetAfterMs: 120_000, rampMs: 30_000 }]);
  });

  it('* means every machine', () => {
    expect(parseFaultSpec('*:overheating@1h', IDS).map((f) => f.machineId)).toEqual(IDS);
  });

  it('what it returns, the simulator accepts', () => {
    const faults = ['pump-01:level-shift@2s:-0.2:pressure', '*:sensor-spike@1s:0.5:vibration'].flatMap((s) => parseFaultSpec(s, IDS));
    expect([...simulate({ seed: 1, machines: 3, durationMs: 3000, faults })]).toHaveLength(3 * 3 * 5);
  });

  it('rejects bad specs naming the spec, what is wrong and the fix', () => {
    const cases: [string, RegExp][] = [
      ['pump-01', /'pump-01': no kind: put ':' after the machine id \(write machine:kind@onset\[\+ramp\]\[~duration\]\[:severity\]\[:channel\], e\.g\. pump-01:cavitation@10m\+5m\)/],
      [':cavitation@1m', /the machine id is empty/],
      ['pump-09:cavitation@1m', /machine 'pump-09' is not simulated; the machines are pump-01, pump-02, pump-03 \(raise --machines, or \* for every machine\)/],
      ['pump-01:cavitation', /no onset: add '@' and a time after the start, like @0 or @10m/],
      ['pump-01:rust@1m', /unknown fault kind 'rust'; the kinds are bearing-wear, cavitation, overheating, sensor-stuck, sensor-spike, sensor-dropout, level-shift/],
      ['pump-01:cavitation@10x', /onset '10x' is not a duration; write e\.g\. 0, 90s, 5m, 2h or 1d/],
      ['pump-01:cavitation@10', /onset '10' is not a duration/],
      ['pump-01:cavitation@1m+soon', /ramp 'soon' is not a duration/],
      ['pump-01:cavitation@1m+1m+1m', /one '\+ramp' at most/],
      ['pump-01:cavitation@1m:1.5', /severity 1\.5 must be in 0\.\.1/],
      ['pump-01:cavitation@1m:flow', /cavitation acts on the whole machine; drop ':flow'/],
      ['pump-01:sensor-stuck@1m+5m', /sensor-stuck starts at once; drop '\+ramp'/],
      ['pump-01:sensor-stuck@1m:humidity', /'humidity' is neither a number nor a channel \(vibration, current, temperature, pressure, flow\)/],
      ['pump-01:sensor-stuck@1m:flow:pressure', /two channels \(flow and pressure\); give one/],
      ['pump-01:sensor-spike@1m:0.5:0.6', /two numbers \(0\.5 and 0\.6\); give one/],
      ['pump-01:level-shift@1m:-2', /level-shift's step -2 must be in -0\.9\.\.10/],
    ];
    for (const [spec, message] of cases) {
      expect(() => parseFaultSpec(spec, IDS), spec).toThrow(SpecError);
      expect(() => parseFaultSpec(spec, IDS), spec).toThrow(message);
    }
  });
});

describe('parseDriftSpec', () => {
  it('reads drifts with their magnitude and, for calibration, a channel', () => {
    expect(parseDriftSpec('*:ambient@0+6h:12', IDS)).toEqual(IDS.map((machineId) => ({ machineId, kind: 'ambient', onsetAfterMs: 0, rampMs: 21_600_000, magnitude: 12 })));
    expect(parseDriftSpec('pump-01:calibration@2h+1.5d:0.08:temperature', IDS)).toEqual([{ machineId: 'pump-01', kind: 'calibration', onsetAfterMs: 7_200_000, rampMs: 129_600_000, magnitude: 0.08, channel: 'temperature' }]);
    expect(parseDriftSpec('pump-02:load@1d', IDS)).toEqual([{ machineId: 'pump-02', kind: 'load', onsetAfterMs: 86_400_000 }]);
  });

  it('rejects bad drifts with the fix', () => {
    expect(() => parseDriftSpec('pump-01:seasonal@1h', IDS)).toThrow(/unknown drift kind 'seasonal'; the kinds are calibration, ambient, load \(write machine:kind@onset\[\+ramp\]\[:magnitude\]\[:channel\], e\.g\. pump-01:ambient@1h\+6h:10\)/);
    expect(() => parseDriftSpec('pump-01:ambient@1h:flow', IDS)).toThrow(/ambient drift acts on the whole machine; drop ':flow' \(only calibration drift takes a channel\)/);
    expect(() => parseDriftSpec('pump-01:load@1h:0.9', IDS)).toThrow(/load magnitude 0\.9 must be in -0\.5\.\.0\.5 \(fraction of rated load\)/);
    expect(() => parseDriftSpec('pump-01:ambient@later', IDS)).toThrow(SpecError);
  });
});

describe('fault duration (~)', () => {
  it('parses ~duration and refuses it on drifts or when it is not a positive duration', () => {
    expect(parseFaultSpec('pump-01:cavitation@10m+1m~30m', ['pump-01'])).toEqual([{ machineId: 'pump-01', kind: 'cavitation', onsetAfterMs: 600_000, rampMs: 60_000, durationMs: 1_800_000 }]);
    expect(() => parseFaultSpec('pump-01:cavitation@10m~0', ['pump-01'])).toThrow(/duration '0' is not a positive duration/);
    expect(() => parseDriftSpec('pump-01:ambient@1h~2h', ['pump-01'])).toThrow(/drifts do not end/);
  });
});
