#!/usr/bin/env node
// Renders the main panels of Vigil's Grafana dashboards (deploy/grafana/dashboards) from a
// running Prometheus to one PNG: each panel's queries through /api/v1/query_range, drawn as
// line charts. Grafana cannot run here; this is the picture of Vigil running for the README.
//
//   node scripts/render-dashboards.mjs [--prometheus=http://127.0.0.1:9090] [--range=15m]
//                                      [--out=docs/dashboards.png] [--title=...]
// Exit 1 when Prometheus does not answer or a query fails (naming it); a panel without data
// is drawn empty and named on stderr.
import fs from 'node:fs';
import path from 'node:path';
import { Canvas } from './lib/png-canvas.mjs';
import { repoRoot } from './lib/proc.mjs';

/** The panels of the picture: dashboard file and panel title. */
export const MAIN_PANELS = [
  ['platform-overview.json', 'Messages consumed/s by service and topic'],
  ['platform-overview.json', 'HTTP requests/s by service and status'],
  ['surveillance.json', 'Order events/s by outcome'],
  ['platform-overview.json', 'Consumer lag (messages) by service and topic'],
  ['security.json', 'Logins/s by outcome'],
  ['audit.json', 'Entries appended/s by source topic'],
  ['platform-overview.json', 'Consumer batch duration p99 by service'],
  ['platform-overview.json', 'Resident memory by service'],
];

const PALETTE = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
const INK = [40, 40, 48];
const GRID = [225, 228, 235];

function parseDuration(text) {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  if (!m) throw new Error(`--range: ${text} is not a duration like 15m`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2]];
}

