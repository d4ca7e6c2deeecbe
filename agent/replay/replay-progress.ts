// Progress of a replay on stderr, measured in event time: how far the replay is between the log's
// first and last timestamp (log-scan.ts finds them before the replay starts).
//   TTY       one line redrawn in place at most every 100 ms of wall time: a bar, the percentage,
//             the event time reached and the replay rate in messages per second
//   not a TTY one line per tenth of the log ("replay: 30% (event time 2024-01-01T01:48:00.000Z)"),
//             so a CI log or a redirected stderr gets a few lines, not a stream of carriage returns
// Wall time is read only to throttle and to show the rate: nothing here reaches an output file.

export interface ProgressSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface Progress {
  start(span: { readonly first: number | undefined; readonly last: number | undefined }): void;
  update(time: number): void;
  /** The last line (and, on a TTY, the newline that ends the bar). */
  done(): void;
}

const BAR = 28;

export function createProgress(out: ProgressSink, now: () => number = () => performance.now()): Progress {
  const tty = out.isTTY === true;
  let first = 0, span = 0, reached = -Infinity, shown = -1, messages = 0;
  let startedAt = 0, drawnAt = -Infinity, enabled = false;

  const fraction = (): number => (span > 0 ? Math.min(1, Math.max(0, (reached - first) / span)) : 1);
  const draw = (): void => {
    const f = fraction();
    const filled = Math.round(f * BAR);
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? `${Math.round(messages / seconds).toLocaleString('en-US')} msg/s` : '';
    const time = Number.isFinite(reached) ? new Date(reached).toISOString().slice(0, 19).replace('T', ' ') : '';
    const line = `replay [${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${(f * 100).toFixed(1).padStart(5)}%  ${time}  ${rate}`;
    const width = out.columns !== undefined && out.columns > 40 ? out.columns - 1 : 100; // a terminal that reports no size gets 100
    out.write(`\r${line.slice(0, width).padEnd(Math.min(line.length + 2, width))}`);
  };
  return {
    start({ first: a, last: b }) {
      enabled = a !== undefined && b !== undefined;
      first = a ?? 0;
      span = b !== undefined && a !== undefined ? b - a : 0;
      startedAt = now();
    },
    update(time) {
      if (!enabled) return;
      messages++;
      if (time > reached) reached = time;
      if (tty) {
        const t = now();
        if (t - drawnAt >= 100) {
          drawnAt = t;
          draw();
        }
        return;
      }
      const tenth = Math.floor(fraction() * 10);
      if (tenth > shown && tenth < 10) {
        for (let k = shown + 1; k <= tenth; k++) if (k > 0) out.write(`replay: ${k * 10}% (event time ${new Date(first + (span * k) / 10).toISOString()})\n`);
        shown = tenth;
      }
    },
    done() {
      if (!enabled) return;
      if (tty) {
        draw();
        out.write('\n');
      } else if (shown < 10) out.write(`replay: 100% (event time ${new Date(reached).toISOString()})\n`);
    },
  };
}
