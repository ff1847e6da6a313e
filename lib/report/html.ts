/**
 * report.html: one self-contained file (inline CSS, JS and data, nothing from the network).
 * A chart of heap used after each measured test across the run, one line per worker, so
 * growth across a whole suite shows even when no test crosses a threshold; a sortable table
 * of leaks with links to snapshots. Test names are data, never markup: the page builds its
 * DOM with textContent, and the embedded JSON escapes `<`.
 */
import * as path from 'node:path';
import type { RunReport } from './run-report';

export interface ChartPoint {
  /** Position in the run: files in the order Jest reported them, tests in order within. */
  x: number;
  /** Heap used after the test, bytes. */
  y: number;
  worker: string;
  file: string;
  test: string;
  leak: boolean;
}

export interface LeakRow {
  file: string;
  test: string;
  check: string;
  verdict: string;
  bytes: number | null;
  summary: string;
  details: string[];
  snapshots: string[];
}

export function chartPoints(report: RunReport): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const file of report.files) {
    for (const test of file.tests) {
      if (!test.heap) continue;
      points.push({
        x: points.length,
        y: test.heap.usedAfter,
        worker: `${file.shard ? `${file.shard} ` : ''}w${file.worker ?? '?'}`,
        file: file.file,
        test: test.name,
        leak: test.findings.some((finding) => finding.verdict === 'leak'),
      });
    }
  }
  return points;
}

export function leakRows(report: RunReport, reportDir: string): LeakRow[] {
  return report.files.flatMap((file) =>
    file.tests.flatMap((test) =>
      test.findings.map((finding) => ({
        file: file.file,
        test: test.name,
        check: finding.check,
        verdict: finding.verdict,
        bytes: finding.bytes ?? null,
        summary: finding.summary,
        details: finding.details,
        snapshots: (finding.snapshots ?? []).map((snapshot) => path.relative(reportDir, snapshot).split(path.sep).join('/')),
      })),
    ),
  );
}

