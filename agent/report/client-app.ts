// The report page's application code, as browser JavaScript inlined into the HTML after DRAW_JS:
// it reads the chart data (the JSON block #vigil-data), builds one score chart per machine and one
// chart per channel (the signal above, that channel's score below), an overview strip with the
// visible range as a brush, and one shared time axis for all of them:
//   wheel       zoom around the pointer        drag          pan
//   double-click / Reset   the whole log        overview      drag to select a range, drag inside the brush to move it
//   + / −       zoom around the centre          log scale     scores on a log or linear axis
// Hovering a chart shows the nearest point of that machine. window.vigilReport exposes the view and
// what was drawn, for tests and for people at the console.

export const APP_JS = String.raw`
var data = JSON.parse(document.getElementById('vigil-data').textContent);
var full = [data.range[0], data.range[1]];
if (!(full[1] > full[0])) full = [full[0] - data.periodMs, full[0] + data.periodMs];
var MIN_SPAN = Math.max(1000, 5 * data.periodMs);
var view = full.slice();
var logScale = true;
var hover = null;
var charts = [];
var frames = 0;
var pending = false;

data.machines.forEach(function (m, k) {
  m.index = k;
  m.time = new Array(m.t.length);
  var acc = 0;
  for (var i = 0; i < m.t.length; i++) { acc = i === 0 ? m.t[0] : acc + m.t[i]; m.time[i] = acc; }
  m.gap = 3 * Math.max(data.periodMs, m.widthMs) + 1;
  var C = m.channels.length;
  var host = document.querySelector('#machine-' + k + ' .charts');
  charts.push(makeChart(host, m, 'score', -1, 170));
  for (var c = 0; c < C; c++) charts.push(makeChart(host, m, 'channel', c, 120));
});

function makeChart(host, m, kind, c, height) {
  var wrap = document.createElement('div');
  wrap.className = 'chart';
  var canvas = document.createElement('canvas');
  canvas.id = 'chart-' + m.index + '-' + (kind === 'score' ? 'score' : c);
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', kind === 'score' ? m.id + ': anomaly score and thresholds' : m.id + ': ' + m.logChannels[c] + ' signal and channel score');
  wrap.appendChild(canvas);
  host.appendChild(wrap);
  var chart = { canvas: canvas, machine: m, kind: kind, channel: c, height: height, segments: 0 };
  attach(chart);
  return chart;
}

function drawChart(chart) {
  var m = chart.machine, C = m.channels.length;
  var g = setupCanvas(chart.canvas, chart.height), ctx = g.ctx;
  var left = MARGIN.left, right = g.width - MARGIN.right;
  var x = xScale(view, left, right);
  var range = visible(m, view);
  var top = 18, bottom = chart.kind === 'score' ? g.height - 20 : g.height - 6;
  var segments = 0, title, lanes = [];
  if (chart.kind === 'score') {
    var th = [];
    m.thresholds.forEach(function (s) { if (s[1] !== null) th.push(s[1]); if (s[2] !== null) th.push(s[2]); });
    var e0 = extent(m, 0, range, logScale);
    var e = logScale ? logExtent(e0, th) : linExtent(include(e0, th));
    lanes.push({ s: 0, y: yScale(e[0], e[1], top + 12, bottom, logScale), e: e, log: logScale, top: top + 12, bottom: bottom, color: COLORS.score, width: 1.2 });
    title = m.id + ': ' + (data.judged === 'likelihood' ? 'anomaly likelihood, NAB log score' : 'anomaly score') + ' (' + (logScale ? 'log' : 'linear') + ') with warning and critical thresholds';
  } else {
    var split = top + Math.round((bottom - top) * 0.64);
    var se = linExtent(extent(m, 1 + C + chart.channel, range, false));
    lanes.push({ s: 1 + C + chart.channel, y: yScale(se[0], se[1], top + 4, split - 4, false), e: se, log: false, top: top + 4, bottom: split - 4, color: COLORS.signal, width: 1.1 });
    var ce = logScale ? logExtent(extent(m, 1 + chart.channel, range, true), []) : linExtent(extent(m, 1 + chart.channel, range, false));
    lanes.push({ s: 1 + chart.channel, y: yScale(ce[0], ce[1], split + 3, bottom - 2, logScale), e: ce, log: logScale, top: split + 3, bottom: bottom - 2, color: COLORS.channelScore, width: 1, band: split });
    var name = m.logChannels[chart.channel], model = m.channels[chart.channel];
    title = m.id + ': ' + name + (name !== model ? ' (model channel ' + model + ')' : '') + ' — signal, and its channel score below';
  }
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(left, top, right - left, bottom - top);
  lanes.forEach(function (l) {
    if (l.band === undefined) return;
    ctx.fillStyle = '#f7f5fb';
    ctx.fillRect(left, l.band, right - left, bottom - l.band);
    ctx.fillStyle = COLORS.channelScore;
    ctx.font = '10px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText('score', 4, bottom - 2);
  });
  timeGrid(ctx, view, x, top, bottom, left, right, chart.kind === 'score');
  shade(ctx, m.labels, x, top, bottom, COLORS.label, left, right);
  shade(ctx, m.episodes, x, top, bottom, COLORS.episode, left, right);
  lanes.forEach(function (l) { valueAxis(ctx, l.y, l.e[0], l.e[1], l.log, l.top, l.bottom, left, right); });
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, right - left, bottom - top);
  ctx.clip();
  if (chart.kind === 'score') shade(ctx, m.learning, x, top, bottom, COLORS.learning, left, right);
  lanes.forEach(function (l) { segments += drawSeries(ctx, m, l.s, view, x, l.y, l.color, l.width); });
  if (chart.kind === 'score') {
    drawSteps(ctx, m.thresholds, 1, view, x, lanes[0].y, COLORS.warning, left, right);
    drawSteps(ctx, m.thresholds, 2, view, x, lanes[0].y, COLORS.critical, left, right);
    alertMarkers(ctx, m.alerts, x, top + 1, left, right);
  } else {
    alertLines(ctx, m.alerts, x, top, bottom, left, right);
  }
  if (hover !== null && hover.machine === m.index) {
    ctx.strokeStyle = 'rgba(0,0,0,0.45)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(Math.round(x(hover.t)) + 0.5, top);
    ctx.lineTo(Math.round(x(hover.t)) + 0.5, bottom);
    ctx.stroke();
  }
  ctx.restore();
  ctx.strokeStyle = '#bbbbbb';
  ctx.strokeRect(left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
  ctx.fillStyle = '#333333';
  ctx.font = '12px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(title, left, 2);
  chart.segments = segments;
  chart.canvas.setAttribute('data-segments', String(segments));
}

function drawOverview() {
  var canvas = document.getElementById('overview');
  var g = setupCanvas(canvas, 54), ctx = g.ctx;
  var left = MARGIN.left, right = g.width - MARGIN.right, top = 4, bottom = g.height - 16;
  var x = xScale(full, left, right);
  ctx.fillStyle = '#fbfbfb';
  ctx.fillRect(left, top, right - left, bottom - top);
  timeGrid(ctx, full, x, top, bottom, left, right, true);
  data.machines.forEach(function (m) {
    shade(ctx, m.labels, x, top, bottom, COLORS.label, left, right);
    var e = logExtent(extent(m, 0, [0, m.time.length], true), []);
    drawSeries(ctx, m, 0, full, x, yScale(e[0], e[1], top + 2, bottom - 2, true), 'rgba(34,34,34,0.55)', 1);
  });
  ctx.fillStyle = COLORS.brush;
  var a = x(view[0]), b = x(view[1]);
  ctx.fillRect(a, top, Math.max(2, b - a), bottom - top);
  ctx.strokeStyle = '#1f5fa8';
  ctx.strokeRect(a + 0.5, top + 0.5, Math.max(2, b - a) - 1, bottom - top - 1);
  ctx.fillStyle = '#333333';
  ctx.font = '11px sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText('whole log', left - 6, (top + bottom) / 2);
  canvas.overview = { x: x, left: left, right: right };
}

function drawAll() {
  pending = false;
  frames++;
  drawOverview();
  charts.forEach(drawChart);
  document.getElementById('view-range').textContent = fmtFull(view[0]) + ' → ' + fmtFull(view[1]) + ' UTC (' + fmtDuration(view[1] - view[0]) + ')';
  readout();
}

function schedule() {
  if (pending) return;
  pending = true;
  (window.requestAnimationFrame || function (f) { return setTimeout(f, 16); })(drawAll);
}

function setView(a, b) {
  var span = Math.max(MIN_SPAN, Math.min(b - a, full[1] - full[0]));
  if (a < full[0]) a = full[0];
  if (a + span > full[1]) a = full[1] - span;
  view = [a, a + span];
  schedule();
}

function zoom(factor, at) {
  var a = at - (at - view[0]) * factor, b = at + (view[1] - at) * factor;
  setView(a, Math.max(b, a + MIN_SPAN));
}

function timeAt(chart, clientX) {
  var r = chart.canvas.getBoundingClientRect();
  var left = MARGIN.left, right = r.width - MARGIN.right;
  return view[0] + (clientX - r.left - left) / (right - left) * (view[1] - view[0]);
}

function attach(chart) {
  var c = chart.canvas, drag = null;
  c.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    zoom(Math.pow(1.0015, Math.max(-300, Math.min(300, ev.deltaY))), timeAt(chart, ev.clientX));
  }, { passive: false });
  c.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, view: view.slice() }; ev.preventDefault(); });
  window.addEventListener('mouseup', function () { drag = null; });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var r = c.getBoundingClientRect(), w = r.width - MARGIN.left - MARGIN.right;
    var dt = (ev.clientX - drag.x) / w * (drag.view[1] - drag.view[0]);
    setView(drag.view[0] - dt, drag.view[1] - dt);
  });
  c.addEventListener('mousemove', function (ev) {
    if (drag) return;
    hover = { machine: chart.machine.index, t: timeAt(chart, ev.clientX) };
    schedule();
  });
  c.addEventListener('mouseleave', function () { hover = null; schedule(); });
  c.addEventListener('dblclick', function () { setView(full[0], full[1]); });
}

function attachOverview() {
  var c = document.getElementById('overview'), drag = null;
  function timeOf(ev) {
    var o = c.overview, r = c.getBoundingClientRect();
    return full[0] + (ev.clientX - r.left - o.left) / (o.right - o.left) * (full[1] - full[0]);
  }
  c.addEventListener('mousedown', function (ev) {
    var t = timeOf(ev);
    // Inside the brush a drag moves it; elsewhere, or when it spans the whole log (nothing to move), a drag selects.
    var movable = view[1] - view[0] < full[1] - full[0];
    drag = movable && t >= view[0] && t <= view[1] ? { move: true, t: t, view: view.slice() } : { move: false, t: t };
    ev.preventDefault();
  });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    var t = timeOf(ev);
    if (drag.move) setView(drag.view[0] + t - drag.t, drag.view[1] + t - drag.t);
    else if (Math.abs(t - drag.t) > 0) setView(Math.min(t, drag.t), Math.max(t, drag.t));
  });
  window.addEventListener('mouseup', function (ev) {
    if (drag && !drag.move && timeOf(ev) === drag.t) { var half = (view[1] - view[0]) / 2; setView(drag.t - half, drag.t + half); }
    drag = null;
  });
}

/** The hovered machine's nearest point, in words. */
function readout() {
  data.machines.forEach(function (m) {
    var el = document.querySelector('#machine-' + m.index + ' .readout');
    if (!hover || hover.machine !== m.index || m.time.length === 0) { el.textContent = 'Hover a chart for values; wheel to zoom, drag to pan, double-click to see the whole log.'; return; }
    var i = Math.min(m.time.length - 1, Math.max(0, lowerBound(m.time, hover.t)));
    if (i > 0 && hover.t - m.time[i - 1] < m.time[i] - hover.t) i--;
    var C = m.channels.length;
    var pick = function (s) { var a = m.min[s][i], b = m.max ? m.max[s][i] : a; return a === b ? fmtNum(a) : fmtNum(a) + '…' + fmtNum(b); };
    var th = null;
    for (var k = 0; k < m.thresholds.length && m.thresholds[k][0] <= m.time[i]; k++) th = m.thresholds[k];
    var parts = [fmtFull(m.time[i]) + (m.widthMs ? ' (bucket of ' + fmtDuration(m.widthMs) + ')' : ''), 'score ' + pick(0)];
    if (th) parts.push('warning ' + fmtNum(th[1]) + ', critical ' + fmtNum(th[2]));
    for (var c = 0; c < C; c++) parts.push(m.logChannels[c] + ' ' + pick(1 + C + c));
    el.textContent = parts.join(' · ');
  });
}

document.getElementById('zoom-in').addEventListener('click', function () { zoom(0.5, (view[0] + view[1]) / 2); });
document.getElementById('zoom-out').addEventListener('click', function () { zoom(2, (view[0] + view[1]) / 2); });
document.getElementById('zoom-reset').addEventListener('click', function () { setView(full[0], full[1]); });
document.getElementById('log-scale').addEventListener('change', function (ev) { logScale = ev.target.checked; schedule(); });
window.addEventListener('resize', schedule);
attachOverview();
drawAll();

window.vigilReport = {
  view: function () { return view.slice(); },
  full: function () { return full.slice(); },
  setView: function (a, b) { setView(a, b); drawAll(); return view.slice(); },
  frames: function () { return frames; },
  charts: function () {
    return charts.map(function (c) { return { id: c.canvas.id, machine: c.machine.id, kind: c.kind, channel: c.channel < 0 ? null : c.machine.logChannels[c.channel], segments: c.segments }; });
  }
};
document.body.setAttribute('data-ready', '1');
`;
