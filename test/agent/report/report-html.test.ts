import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../../agent/report/report-html.js';
import { replayLog, type ReplayLogResult } from '../../../agent/replay/replay-log.js';
import { FAULT_END, FAULT_START, INTERVAL_MS, makeSimFixture, type SimFixture } from '../replay/sim-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-report-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fx: SimFixture;
let run: ReplayLogResult;
beforeAll(async () => {
  fx = await makeSimFixture(dir);
  run = await replayLog({ data: fx.log, model: fx.model, env: {}, charts: true });
});
const page = (r: ReplayLogResult = run) => renderReportHtml({ report: r.report, charts: r.charts!, config: r.config, notes: r.notes });

describe('the chart data', () => {
  it('holds every scored window per machine while they fit, with the thresholds, the label segment, the alerts and the episodes', () => {
    const charts = run.charts!;
    expect(charts.machines.map((m) => m.id)).toEqual(['pump-01', 'pump-02']);
    const pump = charts.machines[1];
    expect(pump).toMatchObject({ widthMs: 0, max: null, points: run.report.machines['pump-02'].scored, channels: ['vibration', 'current', 'temperature', 'pressure', 'flow'] });
    expect(pump.min).toHaveLength(1 + 2 * 5); // score, 5 channel scores, 5 signals
    expect(pump.t).toHaveLength(pump.points);
    expect(pump.t.slice(1).every((d) => d === INTERVAL_MS)).toBe(true); // times as steps after the first
    expect(pump.thresholds).toHaveLength(1); // the model's calibration, all along
    expect(pump.labels).toEqual([[FAULT_START, FAULT_END]]); // the labelled segment; its last sample covers one period
    expect(pump.alerts.filter((a) => a[1] === 'raised')).toHaveLength(run.report.machines['pump-02'].episodes);
    expect(pump.episodes.map((e) => e[0])).toEqual(run.report.machines['pump-02'].episodeList!.map((e) => Date.parse(e.start!)));
    expect(pump.learning).toEqual([[pump.t[0], pump.t[0] + 9 * INTERVAL_MS]]); // the decider's 10 warm-up windows
    expect(charts.range).toEqual([Date.parse(run.report.log.start!), Date.parse(run.report.log.end!)]);
  });

  it('downsamples into min/max buckets past the point budget', async () => {
    const small = await replayLog({ data: fx.log, model: fx.model, env: {}, charts: 300 });
    const pump = small.charts!.machines[1];
    expect(pump.widthMs).toBeGreaterThan(INTERVAL_MS);
    expect(pump.t.length).toBeLessThanOrEqual(300);
    expect(pump.max).not.toBeNull();
    // The fault's peak score survives the downsampling.
    const peak = (xs: readonly (number | null)[]) => Math.max(...xs.filter((x): x is number => x !== null));
    expect(peak(pump.max![0])).toBe(peak(run.charts!.machines[1].min[0]));
  });
});

describe('renderReportHtml', () => {
  it('is one self-contained page: inline style, script and data; nothing fetched from anywhere', () => {
    const html = page();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|@import|url\(|\bsrc\s*=|\bhref\s*=|https?:\/\//i);
    expect(html.match(/<script\b/g)).toHaveLength(2); // the JSON data block and the code
    expect(html).toMatch(/<script type="application\/json" id="vigil-data">\{/);
    expect(html).toMatch(/<style>/);
  });

  it('is the same bytes for the same replay, and says nothing about when it was made', async () => {
    const again = await replayLog({ data: fx.log, model: fx.model, env: {}, charts: true });
    expect(page(again)).toBe(page());
    // Every date on the page is a date of the log (2024-01-01): no generation time.
    expect(new Set(page().match(/\b\d{4}-\d{2}-\d{2}\b/g))).toEqual(new Set(['2024-01-01']));
  });

  it('shows the metrics as the report counts them, the model and the configuration', () => {
    const html = page();
    const e = run.report.machines['pump-02'].evaluation!;
    const row = html.match(/<tr><td>pump-02<\/td>(.*?)<\/tr>/)![1];
    expect(row).toContain(`<td>${e.samplePrecision!.toFixed(3)}</td><td>${e.sampleRecall!.toFixed(3)}</td><td>${e.sampleF1!.toFixed(3)}</td><td>${e.falseAlarmRate!.toFixed(3)}</td><td>${e.missedAlarmRate!.toFixed(3)}</td>`);
    expect(html).toContain('<tr class="total"><td>total</td>');
    expect(html).toMatch(/<dt>model<\/dt><dd>plant-test 1\.0<\/dd>/);
    expect(html).toMatch(/<dt>channels \(log → model\)<\/dt><dd>vibration, current, temperature, pressure, flow<\/dd>/);
    expect(html).toMatch(/<pre id="config">\{\n {2}&quot;sampling&quot;: \{\n {4}&quot;periodMs&quot;: 10000/);
    expect(html).toMatch(/<dt>FAR \/ MAR<\/dt>/);
    expect(html).toMatch(/id="segments-table"/);
    expect(html).toMatch(/id="episodes-table"/);
  });

  it('escapes what it quotes: a hostile model name stays text, and nothing in the data ends the script', () => {
    const hostile = { ...run.report, model: { ...run.report.model, name: '<img src=x onerror=alert(1)>' } };
    const charts = { ...run.charts!, machines: run.charts!.machines.map((m) => ({ ...m, logChannels: ['</script><script>alert(1)</script>', ...m.logChannels.slice(1)] })) };
    const html = renderReportHtml({ report: hostile, charts, config: run.config, notes: ['<b>note</b>'] });
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain('&lt;b&gt;note&lt;/b&gt;');
  });
});
