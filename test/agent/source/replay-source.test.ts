import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subscription, firstValueFrom, lastValueFrom, take, toArray, type SchedulerLike } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../agent/runtime/clock.js';
import { openReplay, type BadLine, type ReplayLabels, type ReplayOptions, type ReplaySummary } from '../../../agent/source/replay-source.js';
import type { SensorMessage } from '../../../agent/types.js';

const NAB = '/work/shared/datasets/nab/data/realKnownCause/machine_temperature_system_failure.csv';
const SKAB = '/work/shared/datasets/skab/data/valve1/0.csv';
const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Replays a file to the end, collecting messages, bad lines, labels and the summary. */
async function replay(path: string, options: ReplayOptions = {}) {
  const bad: BadLine[] = [];
  const labels: ReplayLabels[] = [];
  let summary: ReplaySummary | undefined;
  const messages = await lastValueFrom(
    openReplay(path, { ...options, onBadLine: (b) => bad.push(b), onLabels: (l) => labels.push(l), onEnd: (s) => (summary = s) }).pipe(toArray()),
  );
  return { messages, bad, labels, summary: summary! };
}
const body = (m: SensorMessage) => JSON.parse(m.payload.toString()) as { ts: number; value?: number; values?: Record<string, number> };

describe('openReplay: CSV', () => {
  it('replays NAB machine_temperature_system_failure.csv: one message per row, times and values as in the file', async () => {
    const clock = createManualClock(5);
    const { messages, bad, summary } = await replay(NAB, { clock });
    const rows = readFileSync(NAB, 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(22695);
    expect(messages).toHaveLength(22695);
    expect(bad).toEqual([]);
    expect(summary).toMatchObject({ lines: 22696, rows: 22695, messages: 22695, badLines: 0 });
    expect(messages[0].topic).toBe('plant/machine_temperature_system_failure/value');
    expect(body(messages[0])).toEqual({ ts: Date.UTC(2013, 11, 2, 21, 15), value: 73.96732207 });
    expect(body(messages.at(-1)!)).toEqual({ ts: Date.UTC(2014, 1, 19, 15, 25), value: 96.90386085 });
    expect(messages[0].receivedAt).toBe(5);
    // Every row, in file order: the i-th message carries the i-th row's time (naive = UTC) and value.
    const expected = rows.map((r) => {
      const [time, value] = r.split(',');
      return { ts: Date.parse(`${time.replace(' ', 'T')}Z`), value: Number(value) };
    });
    expect(messages.map(body)).toEqual(expected);
    // The file itself repeats one hour (line 10151 goes back from 02:55 to 02:00 on 2014-01-07):
    // replay reproduces it faithfully and leaves the verdict (out-of-order) to the reading stage.
    const backwards = expected.flatMap((e, i) => (i > 0 && e.ts <= expected[i - 1].ts ? [i + 2] : []));
    expect(backwards).toEqual([10151]);
  });

  it('replays a SKAB file (";" separator, CRLF): 8 channels per row, labels kept apart for evaluation', async () => {
    const { messages, labels, summary } = await replay(SKAB, { machineId: 'skab-valve1' });
    expect(summary).toMatchObject({ rows: 1147, messages: 1147 * 8, badLines: 0 });
    const channels = [...new Set(messages.map((m) => m.topic.split('/')[2]))];
    expect(channels).toEqual([
      'Accelerometer1RMS', 'Accelerometer2RMS', 'Current', 'Pressure', 'Temperature', 'Thermocouple', 'Voltage', 'Volume_Flow_RateRMS',
    ]);
    expect(messages.every((m) => m.topic.startsWith('plant/skab-valve1/'))).toBe(true);
    expect(body(messages[0])).toEqual({ ts: Date.UTC(2020, 2, 9, 10, 14, 33), value: 0.0265878 });
    expect(body(messages.at(-1)!)).toEqual({ ts: Date.UTC(2020, 2, 9, 10, 34, 32), value: 32.0015 });
    // One labels record per row, with the file's own anomaly and changepoint counts.
    expect(labels).toHaveLength(1147);
    expect(labels[0]).toEqual({ line: 2, time: Date.UTC(2020, 2, 9, 10, 14, 33), machineId: 'skab-valve1', labels: { anomaly: 0, changepoint: 0 } });
    const rows = readFileSync(SKAB, 'utf8').trim().split(/\r?\n/).slice(1).map((r) => r.split(';'));
    expect(labels.filter((l) => l.labels.anomaly === 1)).toHaveLength(rows.filter((r) => Number(r[9]) === 1).length);
    expect(labels.filter((l) => l.labels.changepoint === 1)).toHaveLength(rows.filter((r) => Number(r[10]) === 1).length);
  });

  it('emits one {ts, values} message per row with the per-machine layout', async () => {
    const { messages } = await replay(SKAB, { machineId: 'v1', layout: 'per-machine', topicPrefix: 'lab' });
    expect(messages).toHaveLength(1147);
    expect(messages[0].topic).toBe('lab/v1');
    const first = body(messages[0]);
    expect(Object.keys(first.values!)).toHaveLength(8);
    expect(first.values!.Volume_Flow_RateRMS).toBe(32);
    expect('anomaly' in first.values!).toBe(false);
  });

  it('counts corrupt lines with their line numbers and keeps going to the end of the file', async () => {
    const good = readFileSync(NAB, 'utf8').split('\n').slice(1, 41);
    const lines = [
      'timestamp,value',
      ...good.slice(0, 10),
      '2013-12-02 2', //                         torn write
      ...good.slice(10, 20),
      '2013-12-03 00:00:00,abc', //              not a number
      '2013-13-45 00:00:00,1.0', //              no such date
      '2013-12-03 00:05:00,1.0,7', //            extra field
      '', //                                     blank: skipped, not bad
      '2013-12-03 00:10:00,', //                 no value at all
      ...good.slice(20, 40),
      '\u0000\u0000\u0000\u0000', //            zeroed block after a power cut
    ];
    const path = file('corrupt.csv', lines.join('\n'));
    const { messages, bad, summary } = await replay(path, { machineId: 'm1' });
    expect(messages).toHaveLength(40);
    expect(messages.map((m) => body(m).value)).toEqual(good.map((l) => Number(l.split(',')[1])));
    expect(bad.map((b) => [b.line, b.reason])).toEqual([
      [12, 'column-count'],
      [23, 'non-numeric'],
      [24, 'bad-timestamp'],
      [25, 'column-count'],
      [27, 'no-values'],
      [48, 'column-count'],
    ]);
    expect(bad[1]).toMatchObject({ path, text: '2013-12-03 00:00:00,abc' });
    expect(bad[1].detail).toContain('"abc"');
    expect(summary).toMatchObject({ rows: 40, messages: 40, badLines: 6, badByReason: { 'column-count': 3, 'non-numeric': 1, 'bad-timestamp': 1, 'no-values': 1 } });
  });

  it('takes the machine from a column, skips empty cells, honours channels and quotes', async () => {
    const path = file('fleet.csv', [
      'time,machine,"temp, °C",vib,label',
      '2024-01-01T00:00:00Z,pump-1,40.5,1.1,0',
      '2024-01-01T00:00:00Z,pump-2,,0.9,1',
      '2024-01-01T00:00:01Z,,41,1.0,0',
    ].join('\n'));
    const { messages, bad, labels } = await replay(path, { machineIdColumn: 'machine' });
    expect(messages.map((m) => `${m.topic}=${body(m).value}`)).toEqual(['plant/pump-1/temp___C=40.5', 'plant/pump-1/vib=1.1', 'plant/pump-2/vib=0.9']);
    expect(bad.map((b) => b.reason)).toEqual(['missing-machine']);
    expect(labels.map((l) => [l.machineId, l.labels.label])).toEqual([['pump-1', 0], ['pump-2', 1]]);
    const only = await replay(path, { machineIdColumn: 'machine', channels: ['vib'] });
    expect(only.messages.map((m) => m.topic)).toEqual(['plant/pump-1/vib', 'plant/pump-2/vib']);
  });

  it('stops reading when the consumer unsubscribes', async () => {
    let ended = false;
    const first = await firstValueFrom(openReplay(NAB, { onEnd: () => (ended = true) }).pipe(take(10), toArray()));
    expect(first).toHaveLength(10);
    expect(ended).toBe(false);
  });

  it('errors (only) when the file cannot be replayed at all, saying what to fix', async () => {
    await expect(lastValueFrom(openReplay(join(dir, 'missing.csv')))).rejects.toThrow(/cannot read the file .*ENOENT.*check the path/);
    await expect(lastValueFrom(openReplay(NAB, { timestampColumn: 'when' }))).rejects.toThrow(/no column 'when' \(timestampColumn\); columns are timestamp, value/);
    expect(() => openReplay(NAB, { speed: 0 })).toThrow(/speed must be > 0/);
  });
});

describe('openReplay: JSONL', () => {
  it('replays value, values and verbatim-payload lines, counting bad lines', async () => {
    const path = file('recording.jsonl', [
      '{"topic":"plant/p1/vibration","ts":"2024-01-01T00:00:00Z","value":1.5}',
      '{"topic":"plant/p1","ts":1704067201000,"values":{"flow":40,"pressure":3.2},"labels":{"anomaly":1}}',
      '{"topic":"plant/p1/flow","payload":"{not json"}',
      '{"topic":"plant/p1/flow","payload":{"ts":1704067203000,"value":"high"}}',
      '{"topic":"plant/p1/vibration","ts":1704067204',
      '[1,2,3]',
      '{"ts":1704067205000,"value":1}',
      '{"topic":"plant/p1/vibration","ts":"soon","value":1}',
      '{"topic":"plant/p1/vibration","ts":1704067206000,"value":"1.0"}',
      '{"topic":"plant/p1/vibration","ts":1704067207000}',
      '{"topic":"plant/p1/vibration","ts":1704067208000,"value":2.5}',
    ].join('\n'));
    const { messages, bad, labels, summary } = await replay(path);
    expect(messages.map((m) => [m.topic, m.payload.toString()])).toEqual([
      ['plant/p1/vibration', '{"ts":1704067200000,"value":1.5}'],
      ['plant/p1', '{"ts":1704067201000,"values":{"flow":40,"pressure":3.2}}'],
      ['plant/p1/flow', '{not json'], // dead-lettered downstream, as it was live
      ['plant/p1/flow', '{"ts":1704067203000,"value":"high"}'],
      ['plant/p1/vibration', '{"ts":1704067208000,"value":2.5}'],
    ]);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([
      [5, 'malformed-json'], [6, 'malformed-json'], [7, 'missing-topic'], [8, 'bad-timestamp'], [9, 'non-numeric'], [10, 'no-values'],
    ]);
    expect(labels).toEqual([{ line: 2, time: 1704067201000, topic: 'plant/p1', labels: { anomaly: 1 } }]);
    expect(summary).toMatchObject({ rows: 5, messages: 5, badLines: 6 });
  });
});

describe('openReplay: pacing', () => {
  /** A scheduler whose time jumps by each requested delay: records delays, never sleeps. */
  function jumpingScheduler() {
    let now = 1_000;
    const delays: number[] = [];
    const scheduler: SchedulerLike = {
      now: () => now,
      schedule(work: (this: unknown, state?: unknown) => void, delay = 0) {
        delays.push(delay);
        now += delay;
        const handle = setImmediate(() => work.call(undefined));
        return new Subscription(() => clearImmediate(handle));
      },
    } as SchedulerLike;
    return { scheduler, delays, now: () => now };
  }

  it('spaces messages by event time divided by speed', async () => {
    const path = file('paced.csv', ['ts,v', '1704067200,1', '1704067201,2', '1704067201,3', '1704067205,4'].join('\n'));
    const { scheduler, delays, now } = jumpingScheduler();
    const seenAt: number[] = [];
    await lastValueFrom(openReplay(path, { speed: 2, scheduler, clock: { now } }).pipe(toArray())).then((ms) => seenAt.push(...ms.map((m) => m.receivedAt)));
    // Event times 0, 1, 1, 5 s at twice the speed are due at 0, 0.5, 0.5, 2.5 s after the first.
    expect(delays).toEqual([500, 2000]);
    expect(seenAt).toEqual([1_000, 1_500, 1_500, 3_500]);
  });

  it('does not wait at all without a speed', async () => {
    const { scheduler, delays } = jumpingScheduler();
    const { messages } = await replay(SKAB, { scheduler });
    expect(messages).toHaveLength(1147 * 8);
    expect(delays).toEqual([]);
  });
});
