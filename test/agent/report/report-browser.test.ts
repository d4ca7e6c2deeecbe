// The HTML report in a real browser: headless Chromium (Debian's `chromium`) opens the file from a
// file:// URL with the network off-limits, and the test checks what a person would see: no console
// errors, nothing fetched, every chart drawn, and the shared time axis zooming and panning with the
// wheel, a drag, the overview and a double-click. Screenshots go to __screenshots__/ (gitignored).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../../agent/report/report-html.js';
import { replayLog } from '../../../agent/replay/replay-log.js';
import { FAULT_END, FAULT_START, makeSimFixture } from '../replay/sim-fixture.js';
import { type Browser, CHROMIUM_MISSING, type Page, openChromium } from './chromium.js';

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '__screenshots__');
const dir = mkdtempSync(join(tmpdir(), 'vigil-report-browser-'));
let browser: Browser | null = null;
let full: string;
let bucketed: string;

beforeAll(async () => {
  const fx = await makeSimFixture(dir);
  for (const [name, charts] of [['report.html', true], ['bucketed.html', 300]] as const) {
    const r = await replayLog({ data: fx.log, model: fx.model, env: {}, charts });
    writeFileSync(join(dir, name), renderReportHtml({ report: r.report, charts: r.charts!, config: r.config, notes: r.notes }));
  }
  full = join(dir, 'report.html');
  bucketed = join(dir, 'bucketed.html');
  if (CHROMIUM_MISSING === null) browser = await openChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Loaded {
  readonly page: Page;
  /** Console errors, uncaught exceptions and error log entries so far. */
  errors(): string[];
  /** Every URL the page requested. */
  requests(): string[];
}

async function load(path: string): Promise<Loaded> {
  const page = await browser!.newPage(1400, 900);
  const loaded = page.next('Page.loadEventFired');
  await page.send('Page.navigate', { url: pathToFileURL(path).href });
  await loaded;
  await until(page, "document.body.getAttribute('data-ready') === '1'");
  return {
    page,
    errors: () => page.events.flatMap((e) => {
      const p = e.params as Record<string, any>;
      if (e.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) return [`console.${p.type}: ${JSON.stringify(p.args)}`];
      if (e.method === 'Runtime.exceptionThrown') return [`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`];
      if (e.method === 'Log.entryAdded' && p.entry.level === 'error') return [`log: ${p.entry.text} ${p.entry.url ?? ''}`];
      return [];
    }),
    requests: () => page.events.filter((e) => e.method === 'Network.requestWillBeSent').map((e) => (e.params as { request: { url: string } }).request.url),
  };
}

/** Evaluates `expression` until it is truthy (after the next frames), and returns its value. */
async function until<T>(page: Page, expression: string): Promise<T> {
  for (;;) {
    const v = await page.evaluate<T>(`new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(${expression}))))`);
    if (v) return v;
  }
}

/**
 * Per canvas: the segments drawChart reports, and the pixels of its plot area that carry ink: dark
 * (the score line, #222; the overview's grey) or coloured (the signal's blue, a channel score's
 * purple; thresholds and alert markers too). Shading, grid and background are pale, so neither.
 */
const INK = `Array.from(document.querySelectorAll('canvas')).map((c) => {
  const ctx = c.getContext('2d');
  const w = c.width, h = c.height;
  const [top, bottom] = c.id === 'overview' ? [5, h - 17] : [20, h - 22];
  const img = ctx.getImageData(65, top, w - 76, bottom - top).data;
  let dark = 0, colour = 0;
  for (let i = 0; i < img.length; i += 4) {
    const [r, g, b, a] = [img[i], img[i + 1], img[i + 2], img[i + 3]];
    if (a === 0) continue; // nothing painted here
    if (Math.max(r, g, b) - Math.min(r, g, b) > 70) colour++;
    else if (r + g + b < 450) dark++;
  }
  return { id: c.id, dark, colour, segments: Number(c.getAttribute('data-segments') ?? -1) };
})`;

interface Ink {
  readonly id: string;
  readonly dark: number;
  readonly colour: number;
  readonly segments: number;
}

/** The overview and the score charts carry their dark line, the channel charts their coloured signal and score. */
function expectDrawn(ink: readonly Ink[], pixels: number): void {
  for (const c of ink) expect(c.id === 'overview' || c.id.endsWith('-score') ? c.dark : c.colour, c.id).toBeGreaterThan(pixels);
}

const view = (p: Page) => p.evaluate<[number, number]>('window.vigilReport.view()');

/** The centre of an element, scrolled to the middle of the viewport (clear of the sticky toolbar). */
async function centre(p: Page, selector: string): Promise<{ x: number; y: number; width: number }> {
  return p.evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); el.scrollIntoView({ block: 'center' });
    const r = el.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2, width: r.width }; })()`);
}

const mouse = (p: Page, type: string, x: number, y: number, extra: Record<string, unknown> = {}) =>
  p.send('Input.dispatchMouseEvent', { type, x, y, button: 'left', buttons: type === 'mouseReleased' ? 0 : 1, clickCount: 1, ...extra });

/** The whole page from the top, or (viewport) what is on screen now. */
async function screenshot(p: Page, name: string, what: 'page' | 'viewport' = 'page'): Promise<void> {
  if (what === 'page') await p.evaluate('window.scrollTo(0, 0)');
  const shot = await p.send<{ data: string }>('Page.captureScreenshot', { format: 'png', captureBeyondViewport: what === 'page' });
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, name), Buffer.from(shot.data, 'base64'));
}

describe('the HTML report in headless Chromium', () => {
  it('opens from file:// with no console error and no request but itself, and every chart draws', async (ctx) => {
    ctx.skip(CHROMIUM_MISSING !== null, CHROMIUM_MISSING ?? '');
    const { page, errors, requests } = await load(full);
    const charts = await page.evaluate<{ id: string; machine: string; kind: string; channel: string | null }[]>('window.vigilReport.charts()');
    expect(charts.map((c) => c.id)).toEqual(['chart-0-score', ...[0, 1, 2, 3, 4].map((c) => `chart-0-${c}`), 'chart-1-score', ...[0, 1, 2, 3, 4].map((c) => `chart-1-${c}`)]);
    expect(charts.filter((c) => c.kind === 'channel').map((c) => c.channel)).toEqual(['vibration', 'current', 'temperature', 'pressure', 'flow', 'vibration', 'current', 'temperature', 'pressure', 'flow']);
    const ink = await page.evaluate<Ink[]>(INK);
    expect(ink.map((c) => c.id)).toEqual(['overview', ...charts.map((c) => c.id)]);
    expectDrawn(ink, 1000);
    for (const c of ink.slice(1)) expect(c.segments, c.id).toBeGreaterThan(2000); // ~2150 windows per machine, drawn as a line
    expect(await page.evaluate('document.getElementById("view-range").textContent')).toBe('2024-01-01 00:00:00 → 2024-01-01 05:59:50 UTC (6 h)');
    await screenshot(page, 'replay-report.png');
    expect(errors()).toEqual([]);
    expect(requests()).toEqual([pathToFileURL(full).href]);
  });

  it('zooms with the wheel around the pointer, pans with a drag, selects on the overview, and resets on a double-click', async (ctx) => {
    ctx.skip(CHROMIUM_MISSING !== null, CHROMIUM_MISSING ?? '');
    const { page, errors } = await load(full);
    const whole = await view(page);
    const frames = await page.evaluate<number>('window.vigilReport.frames()');

    // Wheel on pump-02's score chart, at its middle: the range narrows around that time.
    const at = await centre(page, '#chart-1-score');
    await page.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: at.x, y: at.y, deltaX: 0, deltaY: -400 });
    await until(page, `window.vigilReport.frames() > ${frames}`);
    const zoomed = await view(page);
    expect(zoomed[1] - zoomed[0]).toBeLessThan((whole[1] - whole[0]) * 0.7);
    expect(zoomed[0]).toBeGreaterThan(whole[0]);
    expect(zoomed[1]).toBeLessThan(whole[1]);
    expect(await page.evaluate('document.getElementById("view-range").textContent')).not.toContain('(6 h)');

    // Drag to the right: the view moves to earlier times, keeping its width.
    await mouse(page, 'mousePressed', at.x, at.y);
    await mouse(page, 'mouseMoved', at.x + 150, at.y);
    await mouse(page, 'mouseReleased', at.x + 150, at.y);
    const panned = await until<[number, number]>(page, `window.vigilReport.view()[0] < ${zoomed[0]} && window.vigilReport.view()`);
    expect(panned[1] - panned[0]).toBeCloseTo(zoomed[1] - zoomed[0], 3);

    // Double-click: the whole log again.
    const s = await centre(page, '#chart-1-2');
    await mouse(page, 'mousePressed', s.x, s.y, { clickCount: 1 });
    await mouse(page, 'mouseReleased', s.x, s.y, { clickCount: 1 });
    await mouse(page, 'mousePressed', s.x, s.y, { clickCount: 2 });
    await mouse(page, 'mouseReleased', s.x, s.y, { clickCount: 2 });
    expect(await until(page, `window.vigilReport.view()[1] - window.vigilReport.view()[0] === ${whole[1] - whole[0]} && window.vigilReport.view()`)).toEqual(whole);

    // Select the fault on the overview, ten minutes either side: the charts show that hour.
    const o = await centre(page, '#overview');
    const left = o.x - o.width / 2 + 64, span = o.width - 74;
    const xOf = (t: number) => left + ((t - whole[0]) / (whole[1] - whole[0])) * span;
    await mouse(page, 'mousePressed', xOf(FAULT_START - 600_000), o.y);
    await mouse(page, 'mouseMoved', xOf(FAULT_END + 600_000), o.y);
    await mouse(page, 'mouseReleased', xOf(FAULT_END + 600_000), o.y);
    const selected = await until<[number, number]>(page, `window.vigilReport.view()[1] - window.vigilReport.view()[0] < ${whole[1] - whole[0]} && window.vigilReport.view()`);
    const pixel = (whole[1] - whole[0]) / span; // one overview pixel of time
    expect(Math.abs(selected[0] - (FAULT_START - 600_000))).toBeLessThan(2 * pixel);
    expect(Math.abs(selected[1] - (FAULT_END + 600_000))).toBeLessThan(2 * pixel);
    expectDrawn(await page.evaluate<Ink[]>(INK), 500); // still drawn, from fewer points
    await page.evaluate("document.querySelector('#machine-1').scrollIntoView({ block: 'start' }); window.scrollBy(0, -130)");
    await screenshot(page, 'replay-report-fault.png', 'viewport');
    expect(errors()).toEqual([]);
  });

  it('draws a downsampled report (min/max buckets) just as well', async (ctx) => {
    ctx.skip(CHROMIUM_MISSING !== null, CHROMIUM_MISSING ?? '');
    const { page, errors } = await load(bucketed);
    const ink = await page.evaluate<Ink[]>(INK);
    expectDrawn(ink, 500);
    for (const c of ink.slice(1)) expect(c.segments, c.id).toBeGreaterThan(250); // ~300 buckets per machine
    expect(await page.evaluate('document.querySelector("#machine-1 .note").textContent')).toMatch(/scored samples drawn as min\/max buckets of/);
    expect(errors()).toEqual([]);
  });
});
