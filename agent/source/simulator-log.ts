// Recorded simulation logs with ground-truth labels, written as fast as the disk takes them, in the
// formats Vigil replays (openReplay) and trains on (`vigil train`, loadLogSamples):
//   CSV    timestamp,machine,vibration,current,temperature,pressure,flow,anomaly,fault,drift
//          2024-01-01T00:00:00.000Z,pump-01,1.234,17.52,61.08,4.512,88.31,0,,0
//          timestamp ISO-8601 UTC (ms resolution); a dropped-out channel is an empty cell;
//          anomaly 1 while any fault is active; fault the active fault kinds joined by '+' (empty:
//          none); drift 1 while any drift is active. Replay it with SIMULATION_CSV_REPLAY
//          (the machine column, and fault and drift as labels).
//   JSONL  {"topic":"plant/pump-01","ts":1704067200000,"machine":"pump-01","values":{...},
//           "labels":{"anomaly":0,"fault":"","drift":0}}
//          one line per sample: openReplay reads topic/ts/values (a per-machine message), and
//          loadLogSamples reads ts/machine/values/labels. A dropped-out channel is a missing key.
// Readers pass on numeric labels only (anomaly, drift); the fault kinds are for people and tools
// reading the file. A sample whose every channel dropped out has nothing to record and is left out,
// as it sends nothing on the wire. Same config → the same file, byte for byte.

import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { DEFAULT_LABEL_COLUMNS } from './replay-csv.js';
import { DEFAULT_TOPIC_PREFIX } from './sensor-wire.js';
import { CHANNELS, simulateSamples, type SimulatedSample, type SimulatorConfig } from './simulator.js';

export type SimulationLogFormat = 'csv' | 'jsonl';

/** The label columns of a simulation CSV, after the channels. */
export const SIMULATION_LABEL_COLUMNS = ['anomaly', 'fault', 'drift'] as const;

export const SIMULATION_CSV_HEADER = ['timestamp', 'machine', ...CHANNELS, ...SIMULATION_LABEL_COLUMNS].join(',');

/** openReplay options for a simulation CSV: machines from the machine column; fault and drift are labels. */
export const SIMULATION_CSV_REPLAY = {
  machineIdColumn: 'machine',
  labelColumns: [...DEFAULT_LABEL_COLUMNS, 'fault', 'drift'],
} as const;

export interface SampleLabels {
  /** 1 while any fault is active. */
  readonly anomaly: 0 | 1;
  /** Active fault kinds joined by '+', '' when none. */
  readonly fault: string;
  /** 1 while any drift is active (benign: not an anomaly). */
  readonly drift: 0 | 1;
}

export function sampleLabels(s: SimulatedSample): SampleLabels {
  return { anomaly: s.faults.length > 0 ? 1 : 0, fault: s.faults.join('+'), drift: s.drifts.length > 0 ? 1 : 0 };
}

/** .csv → csv, .jsonl/.ndjson → jsonl, else undefined. */
export function simulationLogFormat(path: string): SimulationLogFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : undefined;
}

export function csvLine(s: SimulatedSample): string {
  const l = sampleLabels(s);
  const cells = CHANNELS.map((ch) => (s.values[ch] === undefined ? '' : String(s.values[ch])));
  return `${new Date(s.time).toISOString()},${s.machineId},${cells.join(',')},${l.anomaly},${l.fault},${l.drift}`;
}

export function jsonlLine(s: SimulatedSample, topicPrefix = DEFAULT_TOPIC_PREFIX): string {
  return JSON.stringify({ topic: `${topicPrefix}/${s.machineId}`, ts: s.time, machine: s.machineId, values: s.values, labels: sampleLabels(s) });
}

export interface SimulationLogSummary {
  readonly path: string;
  readonly format: SimulationLogFormat;
  /** Lines written, header not counted: one per sample. */
  readonly samples: number;
  /** Samples with no channel at all (every one dropped out), not written. */
  readonly empty: number;
  readonly anomalous: number;
  readonly drifting: number;
  /** Samples per active fault kind and per drift kind (a sample may count under several). */
  readonly byFault: Readonly<Record<string, number>>;
  readonly byDrift: Readonly<Record<string, number>>;
  /** True when `signal` stopped the writing early: the file holds the samples up to then. */
  readonly stopped: boolean;
}

export interface SimulationLogOptions {
  /** Default: from the extension. */
  readonly format?: SimulationLogFormat;
  /** Checked between chunks: set aborted to stop early and keep what was written. */
  readonly signal?: { readonly aborted: boolean };
}

const CHUNK_CHARS = 1 << 18;

/**
 * Writes the simulation (config.durationMs must be finite) to `path`: first to `path`.partial,
 * renamed when complete, so a crash never leaves a log that looks finished.
 */
export async function writeSimulationLog(config: SimulatorConfig, path: string, options: SimulationLogOptions = {}): Promise<SimulationLogSummary> {
  const format = options.format ?? simulationLogFormat(path);
  if (format === undefined) throw new Error(`simulation log ${path}: name it .csv or .jsonl (or give the format)`);
  if (!Number.isFinite(config.durationMs)) throw new Error('simulation log: durationMs must be finite (how much event time to record)');
  // The first pull checks the config, before any file is made.
  const source = simulateSamples(config);
  const first = source.next();
  const temp = `${path}.partial`;
  const out = createWriteStream(temp, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {}); // observed through the races below
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed]);
  };
  const prefix = config.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  let samples = 0, empty = 0, anomalous = 0, drifting = 0, stopped = false;
  const byFault: Record<string, number> = {};
  const byDrift: Record<string, number> = {};
  try {
    let chunk = format === 'csv' ? `${SIMULATION_CSV_HEADER}\n` : '';
    for (let next = first; !next.done; next = source.next()) {
      const s = next.value;
      if (Object.keys(s.values).length === 0) {
        empty++;
        continue;
      }
      chunk += `${format === 'csv' ? csvLine(s) : jsonlLine(s, prefix)}\n`;
      samples++;
      if (s.faults.length > 0) anomalous++;
      if (s.drifts.length > 0) drifting++;
      for (const f of s.faults) byFault[f] = (byFault[f] ?? 0) + 1;
      for (const d of s.drifts) byDrift[d] = (byDrift[d] ?? 0) + 1;
      if (chunk.length >= CHUNK_CHARS) {
        await write(chunk);
        chunk = '';
        await new Promise<void>((r) => setImmediate(r)); // let signals in
        if (options.signal?.aborted) {
          stopped = true;
          break;
        }
      }
    }
    await write(chunk);
    await Promise.race([new Promise<void>((r) => out.end(() => r())), failed]);
    await rename(temp, path);
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    throw new Error(`simulation log ${path}: cannot write (${(err as Error).message}); check the directory and free space`, { cause: err });
  }
  return { path, format, samples, empty, anomalous, drifting, byFault, byDrift, stopped };
}
