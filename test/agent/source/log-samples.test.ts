import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLogSamples } from '../../../agent/source/log-samples.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const SKAB = '/work/shared/datasets/skab/data/valve1/0.csv';

describe('loadLogSamples', () => {
  it('SKAB: ; separated, label columns are not channels, labelled rows split the series', async () => {
    const s = await loadLogSamples(SKAB);
    expect(s.format).toBe('csv');
    expect(s.channels).toEqual(['Accelerometer1RMS', 'Accelerometer2RMS', 'Current', 'Pressure', 'Temperature', 'Thermocouple', 'Voltage', 'Volume_Flow_RateRMS']);
    expect(s.labelled).toBeGreaterThan(0);
    expect(s.used + s.labelled + s.skipped).toBe(s.rows);
    expect(s.series.length).toBeGreaterThan(1);
    for (const x of s.series) {
      expect(x.data.length).toBe(x.length * 8);
      expect(x.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('NaN, non-numeric, missing and torn rows are counted and skipped, never thrown', async () => {
    const p = write('bad.csv', [
      'timestamp,a,b',
      '2024-01-01 00:00:00,1,2',
      '2024-01-01 00:00:01,NaN,2',
      '2024-01-01 00:00:02,1,abc',
      '2024-01-01 00:00:03,1,',
      '2024-01-01 00:00:04,1',
      'yesterday,1,2',
      '2024-01-01 00:00:05,3,4',
    ].join('\n'));
    const s = await loadLogSamples(p);
    expect(s.rows).toBe(7);
    expect(s.used).toBe(2);
    expect(s.skipped).toBe(5);
    expect(s.skippedByReason).toEqual({ 'non-numeric': 2, 'missing-channel': 1, 'column-count': 1, 'bad-timestamp': 1 });
    expect(s.skippedExamples.map((e) => e.line)).toEqual([3, 4, 5, 6, 7]);
    expect(s.series).toHaveLength(1);
    expect(Array.from(s.series[0].data)).toEqual([1, 2, 3, 4]);
  });

  it('splits per machine and at time gaps, sorting by time; picks channels by header or topic-safe name', async () => {
    const rows = ['time;machine;flow rate;temp'];
    for (let t = 0; t < 10; t++) rows.push(`${1_700_000_000 + t};m2;${t};${-t}`);
    for (let t = 9; t >= 0; t--) rows.push(`${1_700_000_000 + (t < 5 ? t : t + 100)};m1;${t};${-t}`);
    const s = await loadLogSamples(write('gaps.csv', rows.join('\n')), { channels: ['temp', 'flow rate'] });
    expect(s.channels).toEqual(['temp', 'flow_rate']);
    expect(s.machines).toEqual(['m1', 'm2']);
    expect(s.gaps).toBe(1);
    expect(s.series.map((x) => [x.machine, x.length])).toEqual([['m1', 5], ['m1', 5], ['m2', 10]]);
    expect(Array.from(s.series[0].data.subarray(0, 4))).toEqual([0, 0, -1, 1]);
    expect(s.series[1].start).toBe((1_700_000_000 + 105) * 1000);
    await expect(loadLogSamples(write('gaps2.csv', rows.join('\n')), { channels: ['pressure'] })).rejects.toThrow(/no channel 'pressure'; channels are flow_rate, temp/);
  });

  it('JSONL: one sample per line, machine optional, labels left out, bad lines counted', async () => {
    const lines = [
      '{"ts": "2024-01-01T00:00:00Z", "machine": "p1", "values": {"a": 1, "b": 2}}',
      '{"ts": "2024-01-01T00:00:01Z", "machine": "p1", "values": {"a": 3, "b": 4}}',
      '{"ts": "2024-01-01T00:00:02Z", "machine": "p1", "values": {"a": 9, "b": 9}, "labels": {"anomaly": 1}}',
      '{"ts": "2024-01-01T00:00:03Z", "machine": "p1", "values": {"a": 5, "b": 6, "anomaly": 0}}',
      '{"ts": 1704067200, "values": {"a": 7, "b": 8}}',
      '{"ts": 1704067201, "values": {"a": null, "b": 8}}',
      '{"ts": 1704067202, "values": {"a": 1}}',
      '{"ts": 1704067203, "values"',
      '',
    ];
    const s = await loadLogSamples(write('log.jsonl', lines.join('\n')));
    expect(s.format).toBe('jsonl');
    expect(s.channels).toEqual(['a', 'b']);
    expect(s.labelled).toBe(1);
    expect(s.skippedByReason).toEqual({ 'non-numeric': 1, 'missing-channel': 1, 'malformed-json': 1 });
    expect(s.series.map((x) => [x.machine, Array.from(x.data)])).toEqual([['log', [7, 8]], ['p1', [1, 2, 3, 4]], ['p1', [5, 6]]]);
  });

  it('a file that cannot be read at all throws, naming it', async () => {
    await expect(loadLogSamples(join(dir, 'absent.csv'))).rejects.toThrow(/absent\.csv: cannot read the log: it does not exist/);
    await expect(loadLogSamples(write('junk.csv', 'a,b\nx,y\n'))).rejects.toThrow(/junk\.csv: no usable rows/);
  });
});
