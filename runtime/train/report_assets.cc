#include "runtime/train/report_assets.h"

namespace rft::train {

const char kReportStyle[] = R"css(
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
        --up: #1a7f37; --down: #cf222e; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --bg: #0d1117; --panel: #161b22;
          --up: #3fb950; --down: #f85149; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; color: var(--fg); background: var(--bg);
       font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 4px; }
section.alarms { margin: 16px 0; padding: 4px 16px; border: 1px solid var(--down); border-left-width: 6px;
                 background: var(--panel); }
section.alarms h2 { border: 0; margin: 8px 0 0; color: var(--down); }
code, pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.job { color: var(--muted); margin: 0; }
.job code { color: var(--fg); }
.empty { color: var(--muted); }
#charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; }
figure.chart-box { margin: 0; padding: 12px; background: var(--panel); border: 1px solid var(--line);
                   border-radius: 6px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart text { fill: var(--muted); font-size: 11px; }
svg.chart text.axis-label { fill: var(--fg); font-size: 12px; }
svg.chart text.legend-label { fill: var(--fg); font-size: 12px; }
svg.chart .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
svg.chart .point { stroke: var(--panel); stroke-width: 1; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--panel); }
table.evals td.num { text-align: right; font-variant-numeric: tabular-nums; }
.change { font-size: 12px; margin-left: 6px; }
.change.up { color: var(--up); }
.change.down { color: var(--down); }
table.samples { width: 100%; table-layout: fixed; }
table.samples pre { white-space: pre-wrap; word-break: break-word; margin: 0; }
table.samples .score { color: var(--muted); font-size: 12px; }
pre.hyperparameters { background: var(--panel); border: 1px solid var(--line); padding: 12px;
                      border-radius: 6px; overflow-x: auto; }
#errors { color: var(--down); white-space: pre-wrap; }
#errors:empty { display: none; }
)css";

