import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { createTopicMap } from '../../../agent/source/topic-map.js';
import {
  type ToReadingsOptions, createReadingCounters, createReadingParser, divertDeadLetters, isDeadLetter, toReadings,
} from '../../../agent/stages/to-readings.js';
import type { DeadLetter, DeadLetterReason, Reading, SensorMessage } from '../../../agent/types.js';

const R = Date.UTC(2024, 4, 1, 12, 0, 0); // receive time of every test message
const topics = createTopicMap(['plant/+machine/+channel', 'factory/+machine/telemetry']);

function msg(topic: string, payload: string | object, receivedAt = R): SensorMessage {
  return { topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), receivedAt };
}
function reading(machineId: string, time: number, values: Record<string, number>, receivedAt = R): Reading {
  return { machineId, time, values, receivedAt };
}
function dead(reason: DeadLetterReason, detail: RegExp, topic: string): DeadLetter {
  return { reason, detail: expect.stringMatching(detail), topic, receivedAt: R, preview: expect.any(String) } as unknown as DeadLetter;
}
const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Runs one marble case: each input letter maps to a message, each output letter to a value. */
function marble(options: Partial<ToReadingsOptions>, input: string, msgs: Record<string, SensorMessage>, output: string, values: Record<string, Reading | DeadLetter>): void {
  scheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold(input, msgs).pipe(toReadings({ topics, ...options }))).toBe(output, values);
  });
}

describe('toReadings: valid payloads (marbles)', () => {
  it('a single value for the channel named by the topic, ISO-8601 event time', () => {
    marble({}, 'a|', { a: msg('plant/press-1/temp', { ts: '2024-05-01T11:59:59.250Z', value: 21.5 }) },
      'r|', { r: reading('press-1', Date.UTC(2024, 4, 1, 11, 59, 59, 250), { temp: 21.5 }) });
  });

  it('several channels from a values object, epoch-seconds event time', () => {
    marble({}, 'a|', { a: msg('factory/m1/telemetry', { ts: R / 1000 - 1, values: { temp: 80.1, vib: 0.02, rpm: 1450 } }) },
      'r|', { r: reading('m1', R - 1000, { temp: 80.1, vib: 0.02, rpm: 1450 }) });
  });

  it('explicit channel field paths and a nested timestamp path', () => {
    marble({ timestampPath: 'meta.time', channelPaths: { temp: 'sensors.t', vib: 'sensors.v' } }, 'a|',
      { a: msg('factory/m1/telemetry', { meta: { time: R - 5 }, sensors: { t: 70, v: 0.5 }, unit: 'C' }) },
      'r|', { r: reading('m1', R - 5, { temp: 70, vib: 0.5 }) });
  });

  it('a bare number is the topic channel\'s value at receive time', () => {
    marble({}, 'a|', { a: msg('plant/m1/temp', ' 42.1\n') }, 'r|', { r: reading('m1', R, { temp: 42.1 }) });
  });

  it('preserves order and timing across interleaved good and bad messages', () => {
    marble({}, 'a-b--c-d|', {
      a: msg('plant/m1/temp', { ts: R - 3000, value: 1 }),
      b: msg('nowhere/m1/temp', { ts: R - 2000, value: 2 }),
      c: msg('plant/m1/temp', { ts: R - 1000, value: 3 }),
      d: msg('plant/m1/temp', '{"ts":'),
    }, 'a-b--c-d|', {
      a: reading('m1', R - 3000, { temp: 1 }),
      b: dead('unknown-topic', /nowhere\/m1\/temp/, 'nowhere/m1/temp'),
      c: reading('m1', R - 1000, { temp: 3 }),
      d: dead('malformed-json', /not valid JSON/, 'plant/m1/temp'),
    });
  });
});

