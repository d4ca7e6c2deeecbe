// What `vigil demo` prints on stdout, for a person: the header, one line per alert event, a live
// summary, the final line. Pure string functions; colour only when the caller says the output is a
// terminal (and NO_COLOR is unset), so piped output and tests see plain text.

import type { AlertMessage, MachinePhase } from './alert-watcher.js';

export interface Style {
  readonly color: boolean;
}

/** Colour for a terminal that wants it: stdout is a TTY and NO_COLOR is not set (no-color.org). */
export function styleFor(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  return { color: out.isTTY === true && !env.NO_COLOR };
}

const paint = (code: string) => (s: Style, text: string): string => (s.color ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
const red = paint('31');
const yellow = paint('33');
const green = paint('32');

/** 3 significant digits, without exponent for the scores an alert carries. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** m:ss, or h:mm:ss past an hour. */
export function clock(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

const hhmmss = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
};

/** Seconds for people: 1 s, 0.1 s, 2.5 s. */
export function secs(ms: number): string {
  return `${Number((ms / 1000).toPrecision(3))} s`;
}

/** Channels with at least this share of the score are named (the payload lists the top three). */
const MIN_SHARE = 0.05;

/**
 * `[1:22] 14:02:31  RAISED   pump-03  warning   score 3.42 > warning threshold 1.97  top: pressure 58%, flow 27%`:
 * the time since the demo started (as in the summaries), the event time of the window, the event.
 */
export function formatAlert(a: AlertMessage, startedAt: number, s: Style): string {
  const label = a.state.toUpperCase().padEnd(7);
  const state = a.state === 'cleared' ? green(s, label) : a.severity === 'critical' ? red(s, label) : yellow(s, label);
  const severity = a.state === 'cleared' ? ''.padEnd(8) : a.severity.padEnd(8);
  // A cleared event carries the clear level (the score has fallen below it), the others their severity's threshold.
  // A periodic update may come while the score sits between the two thresholds: say which side it is on.
  const vs = a.score >= a.threshold ? '>' : '<';
  const score = a.state === 'cleared' ? `score ${num(a.score)} ${vs} clear level ${num(a.threshold)}` : `score ${num(a.score)} ${vs} ${a.severity} threshold ${num(a.threshold)}`;
  const named = a.topChannels.filter((c, i) => i === 0 || c.share === undefined || c.share >= MIN_SHARE);
  const top = named.map((c) => (c.share === undefined ? c.channel : `${c.channel} ${Math.round(c.share * 100)}%`)).join(', ');
  const since = Number.isNaN(Date.parse(a.time)) ? '' : `${dim(s, `[${clock(Date.parse(a.time) - startedAt)}]`)} `;
  return `${since}${hhmmss(a.time)}  ${state}  ${bold(s, a.machineId)}  ${severity}  ${score}${top && a.state !== 'cleared' ? `  top: ${top}` : ''}`;
}

export interface DemoTotals {
  readonly messages: number;
  readonly windows: number;
  readonly raised: number;
  readonly updated: number;
  readonly cleared: number;
  readonly learningSteps: number;
}

export interface DemoSummary extends DemoTotals {
  readonly uptimeMs: number;
  readonly messagesPerSecond: number;
  readonly machines: readonly string[];
  readonly phases: ReadonlyMap<string, MachinePhase>;
}

/** Machines by phase; a machine whose first state has not arrived yet is still learning (filling its first window). */
export function phaseCounts(machines: readonly string[], phases: ReadonlyMap<string, MachinePhase>): { normal: number; alerting: number; learning: number } {
  const out = { normal: 0, alerting: 0, learning: 0 };
  for (const m of machines) {
    const p = phases.get(m) ?? 'learning';
    out[p === 'cooldown' ? 'normal' : p]++;
  }
  return out;
}

/** `[1:40] 25 msg/s | 412 windows scored | machines: 3 normal, 1 alerting, 1 learning | alerts: 1 raised, 0 updated, 0 cleared | learning steps: 4` */
export function formatSummary(x: DemoSummary, s: Style): string {
  const p = phaseCounts(x.machines, x.phases);
  const alerting = p.alerting > 0 ? red(s, `${p.alerting} alerting`) : `${p.alerting} alerting`;
  return dim(s, `[${clock(x.uptimeMs)}]`) +
    ` ${count(x.messagesPerSecond)} msg/s | ${count(x.windows)} windows scored | machines: ${p.normal} normal, ${alerting}, ${p.learning} learning` +
    ` | alerts: ${count(x.raised)} raised, ${count(x.updated)} updated, ${count(x.cleared)} cleared | learning steps: ${count(x.learningSteps)}`;
}

/** The last line: what the run did and what it left behind. */
export function formatFinal(x: DemoTotals & { uptimeMs: number; undelivered: number; stateDir: string }, s: Style): string {
  const left = x.undelivered === 0 ? 'every alert delivered' : `${count(x.undelivered)} alert events not yet delivered (kept in the outbox)`;
  return `${bold(s, `Stopped after ${clock(x.uptimeMs)}`)}: ${count(x.messages)} messages, ${count(x.windows)} windows scored, ` +
    `alerts ${count(x.raised)} raised / ${count(x.updated)} updated / ${count(x.cleared)} cleared, ${count(x.learningSteps)} online-learning steps; ` +
    `${left}; state saved in ${x.stateDir}.`;
}
