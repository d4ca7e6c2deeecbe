// emitting: the shape of every stateful stage. `create` runs once per subscription and returns
// a step function that may emit zero, one or several outputs per input, synchronously, with no
// per-message Observable allocation (the hot path runs at tens of thousands of messages a second).

import { Observable, type OperatorFunction } from 'rxjs';

export function emitting<I, O>(create: () => (value: I, emit: (out: O) => void) => void): OperatorFunction<I, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      const step = create();
      const emit = (out: O): void => subscriber.next(out);
      return source.subscribe({
        next: (value) => step(value, emit),
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