describe('toReadings: every dead-letter reason (marbles)', () => {
  const t = 'plant/m1/temp';
  const f = 'factory/m1/telemetry';
  const cases: [string, Partial<ToReadingsOptions>, SensorMessage[], DeadLetterReason, RegExp][] = [
    ['oversized (checked before parsing: the payload is not even JSON)', { maxPayloadBytes: 16 }, [msg(t, `{${'x'.repeat(20)}`)], 'oversized', /21 bytes.*maxPayloadBytes=16/],
    ['malformed-json', {}, [msg(t, '{"ts": 1, "value": }')], 'malformed-json', /not valid JSON/],
    ['malformed-json (neither a number nor an object)', {}, [msg(t, 'hello')], 'malformed-json', /neither a number nor a JSON object/],
    ['unknown-topic', {}, [msg('plant/m1', { ts: R, value: 1 })], 'unknown-topic', /'plant\/m1'|"plant\/m1"/],
    ['missing-timestamp', {}, [msg(t, { value: 1 })], 'missing-timestamp', /field 'ts' is missing/],
    ['missing-timestamp (bare numbers not allowed)', { allowBareNumbers: false }, [msg(t, '42')], 'missing-timestamp', /allowBareNumbers is false/],
    ['bad-timestamp (not a date)', {}, [msg(t, { ts: 'yesterday', value: 1 })], 'bad-timestamp', /field 'ts' is "yesterday", expected ISO-8601/],
    ['bad-timestamp (no zone)', {}, [msg(t, { ts: '2024-05-01T11:00:00', value: 1 })], 'bad-timestamp', /without a zone/],
    ['bad-timestamp (no such day)', {}, [msg(t, { ts: '2024-02-30T11:00:00Z', value: 1 })], 'bad-timestamp', /no such date/],
    ['bad-timestamp (a boolean)', {}, [msg(t, { ts: true, value: 1 })], 'bad-timestamp', /field 'ts' is true/],
    ['absurd-timestamp (future beyond the skew)', { maxFutureSkewMs: 1000 }, [msg(t, { ts: R + 1001, value: 1 })], 'absurd-timestamp', /maxFutureSkewMs=1000/],
    ['absurd-timestamp (before the floor)', {}, [msg(t, { ts: 0, value: 1 })], 'absurd-timestamp', /before minTime 2000-01-01/],
    ['absurd-timestamp (beyond what a Date can hold)', {}, [msg(t, { ts: 1e300, value: 1 })], 'absurd-timestamp', /1e\+2\d\d/],
    ['out-of-order', {}, [msg(t, { ts: R - 10, value: 1 }), msg(t, { ts: R - 20, value: 1 })], 'out-of-order', /channel 'temp' of machine 'm1'.*older/],
    ['duplicate', {}, [msg(t, { ts: R - 10, value: 1 }), msg(t, { ts: R - 10, value: 2 })], 'duplicate', /channel 'temp' of machine 'm1' already has/],
    ['non-numeric (a string)', {}, [msg(t, { ts: R, value: 'hot' })], 'non-numeric', /field 'value' is "hot", expected a number/],
    ['non-numeric (a numeric string is still a string)', {}, [msg(t, { ts: R, value: '42' })], 'non-numeric', /"42"/],
    ['non-numeric (in a values object)', {}, [msg(f, { ts: R, values: { temp: 1, vib: null } })], 'non-numeric', /field 'values.vib' is null/],
    ['non-finite ("NaN" string)', {}, [msg(t, { ts: R, value: 'NaN' })], 'non-finite', /field 'value' is "NaN"/],
    ['non-finite (1e999 overflows to Infinity)', {}, [msg(t, '{"ts": 1714564800, "value": 1e999}')], 'non-finite', /Infinity/],
    ['non-finite (bare "-inf")', {}, [msg(t, '-inf')], 'non-finite', /bare payload/],
    ['no-values (no values object, topic names no channel)', {}, [msg(f, { ts: R, value: 1 })], 'no-values', /'values' is missing/],
    ['no-values (empty values object)', {}, [msg(f, { ts: R, values: {} })], 'no-values', /empty object/],
    ['no-values (bare number, topic names no channel)', {}, [msg(f, '3.5')], 'no-values', /names no \+channel/],
    ['unknown-channel', { channels: ['temp', 'vib'] }, [msg('plant/m1/rpm', { ts: R, value: 1 })], 'unknown-channel', /channel 'rpm'.*not one of the configured/],
    ['shed (beyond the machine cap)', { maxTrackedMachines: 1 }, [msg('plant/m1/temp', '1'), msg('plant/m2/temp', '1')], 'shed', /'m2' is beyond maxTrackedMachines=1/],
  ];
  for (const [name, options, messages, reason, detail] of cases) {
    it(name, () => {
      const letters = 'abcdefgh'.slice(0, messages.length);
      const input = Object.fromEntries(messages.map((m, i) => [letters[i], m]));
      const last = letters[letters.length - 1];
      const expected: Record<string, Reading | DeadLetter> = {};
      // Every message but the last is valid here; the last is the one dead-lettered.
      scheduler().run(({ cold, expectObservable }) => {
        const out = cold(`${letters}|`, input).pipe(toReadings({ topics, ...options }));
        for (const l of letters.slice(0, -1)) expected[l] = expect.objectContaining({ machineId: expect.any(String) }) as unknown as Reading;
        expected[last] = dead(reason, detail, messages[messages.length - 1].topic);
        expectObservable(out).toBe(`${letters}|`, expected);
      });
    });
  }
});

