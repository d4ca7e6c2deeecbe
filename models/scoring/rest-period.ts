// Rest period after a detection (as CAD OSE's restPeriod in NAB): once a score reaches `level`,
// the scores of the next `rows` samples are reported as 0, so one event raises one alarm instead of
// a burst. The clock restarts at every score that reaches the level, the suppressed ones included
// (a long event stays one alarm). rows = 0 passes every score through. Causal, O(1).

export interface RestPeriod {
  /** The score to report for this sample (the next sample in stream order). */
  apply(score: number): number;
}

export function createRestPeriod(rows: number, level: number): RestPeriod {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`rest period must be an integer number of samples >= 0, got ${rows}`);
  if (!Number.isFinite(level)) throw new Error(`rest level must be finite, got ${level}`);
  let since = Infinity; // samples since the last score at or above the level
  return {
    apply(score) {
      since++;
      const out = since <= rows ? 0 : score;
      if (score >= level) since = 0;
      return out;
    },
  };
}
