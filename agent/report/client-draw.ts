// The report page's drawing code, as browser JavaScript inlined into the HTML (no library, no
// network): canvas set-up at the device pixel ratio, linear and log scales, UTC time ticks, series
// drawn from min/max buckets (each pixel column draws the min-max range of the buckets it holds, so
// a spike survives any zoom level), step lines for thresholds, shaded spans and alert markers.
// Plain ES2017 in a string: it runs in the browser, not in Node, and must not depend on how this
// file was compiled. client-app.ts holds the layout and the interaction; both share one scope.

export const DRAW_JS = String.raw`
var COLORS = {
  signal: '#1f5fa8', score: '#222222', channelScore: '#6a3d9a', warning: '#e69f00', critical: '#d62728',
  label: 'rgba(255,165,0,0.22)', episode: 'rgba(214,39,40,0.09)', learning: 'rgba(120,120,120,0.13)',
  raised: '#d62728', updated: '#e69f00', cleared: '#2ca02c', grid: '#e4e4e4', axis: '#666666', brush: 'rgba(31,95,168,0.18)'
};
var MARGIN = { left: 64, right: 10 };
var STEPS = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 12096e5, 2592e6, 7776e6, 15552e6, 31536e6];

function setupCanvas(canvas, height) {
  var dpr = window.devicePixelRatio || 1;
  var width = Math.max(200, canvas.parentNode.clientWidth);
  canvas.style.width = width + 'px';
  canvas.style.height = height + 'px';
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  var ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx: ctx, width: width, height: height };
}

function xScale(view, left, right) {
  var k = (right - left) / (view[1] - view[0]);
  return function (t) { return left + (t - view[0]) * k; };
}

/** A y scale for [lo, hi] onto [bottom, top], linear or log10 (values <= 0 pinned to the bottom). */
function yScale(lo, hi, top, bottom, log) {
  if (log) {
    var a = Math.log10(lo), b = Math.log10(hi);
    if (!(b > a)) { a -= 1; b += 1; }
    return function (v) { return v > 0 ? bottom - (Math.log10(v) - a) / (b - a) * (bottom - top) : bottom; };
  }
  if (!(hi > lo)) { var pad = Math.abs(lo) * 0.05 || 1; lo -= pad; hi += pad; }
  return function (v) { return bottom - (v - lo) / (hi - lo) * (bottom - top); };
}

function lowerBound(a, x) {
  var lo = 0, hi = a.length;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (a[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** Bucket indices [lo, hi) to draw for the view: the visible ones and one more on each side. */
function visible(m, view) {
  return [Math.max(0, lowerBound(m.time, view[0]) - 1), Math.min(m.time.length, lowerBound(m.time, view[1]) + 1)];
}

/** Min and max of one series over the visible buckets (positive values only when log). */
function extent(m, s, range, log) {
  var mins = m.min[s], maxs = m.max ? m.max[s] : mins, lo = Infinity, hi = -Infinity;
  for (var i = range[0]; i < range[1]; i++) {
    var a = mins[i], b = maxs[i];
    if (a === null) continue;
    if (log) { if (b > 0 && b > hi) hi = b; if (a > 0 && a < lo) lo = a; if (!(a > 0) && b > 0 && b < lo) lo = b; }
    else { if (a < lo) lo = a; if (b > hi) hi = b; }
  }
  return [lo, hi];
}

function logExtent(e, extra) {
  var lo = e[0], hi = e[1];
  for (var i = 0; i < extra.length; i++) if (extra[i] > 0) { lo = Math.min(lo, extra[i]); hi = Math.max(hi, extra[i]); }
  if (!isFinite(lo) || !isFinite(hi)) return [0.1, 10];
  lo = Math.max(lo, hi * 1e-6);
  return [lo / 1.5, hi * 1.5];
}

/** e widened to hold every value of extra. */
function include(e, extra) {
  var lo = e[0], hi = e[1];
  for (var i = 0; i < extra.length; i++) { lo = Math.min(lo, extra[i]); hi = Math.max(hi, extra[i]); }
  return [lo, hi];
}

function linExtent(e) {
  if (!isFinite(e[0]) || !isFinite(e[1])) return [0, 1];
  var pad = (e[1] - e[0]) * 0.06;
  return [e[0] - pad, e[1] + pad];
}

/**
 * Draws series s of machine m; returns the number of path segments drawn. Each pixel column shows
 * the min-max range of the buckets in it; the line breaks at gaps longer than m.gap and at nulls.
 */
function drawSeries(ctx, m, s, view, x, y, color, width) {
  var mins = m.min[s], maxs = m.max ? m.max[s] : mins, t = m.time, range = visible(m, view);
  var segments = 0, pen = false, col = NaN, cmin = 0, cmax = 0, cbreak = false, prevT = -Infinity;
  ctx.beginPath();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  function flush() {
    if (col !== col) return;
    if (cbreak) pen = false;
    var px = col + 0.5;
    if (!pen) { ctx.moveTo(px, y(cmin)); pen = true; } else { ctx.lineTo(px, y(cmin)); segments++; }
    if (cmax !== cmin) { ctx.lineTo(px, y(cmax)); segments++; }
  }
  for (var i = range[0]; i < range[1]; i++) {
    var a = mins[i], b = maxs[i];
    var gap = t[i] - prevT > m.gap;
    prevT = t[i];
    if (a === null) { flush(); col = NaN; pen = false; continue; }
    var c = Math.floor(x(t[i]));
    if (c !== col) { flush(); col = c; cmin = a; cmax = b; cbreak = gap; }
    else { if (a < cmin) cmin = a; if (b > cmax) cmax = b; if (gap) cbreak = true; }
  }
  flush();
  ctx.stroke();
  return segments;
}

/** Horizontal steps of thresholds[k][index] from each change to the next. */
function drawSteps(ctx, steps, index, view, x, y, color, left, right) {
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.2;
  ctx.setLineDash([5, 3]);
  ctx.beginPath();
  for (var k = 0; k < steps.length; k++) {
    var v = steps[k][index];
    if (v === null) continue;
    var a = Math.max(left, x(steps[k][0])), b = Math.min(right, k + 1 < steps.length ? x(steps[k + 1][0]) : right);
    if (b <= left || a >= right) continue;
    ctx.moveTo(a, y(v));
    ctx.lineTo(b, y(v));
  }
  ctx.stroke();
  ctx.restore();
}

/** Filled vertical bands for [start, end] spans (end null: to the right edge), at least 1 px wide. */
function shade(ctx, spans, x, top, bottom, color, left, right) {
  ctx.fillStyle = color;
  for (var i = 0; i < spans.length; i++) {
    var a = Math.max(left, x(spans[i][0])), b = Math.min(right, spans[i][1] === null ? right : x(spans[i][1]));
    if (b < left || a > right) continue;
    ctx.fillRect(a, top, Math.max(1, b - a), bottom - top);
  }
}

function chooseStep(span, pixels) {
  for (var i = 0; i < STEPS.length; i++) if (STEPS[i] / span * pixels >= 110) return STEPS[i];
  return STEPS[STEPS.length - 1] * Math.ceil(span / STEPS[STEPS.length - 1] / (pixels / 110));
}

function pad2(n) { return (n < 10 ? '0' : '') + n; }

function fmtTime(t, step) {
  var d = new Date(t);
  var day = d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
  var hm = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
  if (step >= 864e5) return day;
  if (step < 6e4) return hm + ':' + pad2(d.getUTCSeconds());
  return (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) ? day : hm;
}

function fmtFull(t) {
  return new Date(t).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace('Z', '');
}

function fmtDuration(ms) {
  var a = Math.abs(ms);
  if (a < 6e4) return +(ms / 1e3).toPrecision(3) + ' s';
  if (a < 36e5) return +(ms / 6e4).toPrecision(3) + ' min';
  if (a < 864e5) return +(ms / 36e5).toPrecision(3) + ' h';
  return +(ms / 864e5).toPrecision(3) + ' d';
}

function fmtNum(v) {
  if (v === null || v === undefined || !isFinite(v)) return 'n/a';
  var a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(+v.toPrecision(4));
}

/** Vertical grid lines (and, with labels, time labels under bottom). */
function timeGrid(ctx, view, x, top, bottom, left, right, labels) {
  var step = chooseStep(view[1] - view[0], right - left);
  ctx.save();
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.axis;
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.lineWidth = 1;
  for (var t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
    var px = Math.round(x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px, bottom);
    ctx.stroke();
    if (labels) ctx.fillText(fmtTime(t, step), px, bottom + 3);
  }
  ctx.restore();
}

/** Three value labels on the left axis of a lane (the top one only in a short lane), with faint horizontal lines. */
function valueAxis(ctx, y, lo, hi, log, top, bottom, left, right) {
  ctx.save();
  ctx.font = '10px sans-serif';
  ctx.fillStyle = COLORS.axis;
  ctx.strokeStyle = COLORS.grid;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  var values = bottom - top < 40 ? [hi] : log ? [lo, Math.sqrt(lo * hi), hi] : [lo, (lo + hi) / 2, hi];
  for (var i = 0; i < values.length; i++) {
    var py = Math.round(y(values[i])) + 0.5;
    if (py < top - 1 || py > bottom + 1) continue;
    ctx.beginPath();
    ctx.moveTo(left, py);
    ctx.lineTo(right, py);
    ctx.stroke();
    ctx.fillText(fmtNum(values[i]), left - 4, Math.min(bottom - 5, Math.max(top + 5, py)));
  }
  ctx.restore();
}

/** Alert markers along the top of a lane: raised ▲, updated ●, cleared ▼, coloured by state and severity. */
function alertMarkers(ctx, alerts, x, top, left, right) {
  for (var i = 0; i < alerts.length; i++) {
    var a = alerts[i], px = x(a[0]);
    if (px < left - 6 || px > right + 6) continue;
    ctx.fillStyle = a[1] === 'cleared' ? COLORS.cleared : a[2] === 'critical' ? COLORS.critical : a[1] === 'raised' ? COLORS.raised : COLORS.updated;
    ctx.beginPath();
    if (a[1] === 'raised') { ctx.moveTo(px, top); ctx.lineTo(px - 6, top + 10); ctx.lineTo(px + 6, top + 10); }
    else if (a[1] === 'cleared') { ctx.moveTo(px, top + 10); ctx.lineTo(px - 6, top); ctx.lineTo(px + 6, top); }
    else ctx.arc(px, top + 5, 3, 0, 2 * Math.PI);
    ctx.closePath();
    ctx.fill();
  }
}

/** Thin vertical lines at raised and cleared events (on the channel charts). */
function alertLines(ctx, alerts, x, top, bottom, left, right) {
  ctx.save();
  ctx.setLineDash([3, 3]);
  ctx.lineWidth = 1;
  for (var i = 0; i < alerts.length; i++) {
    var a = alerts[i];
    if (a[1] === 'updated') continue;
    var px = Math.round(x(a[0])) + 0.5;
    if (px < left || px > right) continue;
    ctx.strokeStyle = a[1] === 'raised' ? COLORS.raised : COLORS.cleared;
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px, bottom);
    ctx.stroke();
  }
  ctx.restore();
}
`;
