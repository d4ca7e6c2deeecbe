import { describe, expect, it } from 'vitest';
import { episodesFrom, evaluateMachine, totalEvaluation, type Episode } from '../../../agent/replay/evaluate-episodes.js';
import type { LabelTrack } from '../../../agent/replay/run-replay.js';
import type { Alert } from '../../../agent/types.js';

const model = { name: 'm', version: '1.0' };
let seq = 0;
function alert(id: string, state: Alert['state'], time: number, startedAt: number, severity: Alert['severity'] = 'warning', score = 1, machineId = 'p1'): Alert {
  return { id, machineId, state, severity, score, threshold: 0.5, topChannels: [], time, receivedAt: time, startedAt, model, seq: ++seq };
}

/** Rows every 10 ms from `from` to `to` inclusive, anomalous inside the given [start, end] ranges. */
function track(from: number, to: number, anomalous: [number, number][]): LabelTrack {
  const times: number[] = [];
  const flags: boolean[] = [];
  for (let t = from; t <= to; t += 10) {
    times.push(t);
    flags.push(anomalous.some(([a, b]) => t >= a && t <= b));
  }
  return { times, anomalous: flags };
}

const ep = (id: string, start: number, end: number | null): Episode => ({ id, machineId: 'p1', start, end, severity: 'warning', peakScore: 1 });

describe('episodesFrom', () => {
  it('folds raised → updated → cleared into one episode per id, keeping the highest severity and the peak score', () => {
    const byMachine = episodesFrom([
      alert('a', 'raised', 100, 100, 'warning', 2),
      alert('b', 'raised', 105, 105, 'warning', 1, 'p2'),
      alert('a', 'updated', 110, 100, 'critical', 9),
      alert('a', 'updated', 120, 100, 'warning', 3),
      alert('a', 'cleared', 150, 100, 'warning', 0.1),
      alert('c', 'raised', 300, 300, 'warning', 4),
    ]);
    expect(byMachine.get('p1')).toEqual([
      { id: 'a', machineId: 'p1', start: 100, end: 150, severity: 'critical', peakScore: 9 },
      { id: 'c', machineId: 'p1', start: 300, end: null, severity: 'warning', peakScore: 4 },
    ]);
    expect(byMachine.get('p2')).toEqual([{ id: 'b', machineId: 'p2', start: 105, end: null, severity: 'warning', peakScore: 1 }]);
  });
});