const char kReportScript[] = R"js(
(function () {
  'use strict';
  var errors = document.getElementById('errors');
  function reportError(message) { errors.textContent += message + '\n'; }
  window.addEventListener('error', function (e) { reportError('error: ' + e.message); });

  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = { train: '#2f6fdb', eval: '#e2620f' };
  var EXTRA = ['#1a9850', '#8e44ad', '#c0392b', '#7f8c8d'];
  var W = 640, H = 300, LEFT = 60, RIGHT = 16, TOP = 30, BOTTOM = 42;

  function svg(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(name, attrs, content, parent) {
    var e = svg(name, attrs, parent);
    e.textContent = content;
    return e;
  }

  // Ticks at 1, 2 or 5 times a power of ten, about `count` of them over [lo, hi].
  function tickStep(lo, hi, count) {
    var raw = (hi - lo) / count;
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var f = raw / magnitude;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * magnitude;
  }
  function ticks(lo, hi, step) {
    var out = [];
    for (var i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; ++i) out.push(i * step);
    return out;
  }
  function formatTick(v) {
    var a = Math.abs(v);
    if (a < 1e-12) return '0';
    if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
    return String(Number(v.toPrecision(4)));
  }
  function range(values) {
    var lo = Infinity, hi = -Infinity;
    values.forEach(function (v) { if (v < lo) lo = v; if (v > hi) hi = v; });
    if (lo === hi) { var pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1; lo -= pad; hi += pad; }
    return [lo, hi];
  }

  function drawChart(chart, parent) {
    var series = chart.series.filter(function (s) { return s.points.length > 0; });
    if (series.length === 0) throw new Error('no points');
    var xs = [], ys = [];
    series.forEach(function (s) {
      s.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); });
    });
    var xr = range(xs), yr = range(ys);
    var xStep = tickStep(xr[0], xr[1], 6), yStep = tickStep(yr[0], yr[1], 5);
    if (Number.isInteger(xr[0]) && Number.isInteger(xr[1])) xStep = Math.max(1, Math.round(xStep));
    var y0 = Math.floor(yr[0] / yStep) * yStep, y1 = Math.ceil(yr[1] / yStep) * yStep;
    var x0 = xr[0], x1 = xr[1];
    function px(x) { return LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT); }
    function py(y) { return H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM); }

    var figure = document.createElement('figure');
    figure.className = 'chart-box';
    figure.id = 'chart-' + chart.id;
    var title = document.createElement('h3');
    title.textContent = chart.title;
    figure.appendChild(title);
    var root = svg('svg', { 'class': 'chart', 'data-series': chart.id, viewBox: '0 0 ' + W + ' ' + H,
                            role: 'img', 'aria-label': chart.title }, figure);

    ticks(y0, y1, yStep).forEach(function (v) {
      svg('line', { 'class': 'grid', x1: LEFT, x2: W - RIGHT, y1: py(v), y2: py(v) }, root);
      text('text', { 'class': 'tick tick-y', x: LEFT - 6, y: py(v) + 4, 'text-anchor': 'end' },
           formatTick(v), root);
    });
    ticks(x0, x1, xStep).forEach(function (v) {
      svg('line', { 'class': 'axis tick-mark', x1: px(v), x2: px(v), y1: H - BOTTOM, y2: H - BOTTOM + 4 }, root);
      text('text', { 'class': 'tick tick-x', x: px(v), y: H - BOTTOM + 16, 'text-anchor': 'middle' },
           formatTick(v), root);
    });
    svg('line', { 'class': 'axis axis-x', x1: LEFT, x2: W - RIGHT, y1: H - BOTTOM, y2: H - BOTTOM }, root);
    svg('line', { 'class': 'axis axis-y', x1: LEFT, x2: LEFT, y1: TOP, y2: H - BOTTOM }, root);
    text('text', { 'class': 'axis-label', x: (LEFT + W - RIGHT) / 2, y: H - 6, 'text-anchor': 'middle' },
         chart.x_label || 'step', root);
    text('text', { 'class': 'axis-label', x: 14, y: (TOP + H - BOTTOM) / 2, 'text-anchor': 'middle',
                   transform: 'rotate(-90 14 ' + (TOP + H - BOTTOM) / 2 + ')' }, chart.y_label || '', root);

    var legend = svg('g', { 'class': 'legend' }, root);
    var legendX = LEFT + 8;
    series.forEach(function (s, i) {
      var color = COLORS[s.kind] && series.filter(function (o) { return o.kind === s.kind; }).length === 1
          ? COLORS[s.kind] : EXTRA[i % EXTRA.length];
      var d = s.points.map(function (p, j) {
        return (j === 0 ? 'M' : 'L') + px(p[0]).toFixed(1) + ',' + py(p[1]).toFixed(1);
      }).join(' ');
      svg('path', { 'class': 'series', 'data-name': s.name, stroke: color, d: d }, root);
      if (s.kind === 'eval' || s.points.length <= 1) {
        s.points.forEach(function (p) {
          var c = svg('circle', { 'class': 'point', 'data-name': s.name, cx: px(p[0]).toFixed(1),
                                  cy: py(p[1]).toFixed(1), r: 3.5, fill: color }, root);
          text('title', {}, s.name + ' at step ' + p[0] + ': ' + formatTick(p[1]), c);
        });
      }
      var item = svg('g', { 'class': 'legend-item', 'data-name': s.name }, legend);
      svg('rect', { x: legendX, y: 10, width: 14, height: 4, fill: color }, item);
      text('text', { 'class': 'legend-label', x: legendX + 18, y: 16 }, s.name, item);
      legendX += 28 + 7 * s.name.length;
    });
    parent.appendChild(figure);
  }

  try {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var box = document.getElementById('charts');
    var drawn = 0;
    (data.charts || []).forEach(function (chart) {
      try {
        drawChart(chart, box);
        ++drawn;
      } catch (e) {
        reportError('chart ' + chart.id + ': ' + e);
      }
    });
    document.body.setAttribute('data-charts-drawn', String(drawn));
  } catch (e) {
    reportError('report: ' + e);
  }
})();
)js";

}  // namespace rft::train