function legendOf(format, metric) {
  const text = (format || '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => metric[label] ?? '');
  return text.trim() || JSON.stringify(metric);
}

function formatValue(v) {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${(v / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${(v / 1e3).toFixed(1)}K`;
  if (abs >= 100 || v === 0) return v.toFixed(0);
  if (abs >= 0.001) return String(Number(v.toPrecision(2)));
  return v.toExponential(1);
}

/** Every series of a panel over [start, end]: legend and points. */
export async function panelSeries(prometheus, panel, start, end, step) {
  const series = [];
  for (const target of panel.targets ?? []) {
    const params = new URLSearchParams({ query: target.expr, start: String(start), end: String(end), step: String(step) });
    const res = await fetch(`${prometheus}/api/v1/query_range`, { method: 'POST', body: params });
    const body = await res.json();
    if (body.status !== 'success') throw new Error(`panel "${panel.title}" ${target.refId}: ${body.errorType}: ${body.error}`);
    for (const s of body.data.result) {
      const points = s.values.map(([t, v]) => [t, Number(v)]).filter(([, v]) => Number.isFinite(v));
      if (points.length) series.push({ legend: legendOf(target.legendFormat, s.metric), points });
    }
  }
  return series;
}

function drawPanel(canvas, x, y, w, h, title, series, start, end) {
  canvas.fillRect(x, y, w, h, [250, 251, 253]);
  for (const [x0, y0, x1, y1] of [[x, y, x + w, y], [x, y + h, x + w, y + h], [x, y, x, y + h], [x + w, y, x + w, y + h]]) canvas.line(x0, y0, x1, y1, GRID);
  canvas.text(x + 10, y + 10, title.slice(0, Math.floor((w - 20) / 12)), INK, 2);
  const legendRows = Math.min(series.length, 4);
  const plot = { x: x + 60, y: y + 36, w: w - 75, h: h - 52 - legendRows * 12 };
  const values = series.flatMap((s) => s.points.map(([, v]) => v));
  const max = values.length ? Math.max(...values, 0) : 1;
  const min = values.length ? Math.min(...values, 0) : 0;
  const span = max - min || 1;
  for (let i = 0; i <= 4; i++) {
    const gy = plot.y + plot.h - (plot.h * i) / 4;
    canvas.line(plot.x, gy, plot.x + plot.w, gy, GRID);
    const label = formatValue(min + (span * i) / 4);
    canvas.text(plot.x - 6 - Canvas.textWidth(label), gy - 3, label, [110, 110, 120]);
  }
  const minutes = Math.round((end - start) / 60);
  canvas.text(plot.x, plot.y + plot.h + 4, `-${minutes}m`, [110, 110, 120]);
  canvas.text(plot.x + plot.w - Canvas.textWidth('now'), plot.y + plot.h + 4, 'now', [110, 110, 120]);
  if (!series.length) canvas.text(plot.x + plot.w / 2 - 42, plot.y + plot.h / 2, 'no data', [160, 160, 170], 2);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const px = (t) => plot.x + ((t - start) / (end - start)) * plot.w;
    const py = (v) => plot.y + plot.h - ((v - min) / span) * plot.h;
    for (let k = 1; k < s.points.length; k++) {
      const [t0, v0] = s.points[k - 1];
      const [t1, v1] = s.points[k];
      canvas.line(px(t0), py(v0), px(t1), py(v1), color, 2);
    }
    if (s.points.length === 1) canvas.fillRect(px(s.points[0][0]) - 2, py(s.points[0][1]) - 2, 4, 4, color);
  });
  series.slice(0, legendRows).forEach((s, i) => {
    const ly = plot.y + plot.h + 16 + i * 12;
    canvas.fillRect(plot.x, ly + 1, 10, 5, PALETTE[i % PALETTE.length]);
    canvas.text(plot.x + 16, ly, s.legend.slice(0, Math.floor((plot.w - 20) / 6)), INK);
  });
}

export async function renderDashboards({ prometheus = 'http://127.0.0.1:9090', rangeSec = 900, out = path.join(repoRoot, 'docs/dashboards.png'), title = 'Vigil - main dashboard panels', panels = MAIN_PANELS, now = Date.now() / 1000 } = {}) {
  const ready = await fetch(`${prometheus}/-/ready`).then((r) => r.ok, () => false);
  if (!ready) throw new Error(`Prometheus does not answer at ${prometheus} (start it with npm start, or pass --prometheus=URL)`);
  const end = Math.floor(now);
  const start = end - rangeSec;
  const step = Math.max(1, Math.floor(rangeSec / 240));
  const cols = 2;
  const [pw, ph, margin, header] = [640, 300, 16, 56];
  const rows = Math.ceil(panels.length / cols);
  const canvas = new Canvas(cols * pw + (cols + 1) * margin, header + rows * (ph + margin), [255, 255, 255]);
  canvas.text(margin, 18, title, INK, 3);
  canvas.text(canvas.width - margin - Canvas.textWidth(new Date(end * 1000).toISOString().slice(0, 19) + 'Z', 2), 22, new Date(end * 1000).toISOString().slice(0, 19) + 'Z', [110, 110, 120], 2);
  const empty = [];
  for (const [i, [file, panelTitle]] of panels.entries()) {
    const dashboard = JSON.parse(fs.readFileSync(path.join(repoRoot, 'deploy/grafana/dashboards', file), 'utf8'));
    const panel = dashboard.panels.find((p) => p.title === panelTitle);
    if (!panel) throw new Error(`${file} has no panel "${panelTitle}"`);
    const series = await panelSeries(prometheus, panel, start, end, step);
    if (!series.length) empty.push(`${dashboard.title} / ${panelTitle}`);
    const x = margin + (i % cols) * (pw + margin);
    const y = header + Math.floor(i / cols) * (ph + margin);
    drawPanel(canvas, x, y, pw, ph, panelTitle, series, start, end);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, canvas.toPng());
  return { out, width: canvas.width, height: canvas.height, empty };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  try {
    const result = await renderDashboards({
      prometheus: arg('prometheus', 'http://127.0.0.1:9090'),
      rangeSec: parseDuration(arg('range', '15m')),
      out: path.resolve(arg('out', path.join(repoRoot, 'docs/dashboards.png'))),
      title: arg('title', 'Vigil - main dashboard panels'),
    });
    for (const panel of result.empty) console.error(`no data: ${panel}`);
    console.log(`${path.relative(process.cwd(), result.out)}: ${result.width}x${result.height}`);
  } catch (error) {
    console.error(`render-dashboards: ${error.message}`);
    process.exit(1);
  }
}
