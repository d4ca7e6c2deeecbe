// shedOverload: the one queue between the network and the pipeline, bounded. Messages arriving
// while the pipeline is busy wait here; it drains in chunks, yielding to the event loop between
// chunks so timers, acknowledgements, health checks and alert delivery keep running under load.
// When `capacity` messages are waiting, further ones are shed (counted, reported), so memory
// stays bounded however fast sensors publish. Shedding drops the newest message: what is already
// queued keeps its order, and a machine's window restarts after the gap rather than mixing eras.

import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

export interface ShedOverloadOptions {
  readonly capacity: number;
  /** Messages handed on per turn of the event loop. Default 1024. */
  readonly chunk?: number;
  readonly onShed?: () => void;
  /** Schedules the next drain. Default setImmediate (after pending I/O). */
  readonly schedule?: (drain: () => void) => void;
}

export function shedOverload<T>(options: ShedOverloadOptions): MonoTypeOperatorFunction<T> {
  const chunk = options.chunk ?? 1024;
  const schedule = options.schedule ?? ((f: () => void) => setImmediate(f));
  return (source) =>
    new Observable<T>((subscriber) => {
      // A ring of capacity slots: push and shift in O(1) with no reallocation.
      const ring = new Array<T | undefined>(options.capacity);
      let head = 0;
      let size = 0;
      let scheduled = false;
      let completed = false;

      const drain = (): void => {
        scheduled = false;
        let n = 0;
        while (size > 0 && n < chunk && !subscriber.closed) {
          const item = ring[head] as T;
          ring[head] = undefined;
          head = (head + 1) % ring.length;
          size--;
          n++;
          subscriber.next(item);
        }
        if (size > 0) {
          scheduled = true;
          schedule(drain);
        } else if (completed) subscriber.complete();
      };

      const sub = source.subscribe({
        next: (item) => {
          if (size === ring.length) {
            options.onShed?.();
            return;
          }
          ring[(head + size) % ring.length] = item;
          size++;
          if (!scheduled) {
            scheduled = true;
            schedule(drain);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          completed = true;
          if (size === 0) subscriber.complete();
        },
      });
      return () => sub.unsubscribe();
    });
}
