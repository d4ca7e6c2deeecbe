// JSONL replay lines: one JSON object per line, in one of three shapes:
//   {"topic":"plant/pump-01/vibration","ts":1700000000000,"value":1.23}
//        → payload {"ts":<epoch ms>,"value":1.23}            (one channel; the topic names it)
//   {"topic":"plant/pump-01","ts":"2024-01-01T00:00:00Z","values":{"vibration":1.2,"flow":40}}
//        → payload {"ts":<epoch ms>,"values":{...}}          (several channels)
//   {"topic":"plant/pump-01/vibration","payload":<string or JSON value>}
//        → the payload verbatim: a string byte for byte, anything else as JSON.stringify gives it.
//          This is a recording of the wire: payloads that were bad live are bad again on replay
//          and are dead-lettered downstream, exactly as they were live.
// `ts` (epoch s/ms/µs/ns or a date-time; no zone = UTC) is the event time used for pacing; a
// `payload` line without `ts` is paced by its payload's `ts` when that is readable, else not at all.
// An optional "labels": {"anomaly": 1} travels with the line for evaluation.
// Bad lines: not a JSON object ('malformed-json'), no string topic ('missing-topic'), no payload,
// value or values ('no-values'), value(s) not finite numbers ('non-numeric'), and for the value
// shapes a missing or unreadable ts ('bad-timestamp').

import { parseReplayTime } from './replay-time.js';
import { SKIP, bad, type LineResult } from './replay-lines.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function labelsOf(line: Json): Record<string, number> | undefined {
  if (!isObject(line.labels)) return undefined;
  let labels: Record<string, number> | undefined;
  for (const [k, v] of Object.entries(line.labels)) if (typeof v === 'number' && Number.isFinite(v)) (labels ??= {})[k] = v;
  return labels;
}

export function parseJsonlLine(text: string): LineResult {
  const trimmed = text.trim();
  if (trimmed === '') return SKIP;
  let line: unknown;
  try {
    line = JSON.parse(trimmed);
  } catch (err) {
    return bad('malformed-json', `not JSON: ${(err as Error).message}`);
  }
  if (!isObject(line)) return bad('malformed-json', 'each line must be a JSON object like {"topic": ..., "ts": ..., "value": ...}');
  const { topic } = line;
  if (typeof topic !== 'string' || topic === '') return bad('missing-topic', 'field "topic" must be a non-empty string');
  const labels = labelsOf(line);

  if ('payload' in line) {
    const p = line.payload;
    const payload = Buffer.from(typeof p === 'string' ? p : JSON.stringify(p) ?? 'null');
    const time = line.ts !== undefined ? parseReplayTime(line.ts) : isObject(p) ? parseReplayTime(p.ts) : undefined;
    if (line.ts !== undefined && time === undefined) return bad('bad-timestamp', `field "ts" is ${JSON.stringify(line.ts)}`);
    return { kind: 'message', topic, payload, time, labels };
  }
  const hasValue = 'value' in line;
  if (!hasValue && !('values' in line)) return bad('no-values', 'give "payload", "value" or "values"');
  const time = parseReplayTime(line.ts);
  if (time === undefined) return bad('bad-timestamp', `field "ts" is ${JSON.stringify(line.ts) ?? 'missing'}; "value" and "values" lines need an event time`);
  if (hasValue) {
    if (typeof line.value !== 'number' || !Number.isFinite(line.value)) return bad('non-numeric', `field "value" is ${JSON.stringify(line.value)}`);
    return { kind: 'message', topic, payload: Buffer.from(`{"ts":${time},"value":${line.value}}`), time, labels };
  }
  const values = line.values;
  if (!isObject(values) || Object.keys(values).length === 0) return bad('no-values', 'field "values" must be a non-empty object of channel → number');
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return bad('non-numeric', `values.${k} is ${JSON.stringify(v)}`);
  }
  return { kind: 'message', topic, payload: Buffer.from(JSON.stringify({ ts: time, values })), time, labels };
}
