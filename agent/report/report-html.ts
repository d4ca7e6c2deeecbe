// The replay report as one self-contained HTML file: inline CSS, inline JavaScript (client-draw.ts,
// client-app.ts: canvas charts written for this page, no library) and the chart data as a JSON
// block, so it opens from disk with no network, mails as one attachment and archives as one file.
// The page, top to bottom: the log and model in one line; a sticky toolbar (zoom buttons, log scale,
// the visible range, a legend) over an overview of the whole log; per machine a score chart (score,
// warning and critical thresholds, learning spans, alert markers) and a chart per channel (signal,
// and that channel's score); the metrics (evaluation, NAB, detection delay per segment, episodes,
// definitions); the model, the settings and the configuration used. Labelled spans and episodes are
// shaded on every chart of their machine.
// Byte-identical for identical inputs: no generation time, no random ids; every number on the page
// comes from the replay.

import { DEFINITIONS, EVALUATION_METHOD, type Evaluation } from '../replay/evaluate-episodes.js';
import type { NabResult } from '../replay/nab-score.js';
import type { MachineReport, ReplayReport } from '../replay/replay-report.js';
import { formatDuration } from '../replay/replay-settings.js';
import { APP_JS } from './client-app.js';
import { DRAW_JS } from './client-draw.js';
import type { ChartData } from './report-data.js';
import { REPORT_CSS } from './report-style.js';

export interface ReportPage {
  readonly report: ReplayReport;
  readonly charts: ChartData;
  /** The configuration sections the replay ran with, as shown on the page. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Derived settings and warnings (the summary's notes). */
  readonly notes: readonly string[];
}

/** Rows listed per table before "… and N more". */
const MAX_ROWS = 200;