describe('toReadings: event time', () => {
  const parser = createReadingParser({ topics });
  const timeOf = (ts: unknown): number | string => {
    const out = parser.fresh()(msg('plant/m1/temp', { ts, value: 1 }));
    return isDeadLetter(out) ? out.reason : out.time;
  };
  it('reads numbers by magnitude: seconds below 1e11, then milliseconds, microseconds, nanoseconds', () => {
    expect(timeOf(1714564000)).toBe(1714564000_000);
    expect(timeOf(1714564001.5)).toBe(1714564001_500);
    expect(timeOf(1714564002123)).toBe(1714564002123);
    expect(timeOf(1714564003123456)).toBe(1714564003123.456);
    expect(timeOf(1714564004123456789)).toBeCloseTo(1714564004123.4568, 2);
    expect(timeOf('1714564005')).toBe(1714564005_000);
  });
  it('reads ISO-8601 with Z or an offset, with or without seconds and fractions', () => {
    expect(timeOf('2024-05-01T10:00Z')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(timeOf('2024-05-01T12:00:01+02:00')).toBe(Date.UTC(2024, 4, 1, 10, 0, 1));
    expect(timeOf('2024-05-01 10:00:01.5-0130')).toBe(Date.UTC(2024, 4, 1, 11, 30, 1, 500));
    expect(timeOf('2024-05-01T10:00:00.123456Z')).toBeCloseTo(Date.UTC(2024, 4, 1, 10) + 123.456, 6);
    expect(timeOf('0050-05-01T10:00:00Z')).toBe('absurd-timestamp'); // year 50, not 1950
    expect(timeOf('2024-13-01T10:00:00Z')).toBe('bad-timestamp');
    expect(timeOf('2024-05-01T24:00:00Z')).toBe('bad-timestamp');
  });
});

describe('divertDeadLetters and counters', () => {
  it('routes dead letters to the sink, passes readings on, and counts both by reason', () => {
    const counters = createReadingCounters();
    const source = new Subject<SensorMessage>();
    const readings: Reading[] = [];
    const dlq: DeadLetter[] = [];
    source.pipe(toReadings({ topics, counters }), divertDeadLetters((d) => dlq.push(d))).subscribe((r) => readings.push(r));
    source.next(msg('plant/m1/temp', '1'));
    source.next(msg('plant/m1/temp', 'NaN'));
    source.next(msg('x/y', '1'));
    source.next(msg('factory/m1/telemetry', { ts: R - 1, values: { a: 1, b: 2 } }));
    expect(readings.map((r) => r.values)).toEqual([{ temp: 1 }, { a: 1, b: 2 }]);
    expect(dlq.map((d) => d.reason)).toEqual(['non-finite', 'unknown-topic']);
    expect(dlq[0].preview).toBe('NaN');
    expect(counters.accepted).toBe(2);
    expect(counters.rejected).toBe(2);
    expect(counters.byReason['non-finite']).toBe(1);
    expect(counters.byReason['unknown-topic']).toBe(1);
    expect(counters.byReason.oversized).toBe(0);
  });

  it('keeps order state per subscription: a second subscriber does not see the first one\'s duplicates', () => {
    const op = toReadings({ topics });
    const m = msg('plant/m1/temp', { ts: R, value: 1 });
    for (let i = 0; i < 2; i++) {
      scheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('ab|', { a: m, b: m }).pipe(op)).toBe('ab|', { a: reading('m1', R, { temp: 1 }), b: dead('duplicate', /already/, m.topic) });
      });
    }
  });

  it('refuses bad options at construction, naming the field', () => {
    expect(() => toReadings({ topics, timestampPath: 'meta..time' })).toThrow(/timestampPath 'meta..time'/);
    expect(() => toReadings({ topics, maxPayloadBytes: -1 })).toThrow(/maxPayloadBytes/);
    expect(() => toReadings({ topics, channelPaths: {} })).toThrow(/channelPaths is empty/);
    expect(() => toReadings({} as ToReadingsOptions)).toThrow(/TopicMap/);
  });
});
