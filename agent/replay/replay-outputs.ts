// Where a replay's outputs go, opened before the replay and closed after it:
//   --out DIR        DIR/alerts.jsonl (one vigil.alert/1 payload per line), DIR/scores.csv
//                    (scores-csv.ts) and, after the run, DIR/metrics.json (the vigil.replay-report/1
//                    document: metrics, evaluation, NAB score, counters). DIR is created if missing,
//                    once the model and the log have passed their checks.
//   --out FILE.jsonl the alerts only, to that file (as before --out took a directory)
//   neither          the alerts to stdout
//   --report F.html  the HTML report (agent/report/); --report F.json the JSON report document
// Streams are written as the replay goes (memory stays flat); an error writing any of them rejects
// close(). Paths are checked before anything runs, so a typo costs no replay.

import { constants, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { UsageError } from '../commands/errors.js';
import { alertPayload } from '../sink/alert-sink.js';
import type { Alert } from '../types.js';
import type { Judged, ScoredRow } from './decision-trace.js';
import type { ReplayReport } from './replay-report.js';
import { scoresCsvHeader, scoresCsvLine } from './scores-csv.js';

export const OUT_FILES = { alerts: 'alerts.jsonl', scores: 'scores.csv', metrics: 'metrics.json' } as const;

export interface OutputPlan {
  /** --out as a directory, or null. */
  readonly dir: string | null;
  /** --out DIR does not exist yet: openOutputs makes it. */
  readonly createDir: boolean;
  /** Where the alerts go: a file path, or null for stdout. */
  readonly alerts: string | null;
  readonly report: { readonly path: string; readonly kind: 'html' | 'json' } | null;
}

/** Reads --out and --report, checks the places are writable, and creates --out DIR. */
export async function planOutputs(out: string | undefined, report: string | undefined): Promise<OutputPlan> {
  let dir: string | null = null;
  let createDir = false;
  let alerts: string | null = null;
  if (out !== undefined) {
    if (['.jsonl', '.ndjson'].includes(extname(out).toLowerCase())) {
      await writable('--out', dirname(out), out);
      alerts = out;
    } else {
      const existing = await stat(out).catch(() => null);
      if (existing && !existing.isDirectory()) throw new UsageError(`--out ${out}: a file, not a directory; give a directory for alerts.jsonl, scores.csv and metrics.json (or a .jsonl file for the alerts alone)`);
      if (existing) await writable('--out', out, out);
      else await writable('--out', dirname(out), out);
      createDir = !existing;
      dir = out;
      alerts = join(out, OUT_FILES.alerts);
    }
  }
  let plan: OutputPlan['report'] = null;
  if (report !== undefined) {
    const ext = extname(report).toLowerCase();
    const kind = ext === '.html' || ext === '.htm' ? 'html' : ext === '.json' ? 'json' : null;
    if (kind === null) throw new UsageError(`--report ${report}: name an .html file (the HTML report) or a .json file (the JSON report)`);
    await writable('--report', dirname(report), report);
    plan = { path: report, kind };
  }
  return { dir, createDir, alerts, report: plan };
}

async function writable(flag: string, dir: string, path: string): Promise<void> {
  await access(dir, constants.W_OK).catch(() => {
    throw new UsageError(`${flag} ${path}: the directory ${dir} does not exist or is not writable`);
  });
}

export interface OpenOutputs {
  readonly onAlert: (alert: Alert) => void;
  /** Set when scores.csv is written. */
  readonly onScored: ((row: ScoredRow) => void) | undefined;
  /** Ends the streams; rejects if any write failed. */
  close(): Promise<void>;
  /** Writes metrics.json when --out is a directory. */
  writeMetrics(report: ReplayReport): Promise<string | null>;
}

export function openOutputs(plan: OutputPlan, channels: readonly string[], judged: Judged = 'score'): OpenOutputs {
  if (plan.dir !== null && plan.createDir) mkdirSync(plan.dir, { recursive: true });
  const files: WriteStream[] = [];
  const open = (path: string): WriteStream => {
    const s = createWriteStream(path, { encoding: 'utf8' });
    files.push(s);
    return s;
  };
  const alerts: WriteStream | NodeJS.WriteStream = plan.alerts === null ? process.stdout : open(plan.alerts);
  const scores = plan.dir === null ? null : open(join(plan.dir, OUT_FILES.scores));
  const failures = files.map((s) => new Promise<never>((_, reject) => s.once('error', reject)));
  for (const f of failures) f.catch(() => undefined);
  let buffered: string[] = [];
  const flushScores = (): void => {
    if (scores && buffered.length) scores.write(`${buffered.join('\n')}\n`);
    buffered = [];
  };
  if (scores) scores.write(`${scoresCsvHeader(channels, judged)}\n`);
  return {
    onAlert: (alert) => void alerts.write(`${alertPayload(alert)}\n`),
    onScored: scores
      ? (row) => {
          buffered.push(scoresCsvLine(row, channels, judged));
          if (buffered.length >= 2048) flushScores();
        }
      : undefined,
    async close() {
      flushScores();
      await Promise.race([Promise.all(files.map((s) => new Promise<void>((r) => s.end(() => r())))), ...failures]);
    },
    async writeMetrics(report) {
      if (plan.dir === null) return null;
      const path = join(plan.dir, OUT_FILES.metrics);
      await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
      return path;
    },
  };
}
