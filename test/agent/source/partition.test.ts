import { describe, expect, it } from 'vitest';
import { createPartition, fnv1a32, partitionOf } from '../../../agent/source/partition.js';

/** FNV-1a 32 written independently: TextEncoder for the bytes, BigInt for the arithmetic. */
function reference(text: string): number {
  let h = 0x811c9dc5n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x01000193n) & 0xffffffffn;
  return Number(h);
}

/** A deterministic stream of awkward strings: ASCII ids, accents, CJK, emoji, lone surrogates. */
function* strings(n: number): Generator<string> {
  let s = 12345;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const alphabet = ['a', 'Z', '0', '-', '_', '/', 'é', 'ß', '中', '€', '😀', '\ud800', '\udc00', '\u0000', '\u07ff', '\u0800', '\uffff'];
  for (let i = 0; i < n; i++) {
    const len = next() % 12;
    let t = '';
    for (let k = 0; k < len; k++) t += alphabet[next() % alphabet.length];
    yield t;
  }
}

describe('fnv1a32', () => {
  it('gives the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes, as an independent reference does, for any string', () => {
    for (const t of ['pump-01', 'Presse 7 – Halle B', '泵-03', 'motor😀', 'x\ud800y', 'end\udc00']) expect(fnv1a32(t), t).toBe(reference(t));
    for (const t of strings(2000)) expect(fnv1a32(t), JSON.stringify(t)).toBe(reference(t));
  });
});

describe('createPartition', () => {
  it('gives every machine exactly one owner, the one partitionOf names', () => {
    const agents = [0, 1, 2].map((index) => createPartition({ index, count: 3 }));
    for (const id of strings(500)) {
      const owners = agents.filter((a) => a.owns(id)).map((a) => a.index);
      expect(owners, id).toEqual([partitionOf(id, 3)]);
    }
    expect(createPartition({ index: 0, count: 1 }).owns('anything')).toBe(true);
  });

  it('spreads machine ids evenly (10,000 ids over 4 agents: each within 5 % of a quarter)', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[partitionOf(`pump-${String(i).padStart(5, '0')}`, 4)]++;
    for (const c of counts) expect(Math.abs(c - 2500)).toBeLessThan(125);
  });

  it('keeps only about 1/(n+1) of the machines in place when n agents become n+1 (a resize is planned)', () => {
    const ids = Array.from({ length: 9000 }, (_, i) => `m${i}`);
    const stay = ids.filter((id) => partitionOf(id, 2) === partitionOf(id, 3)).length / ids.length;
    expect(stay).toBeGreaterThan(0.3);
    expect(stay).toBeLessThan(0.37);
  });

  it('refuses a bad spec, naming the field and the range', () => {
    expect(() => createPartition({ index: 3, count: 3 })).toThrow(/partition\.index must be an integer from 0 to 2.*got 3/);
    expect(() => createPartition({ index: -1, count: 3 })).toThrow(/partition\.index/);
    expect(() => createPartition({ index: 0.5, count: 3 })).toThrow(/partition\.index/);
    expect(() => createPartition({ index: 0, count: 0 })).toThrow(/partition\.count must be a positive integer.*got 0/);
    expect(() => createPartition({ index: 0, count: 2.5 })).toThrow(/partition\.count/);
  });
});
