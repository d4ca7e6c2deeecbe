// NAB scoring, faithful to numenta/NAB's current code (sweeper.py, optimizer.py, runner.py): the
// whole API other code should need. Most callers want scoreCorpus:
//
//   const result = scoreCorpus({ files, windows });            // thresholds optimised per profile
//   result.profiles.standard.normalized                          // the scoreboard number
//   scoreCorpus({ files, windows, thresholds: { standard: 0.5, reward_low_FP_rate: 0.6, reward_low_FN_rate: 0.5 } })
//
// files: [{ relPath: 'realKnownCause/nyc_taxi.csv', timestamps: [...as in the data file], scores: Float64Array }]
// windows: labels/combined_windows.json as parsed (keys = exactly the files' relPaths).
// The pieces (sweepFile, calcScoreByThreshold, ...) are exported for tests and for per-row weights.

export { checkNabCorpus, type NabFileInput, type NabWindows } from './check-corpus.js';
export { NabInputError } from './errors.js';
export { optimizeThreshold, poolRows } from './optimize-threshold.js';
export { NAB_PROFILES, type NabProfile, type NabProfiles, parseNabProfiles } from './profiles.js';
export { MAX_TP, scaledSigmoid, sigmoid } from './scaled-sigmoid.js';
export {
  type NabCorpusInput, type NabCorpusScore, type NabFileScore, type NabProfileScore, normalizeScore, scoreCorpus,
} from './score-corpus.js';
export {
  type FileSweep, type NabWindow, OUTSIDE, PROBATIONARY, PROBATION_PERCENT, type RowGeometry, locateRows, probationaryLength, sweepFile, weighRows,
} from './sweep-file.js';
export {
  START_THRESHOLD, type SweptRows, type ThresholdScore, bestThresholdScore, calcScoreByThreshold, scoreAtThreshold, scoredOrder,
} from './threshold-scores.js';
export { nabTimestampKey } from './timestamp-key.js';
