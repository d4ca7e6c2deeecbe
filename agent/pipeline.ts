// The whole flow, one stage per line (DESIGN.md: the data flow is the architecture):
//
//   SensorMessage → Reading → Sample → Window → Score → Alert
//
// Each stage is one operator in agent/stages/, named after what it produces. Bad input leaves as
// a dead letter (never an exception); the bounded intake queue sheds under overload; scores are
// micro-batched across machines; deciding is separate from scoring. The same pipe runs live
// (MQTT), on the simulator and on replays of recorded logs, so evaluation tests what runs.

import type { OperatorFunction } from 'rxjs';
import { tap } from 'rxjs';
import { type ShedOverloadOptions, shedOverload } from './stages/shed-overload.js';
import { type ToAlertsOptions, toAlerts } from './stages/to-alerts.js';
import { type ToReadingsOptions, divertDeadLetters, toReadings } from './stages/to-readings.js';
import { type ToSamplesOptions, toSamples } from './stages/to-samples.js';
import { type ToScoresOptions, toScores } from './stages/to-scores.js';
import { type ToWindowsOptions, toWindows } from './stages/to-windows.js';
import type { Alert, DeadLetter, Score, SensorMessage } from './types.js';

export interface PipelineOptions {
  /** Intake queue; omit for replays that must not shed (they are paced by the reader instead). */
  readonly intake?: ShedOverloadOptions;
  readonly readings: ToReadingsOptions;
  readonly onDeadLetter: (deadLetter: DeadLetter) => void;
  readonly samples: ToSamplesOptions;
  readonly windows: ToWindowsOptions;
  readonly scores: ToScoresOptions;
  readonly onScore?: (score: Score) => void;
  readonly alerts: ToAlertsOptions;
}

export function pipeline(o: PipelineOptions): OperatorFunction<SensorMessage, Alert> {
  return (messages) =>
    (o.intake ? messages.pipe(shedOverload(o.intake)) : messages).pipe(
      toReadings(o.readings),
      divertDeadLetters(o.onDeadLetter),
      toSamples(o.samples),
      toWindows(o.windows),
      toScores(o.scores),
      tap((score) => o.onScore?.(score)),
      toAlerts(o.alerts),
    );
}