export function reportHtml(report: RunReport, reportDir: string): string {
  const data = {
    totals: report.totals,
    growth: report.growth,
    retained: report.retained,
    createdAt: report.createdAt,
    versions: report.versions,
    points: chartPoints(report),
    leaks: leakRows(report, reportDir),
  };
  // `<` escaped so no test name can close the script element.
  const json = JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>leakwatch report</title>
<style>${CSS}</style></head>
<body>
<h1>leakwatch report</h1>
<p id="totals"></p>
<h2>Heap used after each test</h2>
<p class="note">One point per measured test, in the order Jest reported them; one line per worker. A line that climbs across a file or the run while no test fails is memory the suite keeps.</p>
<svg id="chart" width="960" height="320" role="img" aria-label="heap used after each test"></svg>
<div id="legend"></div>
<div id="growth"></div>
<h2>Leaks</h2>
<table id="leaks"><thead><tr><th data-key="file">File</th><th data-key="test">Test</th><th data-key="check">Check</th><th data-key="verdict">Verdict</th><th data-key="bytes">Size</th><th>What and where</th><th>Snapshots</th></tr></thead><tbody></tbody></table>
<script type="application/json" id="data">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.note{color:#666;max-width:60em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th[data-key]{cursor:pointer;text-decoration:underline dotted}
td pre{margin:0;white-space:pre-wrap;font-size:12px}
#legend span{margin-right:16px}
svg{border:1px solid #ccc;background:#fafafa}
.axis{font-size:11px;fill:#555}
`;

const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var mb = function (b) { return (b / 1048576).toFixed(1) + ' MB'; };
  var size = function (b) { return b == null ? '' : b >= 1048576 ? mb(b) : Math.round(b / 1024) + ' KB'; };
  var t = data.totals;
  var leakCount = Object.keys(t.leaks).reduce(function (s, k) { return s + t.leaks[k]; }, 0);
  document.getElementById('totals').textContent = t.measured + ' of ' + t.tests + ' tests measured in ' + t.files + ' files; ' +
    leakCount + ' leaks, ' + t.known + ' known (baseline), ' + t.unconfirmed + ' unconfirmed; leakwatch time ' + (t.leakwatchMs / 1000).toFixed(1) + ' s. ' +
    'Node ' + data.versions.node + ', leakwatch ' + data.versions.leakwatch + (data.versions.jest ? ', Jest ' + data.versions.jest : '') + ', ' + data.createdAt;

  var svg = document.getElementById('chart');
  var W = 960, H = 320, L = 60, B = 30, T = 10, R = 10;
  var pts = data.points;
  var maxY = Math.max.apply(null, pts.map(function (p) { return p.y; }).concat([1]));
  var maxX = Math.max(pts.length - 1, 1);
  var sx = function (x) { return L + (W - L - R) * x / maxX; };
  var sy = function (y) { return H - B - (H - B - T) * y / maxY; };
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    svg.appendChild(e);
    return e;
  }
  el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#999' });
  el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#999' });
  for (var i = 0; i <= 4; i++) {
    el('text', { x: 4, y: sy(maxY * i / 4) + 4, 'class': 'axis' }, mb(maxY * i / 4));
  }
  el('text', { x: W - R - 120, y: H - 8, 'class': 'axis' }, 'tests, in run order');
  var colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  var workers = [];
  pts.forEach(function (p) { if (workers.indexOf(p.worker) < 0) workers.push(p.worker); });
  workers.forEach(function (w, wi) {
    var mine = pts.filter(function (p) { return p.worker === w; });
    el('polyline', { points: mine.map(function (p) { return sx(p.x) + ',' + sy(p.y); }).join(' '), fill: 'none', stroke: colors[wi % colors.length], 'stroke-width': 1, opacity: 0.6 });
  });
  pts.forEach(function (p) {
    var c = el('circle', { 'class': 'point', cx: sx(p.x), cy: sy(p.y), r: p.leak ? 4 : 2, fill: p.leak ? '#d62728' : colors[workers.indexOf(p.worker) % colors.length] });
    var title = document.createElementNS(NS, 'title');
    title.textContent = p.file + ' › ' + p.test + ': ' + mb(p.y) + (p.leak ? ' (leak)' : '');
    c.appendChild(title);
  });
  var legend = document.getElementById('legend');
  workers.forEach(function (w, wi) {
    var s = document.createElement('span');
    s.style.color = colors[wi % colors.length];
    s.textContent = '● worker ' + w;
    legend.appendChild(s);
  });
  var growth = document.getElementById('growth');
  data.growth.forEach(function (g) {
    var p = document.createElement('p');
    p.textContent = 'Growth without a leaking test: ' + g.file + ' left ' + size(g.bytes) + ' more live heap at its end than after its first test; largest bounds: ' +
      g.largest.map(function (x) { return x.name + ' (' + size(x.bound) + ')'; }).join(', ');
    growth.appendChild(p);
  });
  data.retained.forEach(function (r) {
    var p = document.createElement('p');
    p.textContent = 'Environment not freed after its file ended: ' + r.file + (r.bytes === null ? '' : ' (~' + size(r.bytes) + ')') + ': ' +
      (r.holder ? 'held by ' + r.holder : r.note);
    growth.appendChild(p);
  });

  var rows = data.leaks.slice();
  var tbody = document.querySelector('#leaks tbody');
  function render() {
    tbody.textContent = '';
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      [r.file, r.test, r.check, r.verdict, size(r.bytes)].forEach(function (v) {
        var td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
      });
      var what = document.createElement('td');
      var pre = document.createElement('pre');
      pre.textContent = [r.summary].concat(r.details).join('\\n');
      what.appendChild(pre); tr.appendChild(what);
      var snaps = document.createElement('td');
      r.snapshots.forEach(function (s) {
        var a = document.createElement('a'); a.href = s; a.textContent = s.split('/').pop(); a.download = '';
        snaps.appendChild(a); snaps.appendChild(document.createElement('br'));
      });
      tr.appendChild(snaps);
      tbody.appendChild(tr);
    });
  }
  var order = { key: 'bytes', dir: -1 };
  function sortBy(key) {
    order.dir = order.key === key ? -order.dir : (key === 'bytes' ? -1 : 1);
    order.key = key;
    rows.sort(function (a, b) {
      var x = a[key], y = b[key];
      if (x == null) x = -1; if (y == null) y = -1;
      return (x < y ? -1 : x > y ? 1 : 0) * order.dir;
    });
    render();
  }
  document.querySelectorAll('#leaks th[data-key]').forEach(function (th) {
    th.addEventListener('click', function () { sortBy(th.getAttribute('data-key')); });
  });
  order.key = null; sortBy('bytes');
})();
`;
