import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../agent/replay/replay-progress.js';
import { f32, scoresCsvHeader } from '../../../agent/replay/scores-csv.js';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, write: (s: string) => out.push(s), isTTY, columns: 100 };
}

describe('createProgress', () => {
  it('not a terminal: one line per tenth of the log, in event time, then 100%', () => {
    const s = sink(false);
    const p = createProgress(s, () => 0);
    p.start({ first: T0, last: T0 + 10 * H });
    for (let t = T0; t <= T0 + 10 * H; t += 60_000) p.update(t);
    p.done();
    expect(s.out).toEqual([
      ...Array.from({ length: 9 }, (_, k) => `replay: ${(k + 1) * 10}% (event time ${new Date(T0 + (k + 1) * H).toISOString()})\n`),
      `replay: 100% (event time ${new Date(T0 + 10 * H).toISOString()})\n`,
    ]);
  });

  it('a terminal: one bar redrawn in place at most every 100 ms, with the rate, ended by a newline', () => {
    const s = sink(true);
    let now = 0;
    const p = createProgress(s, () => now);
    p.start({ first: T0, last: T0 + 4 * H });
    for (let k = 0; k <= 4; k++) {
      now = k * 60; // 60 ms per hour of log: every other update is drawn
      p.update(T0 + k * H);
    }
    p.done();
    expect(s.out.filter((l) => l.startsWith('\r'))).toHaveLength(4); // at 0, 120 and 240 ms, and the last
    expect(s.out[s.out.length - 2]).toMatch(/^\rreplay \[#{28}\] 100\.0% {2}2024-01-01 04:00:00 {2}21 msg\/s/);
    expect(s.out[1]).toMatch(/^\rreplay \[#{14}-{14}\]  50\.0%  2024-01-01 02:00:00/);
    expect(s.out[s.out.length - 1]).toBe('\n');
  });

  it('a log without times shows nothing', () => {
    const s = sink(false);
    const p = createProgress(s);
    p.start({ first: undefined, last: undefined });
    p.update(T0);
    p.done();
    expect(s.out).toEqual([]);
  });
});

describe('scores.csv cells', () => {
  it('writes float32 values in the shortest form that reads back as the same float32', () => {
    expect(f32(Math.fround(1.234))).toBe('1.234');
    expect(f32(Math.fround(0.1))).toBe('0.1');
    expect(f32(Math.fround(123456.789))).toBe('123456.79');
    expect(f32(NaN)).toBe('');
    expect(f32(undefined)).toBe('');
    for (const v of [Math.fround(Math.PI), Math.fround(1e-7 / 3), Math.fround(-98765.4321)]) expect(Math.fround(Number(f32(v)))).toBe(v);
  });

  it('quotes channel names that would break the CSV', () => {
    expect(scoresCsvHeader(['a', 'b,c'])).toBe('time,machine,score,score.a,"score.b,c",warning,critical,verdict,event,episode,value.a,"value.b,c"');
  });
});
