import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLogSamples } from '../../../agent/source/log-samples.js';
import { openReplay, type BadLine, type ReplayLabels, type ReplayOptions } from '../../../agent/source/replay-source.js';
import {
  SIMULATION_CSV_HEADER, SIMULATION_CSV_REPLAY, sampleLabels, writeSimulationLog,
} from '../../../agent/source/simulator-log.js';
import { CHANNELS, simulateSamples, type SimulatedSample, type SimulatorConfig } from '../../../agent/source/simulator.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-simlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIN = 60_000;
/** Two machines, 6 h at one sample a minute: faults (a dropout among them) and a drift on each machine. */
const config: SimulatorConfig = {
  seed: 4, machines: 2, intervalMs: MIN, durationMs: 6 * 60 * MIN,
  faults: [
    { machineId: 'pump-01', kind: 'level-shift', onsetAfterMs: 60 * MIN, magnitude: 0.3, channel: 'pressure' },
    { machineId: 'pump-01', kind: 'sensor-dropout', onsetAfterMs: 300 * MIN, severity: 0.5, channel: 'flow' },
    { machineId: 'pump-02', kind: 'bearing-wear', onsetAfterMs: 120 * MIN, rampMs: 120 * MIN },
  ],
  drifts: [
    { machineId: 'pump-01', kind: 'calibration', onsetAfterMs: 200 * MIN, rampMs: 60 * MIN, channel: 'temperature' },
    { machineId: 'pump-02', kind: 'ambient', onsetAfterMs: 30 * MIN, magnitude: 5 },
  ],
};
const truth = [...simulateSamples(config)];
const count = (pred: (s: SimulatedSample) => boolean) => truth.filter(pred).length;

async function replay(path: string, options: ReplayOptions = {}) {
  const labels: ReplayLabels[] = [];
  const bad: BadLine[] = [];
  const messages = await lastValueFrom(openReplay(path, { ...options, onLabels: (l) => labels.push(l), onBadLine: (b) => bad.push(b) }).pipe(toArray()));
  return { messages: messages.map((m) => ({ topic: m.topic, ...(JSON.parse(m.payload.toString()) as { ts: number; values: Record<string, number> }) })), labels, bad };
}

describe('sampleLabels', () => {
  it('anomaly while a fault is active, the kinds by name, drift separately', () => {
    expect(sampleLabels({ machineId: 'a', time: 0, values: {}, faults: [], drifts: [] })).toEqual({ anomaly: 0, fault: '', drift: 0 });
    expect(sampleLabels({ machineId: 'a', time: 0, values: {}, faults: ['cavitation', 'sensor-stuck'], drifts: ['load'] })).toEqual({ anomaly: 1, fault: 'cavitation+sensor-stuck', drift: 1 });
  });
});

