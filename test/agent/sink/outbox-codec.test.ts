import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeRecord, encodeSettle, HEADER_BYTES, scanFrames } from '../../../agent/sink/outbox-codec.js';
import { crc32 } from '../../../agent/sink/outbox-crc32.js';
import { createRng } from '../../../engine/rng.js';

describe('crc32', () => {
  it('matches the published CRC-32/ISO-HDLC check values', () => {
    const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii(''))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('continues across pieces and agrees with zlib where this Node has it', () => {
    const rng = createRng(7);
    const data = Buffer.from(Array.from({ length: 4096 }, () => rng.int(256)));
    const whole = crc32(data);
    expect(crc32(data, 1000, data.length, crc32(data, 0, 1000))).toBe(whole);
    const reference = (zlib as unknown as { crc32?: (b: Buffer) => number }).crc32;
    if (reference) for (const n of [0, 1, 7, 255, 4096]) expect(crc32(data.subarray(0, n))).toBe(reference(data.subarray(0, n)));
  });
});

describe('frames', () => {
  const records = [
    { id: 'a:1', key: 'press-7', kind: 'alert', topic: 'vigil/alerts/press-7', payload: '{"score":3.5}', createdAt: 1_700_000_000_123 },
    { id: 'état', key: 'fräse', kind: 'state', topic: 't/ü', payload: Buffer.from([0, 1, 2, 255]), retain: true, createdAt: 5 },
    { id: 'd', key: 'k', kind: 'deadletter', topic: 'x', payload: '', createdAt: -1 },
  ] as const;

  it('round-trip records (string and Buffer payloads, retain, UTF-8) and settle frames in order', () => {
    const frames = [...records.map((r, i) => encodeRecord(r, i + 1)), encodeSettle('ack', 2), encodeSettle('drop', 3)];
    const scan = scanFrames(Buffer.concat(frames));
    expect(scan.tornAt).toBeUndefined();
    expect(scan.corrupt).toEqual([]);
    expect(scan.frames.map((f) => [f.type, f.seq, f.bytes])).toEqual([
      ['record', 1, frames[0].length],
      ['record', 2, frames[1].length],
      ['record', 3, frames[2].length],
      ['ack', 2, HEADER_BYTES + 8],
      ['drop', 3, HEADER_BYTES + 8],
    ]);
    scan.frames.slice(0, 3).forEach((f, i) => expect(f.type === 'record' && f.record).toEqual(records[i]));
  });

  it('reports a cut-short last frame as a torn tail at every cut point', () => {
    const a = encodeRecord(records[0], 1);
    const b = encodeRecord(records[1], 2);
    for (let cut = 1; cut < b.length; cut++) {
      const scan = scanFrames(Buffer.concat([a, b.subarray(0, cut)]));
      expect(scan.frames).toHaveLength(1);
      expect(scan.tornAt).toBe(a.length);
    }
  });

  it('skips a damaged frame and resumes at the next valid one', () => {
    const [a, b, c] = records.map((r, i) => encodeRecord(r, i + 1));
    for (let byte = 0; byte < b.length; byte++) {
      const damaged = Buffer.from(b);
      damaged[byte] ^= 0x10;
      const scan = scanFrames(Buffer.concat([a, damaged, c]));
      expect(scan.frames.map((f) => f.seq)).toEqual([1, 3]);
      expect(scan.corrupt).toEqual([{ offset: a.length, bytes: b.length }]);
      expect(scan.tornAt).toBeUndefined();
    }
  });

  it('refuses a valid frame of a newer format version instead of skipping it', () => {
    const f = encodeRecord(records[0], 1);
    f[2] = 2;
    // Re-seal the checksum as a newer writer would.
    f.writeUInt32LE(crc32(f, HEADER_BYTES, f.length, crc32(f, 0, 8)), 8);
    expect(() => decodeFrame(f, 0)).toThrow(/format version 2.*move the outbox directory aside/);
  });
});