export function renderReportHtml(page: ReportPage): string {
  const { report: r, charts } = page;
  const logName = r.log.path.split(/[\\/]/).pop() ?? r.log.path;
  const [from, to] = charts.range;
  const machines = charts.machines.map((m, k) => `<section class="machine" id="machine-${k}"><h2>${esc(m.id)}</h2><div class="readout"></div><div class="charts"></div>${m.widthMs ? `<p class="note">${m.points} scored samples drawn as min/max buckets of ${esc(formatDuration(m.widthMs))}.</p>` : ''}</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigil replay — ${esc(logName)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Vigil replay — ${esc(logName)}</h1>
<p class="sub">Log <code>${esc(r.log.path)}</code>: ${r.log.rows} rows${r.log.badLines ? `, ${r.log.badLines} bad lines` : ''}, ${esc(iso(from))} → ${esc(iso(to))} UTC (${esc(formatDuration(to - from))}). Model <b>${esc(r.model.name)} ${esc(r.model.version)}</b> (${esc(r.model.architecture)}, window ${r.model.windowSize}). ${r.total.episodes} episode${r.total.episodes === 1 ? '' : 's'} on ${r.total.machines} machine${r.total.machines === 1 ? '' : 's'}.</p>
<noscript><p><b>The charts need JavaScript; the tables below do not.</b></p></noscript>
</header>
<div class="toolbar">
<div class="row">
<button type="button" id="zoom-out" title="Zoom out">−</button><button type="button" id="zoom-in" title="Zoom in">+</button><button type="button" id="zoom-reset" title="The whole log">Reset</button>
<label><input type="checkbox" id="log-scale" checked> scores on a log axis</label>
<span id="view-range"></span>
</div>
<div class="row legend">${legend()}</div>
<div class="overview"><canvas id="overview" aria-label="the whole log: score and labelled spans, with the visible range"></canvas></div>
</div>
<main>
${machines}
${metricsSection(r)}
${modelSection(page)}
</main>
<footer>vigil replay · ${esc(r.schema)} · a function of the log, the model and the configuration only: replaying them again gives this file byte for byte.</footer>
<script type="application/json" id="vigil-data">${jsonForScript(charts)}</script>
<script>
(function () {
'use strict';
${DRAW_JS}
${APP_JS}
})();
</script>
</body>
</html>
`;
}

function legend(): string {
  const item = (style: string, text: string): string => `<span><i style="${style}"></i>${text}</span>`;
  return [
    item('background:#1f5fa8;height:3px', 'signal'),
    item('background:#222;height:3px', 'anomaly score'),
    item('background:#6a3d9a;height:3px', 'channel score'),
    item('border-top:2px dashed #e69f00;height:0', 'warning threshold'),
    item('border-top:2px dashed #d62728;height:0', 'critical threshold'),
    item('background:rgba(255,165,0,0.35)', 'labelled anomaly'),
    item('background:rgba(214,39,40,0.18)', 'alert episode'),
    item('background:rgba(120,120,120,0.25)', 'decider learning'),
    '<span style="color:#d62728">▲ raised</span>',
    '<span style="color:#e69f00">● updated</span>',
    '<span style="color:#2ca02c">▼ cleared</span>',
  ].join('');
}

function metricsSection(r: ReplayReport): string {
  const parts: string[] = ['<section id="metrics"><h2>Metrics</h2>'];
  const rows = Object.entries(r.machines);
  if (r.total.evaluation) {
    const source = r.labels?.kind === 'windows' ? `label windows from <code>${esc(r.labels.file)}</code>${r.labels.key ? ` (entry <code>${esc(r.labels.key)}</code>)` : ''}` : "the log's anomaly label column";
    parts.push(`<p class="note">Against ${source}; ${esc(EVALUATION_METHOD)}, sample level unless said otherwise. Detection tolerance ${esc(formatDuration(r.settings.detectionToleranceMs))}.</p>`);
    parts.push('<table id="metrics-table"><thead><tr><th>machine</th><th>samples</th><th>anomalous</th><th>precision</th><th>recall</th><th>F1</th><th>FAR</th><th>MAR</th><th>segments detected</th><th>median delay</th><th>false alarms</th><th>false alarms / day</th><th>episodes</th></tr></thead><tbody>');
    for (const [id, m] of rows) if (m.evaluation) parts.push(evaluationRow(esc(id), m.evaluation, m.episodes, ''));
    parts.push(evaluationRow('total', r.total.evaluation, r.total.episodes, ' class="total"'), '</tbody></table>');
  } else {
    parts.push('<p class="note">The log has no anomaly labels (give a label column, or --labels with windows), so there is nothing to score against: below are the episodes only.</p>');
    parts.push('<table id="metrics-table"><thead><tr><th>machine</th><th>scored</th><th>episodes</th><th>raised</th><th>updated</th><th>cleared</th></tr></thead><tbody>');
    for (const [id, m] of [...rows, ['total', r.total] as const]) {
      parts.push(`<tr${id === 'total' ? ' class="total"' : ''}><td>${esc(id)}</td><td>${m.scored}</td><td>${m.episodes}</td><td>${m.alertEvents.raised}</td><td>${m.alertEvents.updated}</td><td>${m.alertEvents.cleared}</td></tr>`);
    }
    parts.push('</tbody></table>');
  }
  if (r.nab) parts.push(nabSection(r.nab));
  if (r.total.evaluation) parts.push(segmentSection(rows));
  parts.push(episodeSection(rows));
  parts.push('<h3>Definitions</h3><dl class="defs">', ...Object.entries(DEFINITIONS).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`), '</dl></section>');
  return parts.join('\n');
}

function evaluationRow(name: string, e: Evaluation, episodes: number, cls: string): string {
  const cells = [
    e.labelledSamples, e.anomalousSamples, f3(e.samplePrecision), f3(e.sampleRecall), f3(e.sampleF1), f3(e.falseAlarmRate), f3(e.missedAlarmRate),
    `${e.segmentsDetected} / ${e.segments}`, e.detectionDelayMs.median === null ? 'n/a' : esc(formatDuration(e.detectionDelayMs.median)),
    e.falseAlarmEpisodes, e.falseAlarmsPerDay === null ? 'n/a' : e.falseAlarmsPerDay.toFixed(2), episodes,
  ];
  return `<tr${cls}><td>${name}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function nabSection(nab: NabResult): string {
  const out = ['<h3>NAB score</h3>', `<p class="note">${esc(nab.method)}; normalised: 100 = perfect, 0 = the null detector. ${esc(nab.mapping)}.</p>`];
  if (!nab.rules) return [...out, `<p class="note">Not scored: ${esc(nab.error ?? 'no rows')}</p>`].join('\n');
  const profiles = Object.keys(nab.rules.alerts);
  out.push(`<table id="nab-table"><thead><tr><th>detections</th>${profiles.map((p) => `<th>${esc(p)}</th>`).join('')}</tr></thead><tbody>`);
  const label = { alerts: 'raised alerts', warning: 'score ≥ warning', optimized: 'NAB-optimised threshold' } as const;
  for (const rule of ['alerts', 'warning', 'optimized'] as const) {
    const cells = profiles.map((p) => {
      const s = nab.rules![rule][p];
      const v = s.normalized === null ? 'n/a' : s.normalized.toFixed(2);
      return `<td title="raw ${s.raw.toFixed(3)}, threshold ${s.threshold}, TP ${s.tp}, FP ${s.fp}, FN ${s.fn}">${v}${rule === 'optimized' ? ` <span class="note">(t=${+s.threshold.toPrecision(4)})</span>` : ''}</td>`;
    });
    out.push(`<tr><td>${label[rule]}</td>${cells.join('')}</tr>`);
  }
  out.push('</tbody></table>');
  return out.join('\n');
}

function segmentSection(rows: readonly [string, MachineReport][]): string {
  const out = ['<h3>Detection delay per labelled segment</h3>', '<table id="segments-table"><thead><tr><th>machine</th><th>start</th><th>end</th><th>samples</th><th>detected</th><th>delay</th><th>episode</th></tr></thead><tbody>'];
  let n = 0, more = 0;
  for (const [id, m] of rows) {
    for (const s of (m.evaluation?.segmentList ?? []) as { start: string; end: string; samples: number; detected: boolean; episodeId: string | null; delayMs: number | null }[]) {
      if (n++ >= MAX_ROWS) { more++; continue; }
      out.push(`<tr><td>${esc(id)}</td><td>${esc(s.start)}</td><td>${esc(s.end)}</td><td>${s.samples}</td><td>${s.detected ? 'yes' : 'no'}</td><td>${s.delayMs === null ? '—' : esc(formatDuration(s.delayMs))}</td><td>${esc(s.episodeId ?? '—')}</td></tr>`);
    }
  }
  if (n === 0) out.push('<tr><td colspan="7">no labelled anomalous segments</td></tr>');
  out.push('</tbody></table>');
  if (more) out.push(`<p class="note">… and ${more} more (metrics.json lists them all).</p>`);
  return out.join('\n');
}

function episodeSection(rows: readonly [string, MachineReport][]): string {
  const out = ['<h3>Alert episodes</h3>', '<table id="episodes-table"><thead><tr><th>machine</th><th>episode</th><th>raised</th><th>cleared</th><th>severity</th><th>peak score</th></tr></thead><tbody>'];
  let n = 0, more = 0;
  for (const [id, m] of rows) {
    for (const e of m.episodeList ?? []) {
      if (n++ >= MAX_ROWS) { more++; continue; }
      out.push(`<tr><td>${esc(id)}</td><td>${esc(e.id)}</td><td>${esc(e.start ?? '')}</td><td>${e.end === null ? 'open at the end' : esc(e.end)}</td><td>${esc(e.severity)}</td><td>${esc(String(+e.peakScore.toPrecision(4)))}</td></tr>`);
    }
  }
  if (n === 0) out.push('<tr><td colspan="6">no episodes: Vigil would have stayed silent</td></tr>');
  out.push('</tbody></table>');
  if (more) out.push(`<p class="note">… and ${more} more (alerts.jsonl has every event).</p>`);
  return out.join('\n');
}

function modelSection(page: ReportPage): string {
  const { model: m, settings: s } = page.report;
  const channels = m.channels.map((ch, i) => (m.logChannels[i] === ch ? ch : `${m.logChannels[i]} → ${ch}`)).join(', ');
  const dl = (items: [string, string][]): string => `<dl>${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
  return [
    '<section id="model"><h2>Model and configuration</h2>',
    dl([
      ['model', `${esc(m.name)} ${esc(m.version)}`], ['file', `<code>${esc(m.path)}</code>`], ['architecture', esc(m.architecture)],
      ['channels (log → model)', esc(channels)], ['window', `${m.windowSize} samples (${esc(formatDuration(m.windowSize * s.periodMs))})`],
      ['config', `<code>${esc(s.config)}</code>`],
      ['sampling period', `${esc(formatDuration(s.periodMs))} (${s.periodSource === 'log' ? "the log's median step" : 'configured'})`],
      ['scoring', esc(s.scoringMode)], ['online learning', esc(s.learning)],
    ]),
    page.notes.length ? `<ul class="note">${page.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '',
    '<h3>Configuration used</h3>',
    `<pre id="config">${esc(JSON.stringify(page.config, null, 2))}</pre></section>`,
  ].join('\n');
}

function f3(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(3);
}

function iso(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace('Z', '');
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside <script>: no "</script>", no line separators that end a JS string. */
function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
