// The whole flow, one stage per line (DESIGN.md: the data flow is the architecture):
//
//   SensorMessage → Reading → Sample → Window → Score → Alert     scoring.mode 'window'
//                             Sample ─────────→ Score             scoring.mode 'stream'
//
// Each stage is one operator in agent/stages/, named after what it produces. Bad input leaves as
// a dead letter (never an exception); the bounded intake queue sheds under overload; deciding is
// separate from scoring. 'window' runs the model over each machine's last windowSize samples,
// micro-batched across machines; 'stream' advances one stateful LSTM forecaster per machine by
// each sample (one LSTM step per message instead of a window's worth). The same pipe runs live
// (MQTT), on the simulator and on replays of recorded logs, so evaluation tests what runs.

import type { OperatorFunction } from 'rxjs';
import { pipe, tap } from 'rxjs';
import { type ShedOverloadOptions, shedOverload } from './stages/shed-overload.js';
import { type ToAlertsOptions, toAlerts } from './stages/to-alerts.js';
import { type ToReadingsOptions, divertDeadLetters, toReadings } from './stages/to-readings.js';
import { type ToSamplesOptions, toSamples } from './stages/to-samples.js';
import { type ToScoresOptions, toScores } from './stages/to-scores.js';
import { type ToStreamScoresOptions, toStreamScores } from './stages/to-stream-scores.js';
import { type ToWindowsOptions, toWindows } from './stages/to-windows.js';
import type { Alert, DeadLetter, Sample, Score, SensorMessage } from './types.js';

export interface PipelineOptions {
  /** Intake queue; omit for replays that must not shed (they are paced by the reader instead). */
  readonly intake?: ShedOverloadOptions;
  readonly readings: ToReadingsOptions;
  readonly onDeadLetter: (deadLetter: DeadLetter) => void;
  readonly samples: ToSamplesOptions;
  readonly windows: ToWindowsOptions;
  readonly scores: ToScoresOptions;
  /** Given: scoring.mode 'stream', which replaces windows and scores. */
  readonly stream?: ToStreamScoresOptions;
  readonly onScore?: (score: Score) => void;
  readonly alerts: ToAlertsOptions;
}

export function pipeline(o: PipelineOptions): OperatorFunction<SensorMessage, Alert> {
  const scoring: OperatorFunction<Sample, Score> = o.stream ? toStreamScores(o.stream) : pipe(toWindows(o.windows), toScores(o.scores));
  return (messages) =>
    (o.intake ? messages.pipe(shedOverload(o.intake)) : messages).pipe(
      toReadings(o.readings),
      divertDeadLetters(o.onDeadLetter),
      toSamples(o.samples),
      scoring,
      tap((score) => o.onScore?.(score)),
      toAlerts(o.alerts),
    );
}
