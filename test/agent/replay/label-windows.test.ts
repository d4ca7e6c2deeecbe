import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../agent/commands/errors.js';
import { inWindows, readLabelWindows } from '../../../agent/replay/label-windows.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-label-windows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, json: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
};
const NAB_WINDOWS = '/work/shared/datasets/nab/labels/combined_windows.json';

describe('readLabelWindows', () => {
  it("takes NAB's combined_windows.json entry whose key ends the log's path, wherever the file lies", async () => {
    const w = await readLabelWindows(NAB_WINDOWS, '/somewhere/else/realKnownCause/nyc_taxi.csv');
    expect(w).toMatchObject({ kind: 'nab', key: 'realKnownCause/nyc_taxi.csv' });
    const list = w.windowsOf('nyc_taxi');
    expect(list).toHaveLength(5);
    expect(list[0]).toEqual([Date.UTC(2014, 9, 30, 15, 30), Date.UTC(2014, 10, 3, 22, 30)]);
    // A NAB file is one machine: whatever the log's machine is called, the windows are its own.
    expect(w.windowsOf('anything')).toBe(list);
    // A file with no windows in NAB is labelled normal throughout.
    expect((await readLabelWindows(NAB_WINDOWS, 'artificialNoAnomaly/art_flatline.csv')).windowsOf('x')).toEqual([]);
  });

  it('a NAB file for another log is an error that says how keys match', async () => {
    await expect(readLabelWindows(NAB_WINDOWS, '/data/nyc_taxi.csv')).rejects.toThrow(/no entry for \/data\/nyc_taxi\.csv: its keys are NAB file paths like "artificialNoAnomaly\/art_daily_no_noise\.csv", and one must match the end of the log's path/);
    // Only whole path levels match: "taxi.csv" is not "nyc_taxi.csv".
    await expect(readLabelWindows(file('short.json', { 'taxi.csv': [] }), 'realKnownCause/nyc_taxi.csv')).rejects.toThrow(UsageError);
  });

  it('reads windows per machine, or one list for every machine, in any replay time format, sorted', async () => {
    const per = await readLabelWindows(file('per.json', { 'pump-02': [['2024-01-01T04:00:00Z', '2024-01-01 04:40'], [1704060000, 1704060600]] }), 'plant.csv');
    expect(per.kind).toBe('machines');
    expect(per.windowsOf('pump-02')).toEqual([[1704060000000, 1704060600000], [Date.UTC(2024, 0, 1, 4), Date.UTC(2024, 0, 1, 4, 40)]]);
    expect(per.windowsOf('pump-01')).toEqual([]);
    const all = await readLabelWindows(file('all.json', [[1000, 2000]]), 'plant.csv');
    expect(all.kind).toBe('all');
    expect(all.windowsOf('pump-01')).toEqual([[1000 * 1000, 2000 * 1000]]);
  });

  it('refuses what it cannot read, naming the file and the window', async () => {
    const bad = async (json: unknown): Promise<string> => (await readLabelWindows(file('bad.json', json), 'x.csv').then(() => '', (e: Error) => e.message));
    expect(await bad('{not json')).toMatch(/--labels .*bad\.json: not JSON/);
    expect(await bad(42)).toMatch(/expected a JSON object or array/);
    expect(await bad({ m: [['2024-01-01', 'soon']] })).toMatch(/"m"\[0\] has a time that is neither a date-time nor epoch seconds\/ms/);
    expect(await bad({ m: [[2000, 1000]] })).toMatch(/"m"\[0\] ends before it starts/);
    expect(await bad({ m: [[1, 2, 3]] })).toMatch(/"m"\[0\] must be a \[start, end\] pair/);
    await expect(readLabelWindows(join(dir, 'absent.json'), 'x.csv')).rejects.toThrow(/absent\.json: cannot read the label windows \(--labels\): it does not exist/);
  });
});

describe('inWindows', () => {
  it('is inclusive at both ends, as NAB windows are', () => {
    const w = [[10, 20], [30, 40]] as const;
    expect([9, 10, 15, 20, 21, 30, 40, 41].map((t) => inWindows(w, t))).toEqual([false, true, true, true, false, true, true, false]);
  });
});
