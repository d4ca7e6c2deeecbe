// The level member of a NAB detector: a second, slower time scale beside the row-by-row
// forecasters. It sees block means: m_t = mean of the standardised values z over the last k rows
// (rows t−k+1 … t), k = blockMinutes of the file's own time step (at least minRows; from the
// times, never from labels). Its residual for row t is m_t minus a reference level:
//   'day'    the block mean one day earlier (m_{t−day}): a sustained change against the same hour
//            yesterday, so a daily cycle is not a change; NaN before a day of history (or when the
//            times give no day length)
//   'ewma'   an EWMA of the block means at `rate` per row, following only rows judged normal
//            (all fit rows), so an anomalous level never becomes the reference
//   'daily'  per time of day (row t mod day), an EWMA of the block means at that time on earlier
//            days at `rate` per day, following only rows judged normal: yesterday's anomaly does
//            not echo, a daily cycle is not a change; NaN until that time of day was seen normal
// Causal: m_t uses rows up to t, the reference rows before or at t. Learns nothing else.

import type { LevelMemberConfig } from './nab-config.js';
import type { NabFeatures } from './nab-features.js';
import type { NabMember } from './nab-member.js';

/** Rows in one block: blockMinutes of the file's step (a day is dayRows rows), at least minRows. */
export function levelBlockRows(dayRows: number, cfg: Pick<LevelMemberConfig, 'blockMinutes' | 'minRows'>): number {
  return Math.max(cfg.minRows, dayRows > 0 ? Math.round((dayRows * cfg.blockMinutes) / 1440) : 0);
}

export function createLevelMember(features: NabFeatures, fitRows: number, cfg: LevelMemberConfig): NabMember {
  const { z, dayRows } = features;
  const k = levelBlockRows(dayRows, cfg);
  const blockMean = (t: number): number => {
    if (t < k - 1) return NaN;
    let s = 0;
    for (let i = t - k + 1; i <= t; i++) s += z[i];
    return s / k;
  };
  let ref = NaN; // the 'ewma' reference
  const daily = new Float64Array(Math.max(1, dayRows)).fill(NaN); // [dayRows] the 'daily' references
  const residual = (t: number): number => {
    const m = blockMean(t);
    if (cfg.reference === 'day') return dayRows > 0 && t - dayRows >= k - 1 ? m - blockMean(t - dayRows) : NaN;
    if (cfg.reference === 'daily') return dayRows > 0 ? m - daily[t % dayRows] : NaN;
    return m - ref;
  };
  const follow = (t: number): void => {
    const m = blockMean(t);
    if (!Number.isFinite(m)) return;
    if (cfg.reference === 'daily') {
      if (dayRows <= 0) return;
      const p = t % dayRows;
      daily[p] = Number.isFinite(daily[p]) ? daily[p] + cfg.rate * (m - daily[p]) : m;
    } else ref = Number.isFinite(ref) ? ref + cfg.rate * (m - ref) : m;
  };
  return {
    fitResiduals() {
      const out = new Float64Array(fitRows);
      for (let t = 0; t < fitRows; t++) {
        out[t] = residual(t);
        follow(t);
      }
      return out;
    },
    residual,
    judged(t, normal) {
      if (normal && cfg.reference !== 'day') follow(t);
    },
  };
}