describe('evaluateMachine (vigil-episode-overlap/1)', () => {
  it('an overlapping episode detects the segment; delay = raise − segment start; samples count as open in [raised, cleared)', () => {
    // Segment 100..200 (11 rows); the episode is open 150 ≤ t < 260.
    const e = evaluateMachine([ep('a', 150, 260)], track(0, 400, [[100, 200]]), 0);
    expect(e.segmentList).toEqual([{ start: 100, end: 200, samples: 11, detected: true, episodeId: 'a', delayMs: 50 }]);
    expect(e.sampleCounts).toEqual({ tp: 6, fp: 5, fn: 5, tn: 41 - 16 });
    expect(e.samplePrecision).toBeCloseTo(6 / 11);
    expect(e.sampleRecall).toBeCloseTo(6 / 11);
    expect(e.sampleF1).toBeCloseTo(6 / 11);
    expect(e).toMatchObject({ labelledSamples: 41, anomalousSamples: 11, segments: 1, segmentsDetected: 1, falseAlarmEpisodes: 0, detectionDelayMs: { mean: 50, median: 50, min: 50, max: 50 } });
  });

  it('an episode that detects no segment is a false alarm; one never cleared stays open to the end', () => {
    const e = evaluateMachine([ep('a', 150, 260), ep('late', 350, null)], track(0, 400, [[100, 200]]), 0);
    expect(e.falseAlarms).toEqual(['late']);
    expect(e.falseAlarmEpisodes).toBe(1);
    expect(e.sampleCounts.fp).toBe(5 + 6); // 210..250 and 350..400
  });

  it('a short segment counts as detected by an episode starting within the tolerance after its start, and only then', () => {
    const labels = track(0, 400, [[300, 300]]);
    const caught = evaluateMachine([ep('x', 320, 380)], labels, 30);
    expect(caught.segmentList[0]).toMatchObject({ detected: true, episodeId: 'x', delayMs: 20 });
    expect(caught.falseAlarmEpisodes).toBe(0);
    const missed = evaluateMachine([ep('x', 320, 380)], labels, 10);
    expect(missed.segmentList[0]).toMatchObject({ detected: false, episodeId: null, delayMs: null });
    expect(missed.falseAlarms).toEqual(['x']);
    expect(missed.detectionDelayMs).toEqual({ mean: null, median: null, min: null, max: null });
  });

  it('an episode already open when the segment starts detects it with a negative delay; the earliest detecting episode counts', () => {
    const e = evaluateMachine([ep('early', 80, 120), ep('again', 170, 210)], track(0, 300, [[100, 200]]), 0);
    expect(e.segmentList[0]).toMatchObject({ detected: true, episodeId: 'early', delayMs: -20 });
    expect(e.falseAlarmEpisodes).toBe(0);
  });

  it('separate anomalous runs are separate segments; a machine without labels or episodes has undefined precision and recall', () => {
    const e = evaluateMachine([ep('a', 30, 60)], track(0, 200, [[20, 40], [100, 120]]), 0);
    expect(e.segmentList.map((s) => [s.start, s.end, s.detected])).toEqual([[20, 40, true], [100, 120, false]]);
    const empty = evaluateMachine([], { times: [], anomalous: [] }, 0);
    expect(empty).toMatchObject({ segments: 0, samplePrecision: null, sampleRecall: null, sampleF1: null, falseAlarmEpisodes: 0 });
    const healthy = evaluateMachine([], track(0, 100, []), 0);
    expect(healthy).toMatchObject({ samplePrecision: null, sampleRecall: null, sampleCounts: { tp: 0, fp: 0, fn: 0, tn: 11 } });
  });

  it('FAR = FP/(FP+TN), MAR = FN/(FN+TP), days = the labelled span, false alarms per day = false alarm episodes / days', () => {
    // Rows every 10 ms over 0..400 (41), anomalous 100..200 (11); 'a' open 150 ≤ t < 260, 'late' from 350 to the end.
    const e = evaluateMachine([ep('a', 150, 260), ep('late', 350, null)], track(0, 400, [[100, 200]]), 0);
    expect(e.sampleCounts).toEqual({ tp: 6, fp: 11, fn: 5, tn: 19 });
    expect(e.falseAlarmRate).toBeCloseTo(11 / 30, 12);
    expect(e.missedAlarmRate).toBeCloseTo(5 / 11, 12);
    expect(e.labelledDays).toBe(400 / 86_400_000);
    expect(e.falseAlarmsPerDay).toBeCloseTo(1 / (400 / 86_400_000), 6);
    // Nothing to divide by: no normal samples, no anomalous samples, a span of 0.
    const allAnomalous = evaluateMachine([], track(0, 50, [[0, 50]]), 0);
    expect(allAnomalous).toMatchObject({ falseAlarmRate: null, missedAlarmRate: 1 });
    const healthy = evaluateMachine([], track(0, 50, []), 0);
    expect(healthy).toMatchObject({ falseAlarmRate: 0, missedAlarmRate: null });
    expect(evaluateMachine([], { times: [5], anomalous: [false] }, 0)).toMatchObject({ labelledDays: 0, falseAlarmsPerDay: null });
  });

  it('rows out of time order are evaluated in time order', () => {
    const t = track(0, 200, [[100, 150]]);
    const shuffled: LabelTrack = { times: [...t.times].reverse(), anomalous: [...t.anomalous].reverse() };
    expect(evaluateMachine([ep('a', 120, 170)], shuffled, 0)).toEqual(evaluateMachine([ep('a', 120, 170)], t, 0));
  });
});

describe('totalEvaluation', () => {
  it('sums counts, pools delays and recomputes P/R/F1 from the summed sample counts', () => {
    const a = evaluateMachine([ep('a', 150, 260)], track(0, 400, [[100, 200]]), 0);
    const b = evaluateMachine([ep('b', 110, 130), ep('c', 500, 510)], track(0, 600, [[100, 140]]), 0);
    const t = totalEvaluation([a, b]);
    const tp = a.sampleCounts.tp + b.sampleCounts.tp;
    const fp = a.sampleCounts.fp + b.sampleCounts.fp;
    const fn = a.sampleCounts.fn + b.sampleCounts.fn;
    expect(t).toMatchObject({ segments: 2, segmentsDetected: 2, falseAlarmEpisodes: 1, labelledSamples: a.labelledSamples + b.labelledSamples });
    expect(t.samplePrecision).toBeCloseTo(tp / (tp + fp));
    expect(t.sampleRecall).toBeCloseTo(tp / (tp + fn));
    expect(t.detectionDelayMs).toEqual({ mean: 30, median: 30, min: 10, max: 50 });
    const tn = a.sampleCounts.tn + b.sampleCounts.tn;
    expect(t.falseAlarmRate).toBeCloseTo(fp / (fp + tn), 12);
    expect(t.missedAlarmRate).toBeCloseTo(fn / (fn + tp), 12);
    // Machine-days add up: 400 ms + 600 ms of labelled span, one false alarm episode over both.
    expect(t.labelledDays).toBeCloseTo(1000 / 86_400_000, 15);
    expect(t.falseAlarmsPerDay).toBeCloseTo(86_400_000 / 1000, 6);
  });
});