describe('writeSimulationLog', () => {
  it('the truth has what the test needs: faults, drifts, both, neither, and dropped-out flow', () => {
    expect(count((s) => s.faults.length > 0 && s.drifts.length > 0)).toBeGreaterThan(0);
    expect(count((s) => s.faults.length === 0 && s.drifts.length > 0)).toBeGreaterThan(0);
    expect(count((s) => s.faults.length === 0 && s.drifts.length === 0)).toBeGreaterThan(0);
    expect(count((s) => !('flow' in s.values))).toBeGreaterThan(10);
  });

  it('CSV: header, one row per sample with labels; openReplay gives back the same values and label counts', async () => {
    const path = join(dir, 'plant.csv');
    const summary = await writeSimulationLog(config, path);
    expect(summary).toMatchObject({ format: 'csv', samples: truth.length, empty: 0, stopped: false });
    expect(summary.anomalous).toBe(count((s) => s.faults.length > 0));
    expect(summary.drifting).toBe(count((s) => s.drifts.length > 0));
    expect(summary.byFault['level-shift']).toBe(300);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(SIMULATION_CSV_HEADER);
    expect(lines[0]).toBe('timestamp,machine,vibration,current,temperature,pressure,flow,anomaly,fault,drift');
    expect(lines).toHaveLength(truth.length + 1);
    expect(lines[1]).toMatch(/^2024-01-01T00:00:00\.000Z,pump-01,[\d.]+,[\d.]+,[\d.]+,[\d.]+,[\d.]+,0,,0$/);
    expect(lines.find((l) => l.includes(',1,level-shift+sensor-dropout,1'))).toMatch(/,,1,level-shift\+sensor-dropout,1$|,[\d.]+,1,level-shift\+sensor-dropout,1$/);

    const { messages, labels, bad } = await replay(path, { ...SIMULATION_CSV_REPLAY, layout: 'per-machine' });
    expect(bad).toEqual([]);
    expect(messages).toEqual(truth.map((s) => ({ topic: `plant/${s.machineId}`, ts: s.time, values: s.values })));
    expect(labels).toHaveLength(truth.length);
    expect(labels.filter((l) => l.labels.anomaly === 1)).toHaveLength(summary.anomalous);
    expect(labels.filter((l) => l.labels.drift === 1)).toHaveLength(summary.drifting);
    expect(labels.every((l, i) => l.machineId === truth[i].machineId && l.time === truth[i].time)).toBe(true);
  });

  it('JSONL: one object per sample; openReplay reads it with no options, the same values and label counts', async () => {
    const path = join(dir, 'plant.jsonl');
    const summary = await writeSimulationLog({ ...config, topicPrefix: 'site7' }, path);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(truth.length);
    expect(JSON.parse(lines[0])).toEqual({ topic: 'site7/pump-01', ts: truth[0].time, machine: 'pump-01', values: truth[0].values, labels: { anomaly: 0, fault: '', drift: 0 } });
    const { messages, labels, bad } = await replay(path);
    expect(bad).toEqual([]);
    expect(messages).toEqual(truth.map((s) => ({ topic: `site7/${s.machineId}`, ts: s.time, values: s.values })));
    expect(labels.filter((l) => l.labels.anomaly === 1)).toHaveLength(summary.anomalous);
    expect(labels.filter((l) => l.labels.drift === 1)).toHaveLength(summary.drifting);
  });

  it('per-channel replay sends no message for a dropped-out channel', async () => {
    const path = join(dir, 'plant.csv');
    await writeSimulationLog(config, path);
    const { messages } = await replay(path, SIMULATION_CSV_REPLAY);
    expect(messages).toHaveLength(truth.reduce((n, s) => n + Object.keys(s.values).length, 0));
    expect(messages.filter((m) => m.topic === 'plant/pump-01/flow')).toHaveLength(count((s) => s.machineId === 'pump-01' && 'flow' in s.values));
  });

  it('training data: the five channels only; faulted rows are left out, drifting ones (benign) kept', async () => {
    const path = join(dir, 'train.jsonl');
    await writeSimulationLog(config, path);
    const jsonl = await loadLogSamples(path);
    expect(jsonl.channels).toEqual([...CHANNELS]);
    expect(jsonl.machines).toEqual(['pump-01', 'pump-02']);
    expect(jsonl.labelled).toBe(count((s) => s.faults.length > 0));
    expect(jsonl.used).toBe(count((s) => s.faults.length === 0));
    const csvPath = join(dir, 'train.csv');
    await writeSimulationLog(config, csvPath);
    const csv = await loadLogSamples(csvPath, { labelColumns: SIMULATION_CSV_REPLAY.labelColumns });
    expect(csv.channels).toEqual([...CHANNELS]);
    expect(csv.series).toEqual(jsonl.series);
  });

  // The CSV readers' default label columns (replay-csv.ts), which `vigil train` uses, include the
  // simulator's 'fault' and 'drift', so a simulated log trains on the five channels with no options.
  it('CSV with the default label columns (what vigil train reads): the five channels only', async () => {
    const path = join(dir, 'defaults.csv');
    await writeSimulationLog(config, path);
    const csv = await loadLogSamples(path);
    expect(csv.channels).toEqual([...CHANNELS]);
  });

  it('same config, same bytes', async () => {
    const [a, b] = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
    await writeSimulationLog(config, a);
    await writeSimulationLog(config, b);
    expect(readFileSync(a)).toEqual(readFileSync(b));
  });

  it('leaves a sample with every channel dropped out unwritten', async () => {
    const dropAll = CHANNELS.map((channel) => ({ machineId: 'pump-01', kind: 'sensor-dropout', onsetAfterMs: 2000, channel }) as const);
    const summary = await writeSimulationLog({ seed: 1, machines: 1, durationMs: 5000, faults: dropAll }, join(dir, 'gone.csv'));
    expect(summary).toMatchObject({ samples: 2, empty: 3 });
  });

  it('stops early on the signal and keeps what it wrote; fails cleanly on a bad path or config, leaving no file', async () => {
    const signal = { aborted: true };
    const path = join(dir, 'long.jsonl');
    const summary = await writeSimulationLog({ seed: 1, machines: 10, durationMs: 30 * 86_400_000 }, path, { signal });
    expect(summary.stopped).toBe(true);
    expect(summary.samples).toBeGreaterThan(0);
    expect(summary.samples).toBeLessThan(30 * 86_400 * 10);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(summary.samples + 1);

    await expect(writeSimulationLog(config, join(dir, 'no', 'such', 'x.csv'))).rejects.toThrow(/no\/such\/x\.csv: cannot write \(.*ENOENT.*\); check the directory/);
    await expect(writeSimulationLog(config, join(dir, 'x.txt'))).rejects.toThrow(/name it \.csv or \.jsonl/);
    await expect(writeSimulationLog({ seed: 1, machines: 1 }, join(dir, 'forever.csv'))).rejects.toThrow(/durationMs must be finite/);
    await expect(writeSimulationLog({ seed: 1, machines: 0, durationMs: 1000 }, join(dir, 'zero.csv'))).rejects.toThrow(/machines must be a positive integer/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial') || f.startsWith('zero') || f.startsWith('x.'))).toEqual([]);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});
