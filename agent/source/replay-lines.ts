// What one line of a replay file turns into, shared by the CSV and JSONL readers.
//   skip     a header or blank line
//   bad      the line cannot be replayed: counted and reported with its line number, never thrown
//   row      one machine's channel values at one event time (CSV), encoded per the chosen layout
//   message  one ready-made SensorMessage (JSONL), its payload passed on byte for byte

export type BadLineReason =
  | 'column-count'
  | 'bad-timestamp'
  | 'non-numeric'
  | 'no-values'
  | 'missing-machine'
  | 'malformed-json'
  | 'missing-topic';

export type LineResult =
  | { readonly kind: 'skip' }
  | { readonly kind: 'bad'; readonly reason: BadLineReason; readonly detail: string }
  | {
      readonly kind: 'row';
      readonly machineId: string;
      readonly time: number;
      readonly values: Readonly<Record<string, number>>;
      readonly labels: Readonly<Record<string, number>> | undefined;
    }
  | {
      readonly kind: 'message';
      readonly topic: string;
      readonly payload: Buffer;
      /** Event time for pacing and labels; undefined when the line carries none. */
      readonly time: number | undefined;
      readonly labels: Readonly<Record<string, number>> | undefined;
    };

/** Parses one line (1-based number, for messages). Throws only for a file that cannot be replayed at all. */
export type LineParser = (text: string, line: number) => LineResult;

export const bad = (reason: BadLineReason, detail: string): LineResult => ({ kind: 'bad', reason, detail });
export const SKIP: LineResult = { kind: 'skip' };
