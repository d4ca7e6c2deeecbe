// decision.likelihood in the configuration: off by default, accepted from a file (null is off),
// and every bad value reported as a problem naming decision.likelihood.<field>.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../agent/config/resolve.js';
import { problemsOf } from '../../helpers/config-problems.js';

describe('decision.likelihood', () => {
  it('is off by default and taken as given from a file; null is off', () => {
    expect(resolveConfig({ env: {} }).decision.likelihood).toBeUndefined();
    const on = { averagingWindow: 10, historicWindow: 2000, learningWindows: 100, estimationWindows: 100, reestimationPeriod: 100, redFilter: false };
    expect(resolveConfig({ env: {}, file: { decision: { likelihood: on } } }).decision.likelihood).toEqual(on);
    expect(resolveConfig({ env: {}, file: { decision: { likelihood: null } } }).decision.likelihood).toBeNull();
  });

  it('reports a bad value naming the field, what it must be and what was given', () => {
    const cases: [unknown, RegExp][] = [
      [{ historicWindow: 0 }, /^decision: likelihood\.historicWindow must be an integer from 1 to 100000, got 0$/],
      [{ averagingWindow: 'ten' }, /^decision: likelihood\.averagingWindow must be an integer from 1 up, got "ten"$/],
      [{ warning: 0.7, critical: 0.6 }, /^decision: likelihood\.critical \(0\.6\) must be at least likelihood\.warning \(0\.7\)$/],
      [{ redfilter: true }, /^decision: likelihood\.redfilter is not a setting; the settings are .*redFilter/],
      [[1], /^decision: likelihood must be an object like/],
    ];
    for (const [likelihood, msg] of cases) {
      const problems = problemsOf(() => resolveConfig({ env: {}, file: { decision: { likelihood } } as never }));
      expect(problems, JSON.stringify(likelihood)).toHaveLength(1);
      expect(problems[0]).toMatch(msg);
    }
  });
});
