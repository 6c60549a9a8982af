/**
 * The report's charts as inline SVG, drawn here (no chart library, no script, no network): an x/y chart (dots
 * and/or lines per series), bars with confidence intervals, and stacked bars. Every label goes through the
 * escaping `html` tag; hovering a mark shows its `<title>`.
 */
import { html, join, type Safe } from './html';

export const AGENT_COLORS = ['#1c64d4', '#c2410c', '#15803d', '#7e22ce', '#0e7490', '#a16207', '#be123c', '#4338ca'];
export const ROLE_COLORS = { backbone: '#3b5bdb', optimizer: '#e8890c', judge: '#0c9a73' } as const;

export interface Point {
  x: number;
  y: number;
  title?: string;
}

export interface Series {
  name: string;
  color: string;
  points: Point[];
  line?: boolean;
  dots?: boolean;
  /** Dot radius (default 3.5). */
  r?: number;
  dashed?: boolean;
  /** Break the line where consecutive points are more than this far apart in x. */
  gap?: number;
}

/** Consecutive runs of points whose x steps are at most `gap`. */
function segments(points: readonly Point[], gap = Infinity): Point[][] {
  const out: Point[][] = [];
  for (const p of points) {
    const cur = out[out.length - 1];
    if (cur && p.x - cur[cur.length - 1].x <= gap) cur.push(p);
    else out.push([p]);
  }
  return out;
}

export interface XYOptions {
  /** CSS class of the <svg> (tests find charts by it). */
  cls: string;
  title: string;
  width?: number;
  height?: number;
  xTicks: Array<{ x: number; label: string }>;
  xMin?: number;
  xMax?: number;
  yLabel: string;
  yMin?: number;
  yMax?: number;
  /** A horizontal rule at y = 0. */
  zero?: boolean;
  /** Shaded vertical bands (e.g. rounds) with a label at the top. */
  bands?: Array<{ x0: number; x1: number; label: string }>;
  yFormat?: (y: number) => string;
}

/** About `count` round-numbered ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0];
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  for (let i = first; i <= last && out.length < 50; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

const MARGIN = { left: 58, right: 16, top: 26, bottom: 44 };

function legend(series: ReadonlyArray<{ name: string; color: string }>, x: number, y: number): Safe {
  let dx = 0;
  return join(
    series.map((s) => {
      const item = html`<g class="legend-item" transform="translate(${x + dx},${y})"><rect width="10" height="10" rx="2" fill="${s.color}"/><text x="14" y="9">${s.name}</text></g>`;
      dx += 24 + s.name.length * 6.6;
      return item;
    }),
  );
}

export function xyChart(series: readonly Series[], o: XYOptions): Safe {
  const W = o.width ?? 860;
  const H = o.height ?? 280;
  const pts = series.flatMap((s) => s.points);
  const xs = [...pts.map((p) => p.x), ...o.xTicks.map((t) => t.x)];
  const xMin = o.xMin ?? Math.min(...xs, 0);
  const xMax = o.xMax ?? Math.max(...xs, 1);
  const ys = pts.map((p) => p.y);
  const lo = o.yMin ?? Math.min(...ys, o.zero ? 0 : Infinity);
  const hi = o.yMax ?? Math.max(...ys, o.zero ? 0 : -Infinity);
  // Band labels sit at the top of the plot: leave them a little room above the data.
  const ticks = niceTicks(lo, o.bands?.length && o.yMax === undefined ? hi + 0.12 * (hi - lo) : hi);
  const yMin = o.yMin ?? ticks[0];
  const yMax = o.yMax ?? ticks[ticks.length - 1];
  const iw = W - MARGIN.left - MARGIN.right;
  const ih = H - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (xMax === xMin ? iw / 2 : ((x - xMin) / (xMax - xMin)) * iw);
  const sy = (y: number) => MARGIN.top + ih - (yMax === yMin ? ih / 2 : ((y - yMin) / (yMax - yMin)) * ih);
  const f = o.yFormat ?? ((y: number) => String(Number(y.toFixed(3))));
  const r1 = (v: number) => v.toFixed(1);

  const bands = (o.bands ?? []).map(
    (b, i) =>
      html`<g class="band"><rect x="${r1(sx(b.x0))}" y="${MARGIN.top}" width="${r1(Math.max(0, sx(b.x1) - sx(b.x0)))}" height="${ih}" fill="${i % 2 ? '#f1f3f5' : '#f8f9fa'}"/><text class="band-label" x="${r1((sx(b.x0) + sx(b.x1)) / 2)}" y="${MARGIN.top + 12}" text-anchor="middle">${b.label}</text></g>`,
  );
  const grid = ticks
    .filter((t) => t >= yMin - 1e-9 && t <= yMax + 1e-9)
    .map((t) => html`<line class="grid" x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${r1(sy(t))}" y2="${r1(sy(t))}"/><text class="tick" x="${MARGIN.left - 6}" y="${r1(sy(t) + 4)}" text-anchor="end">${f(t)}</text>`);
  const zero = o.zero && yMin < 0 && yMax > 0 ? html`<line class="zero" x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${r1(sy(0))}" y2="${r1(sy(0))}"/>` : '';
  const xt = o.xTicks.map((t) => html`<text class="tick" x="${r1(sx(t.x))}" y="${H - MARGIN.bottom + 16}" text-anchor="middle">${t.label}</text>`);
  const marks = series.map((s) => {
    const line = s.line
      ? segments(s.points, s.gap)
          .filter((seg) => seg.length > 1)
          .map((seg) => html`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? html` stroke-dasharray="5 4"` : ''} points="${seg.map((p) => `${r1(sx(p.x))},${r1(sy(p.y))}`).join(' ')}"/>`)
      : '';
    const dots =
      s.dots !== false
        ? s.points.map((p) => html`<circle cx="${r1(sx(p.x))}" cy="${r1(sy(p.y))}" r="${s.r ?? 3.5}" fill="${s.color}" fill-opacity="0.85"><title>${p.title ?? `${s.name}: ${f(p.y)}`}</title></circle>`)
        : [];
    return html`<g class="series" data-series="${s.name}">${line}${dots}</g>`;
  });
  return html`<svg class="chart ${o.cls}" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${o.title}</title>${bands}${grid}${zero}<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + ih}"/><line class="axis" x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${MARGIN.top + ih}" y2="${MARGIN.top + ih}"/>${xt}<text class="axis-label" transform="translate(14,${r1(MARGIN.top + ih / 2)}) rotate(-90)" text-anchor="middle">${o.yLabel}</text>${marks}${legend(series.filter((s) => s.name), MARGIN.left, H - 14)}</svg>`;
}

export interface CIBar {
  label: string;
  value: number;
  low: number;
  high: number;
  color: string;
  note?: string;
}

/** Horizontal bars in [0, 1] with their confidence intervals as whiskers. */
export function ciBars(bars: readonly CIBar[], o: { cls: string; title: string; width?: number; format: (x: number) => string }): Safe {
  const W = o.width ?? 860;
  const rowH = 46;
  const left = 190;
  const right = 150;
  const H = 30 + bars.length * rowH + 24;
  const iw = W - left - right;
  const sx = (x: number) => left + Math.max(0, Math.min(1, x)) * iw;
  const r1 = (v: number) => v.toFixed(1);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) => html`<line class="grid" x1="${r1(sx(t))}" x2="${r1(sx(t))}" y1="20" y2="${H - 24}"/><text class="tick" x="${r1(sx(t))}" y="${H - 8}" text-anchor="middle">${o.format(t)}</text>`,
  );
  const rows = bars.map((b, i) => {
    const y = 30 + i * rowH;
    return html`<g class="ci-bar"><text class="bar-label" x="${left - 10}" y="${y + 19}" text-anchor="end">${b.label}</text><rect x="${left}" y="${y + 4}" width="${r1(sx(b.value) - left)}" height="24" rx="3" fill="${b.color}" fill-opacity="0.85"><title>${`${b.label}: ${o.format(b.value)} (95% CI ${o.format(b.low)}–${o.format(b.high)})`}</title></rect><line class="whisker" x1="${r1(sx(b.low))}" x2="${r1(sx(b.high))}" y1="${y + 16}" y2="${y + 16}"/><line class="whisker" x1="${r1(sx(b.low))}" x2="${r1(sx(b.low))}" y1="${y + 9}" y2="${y + 23}"/><line class="whisker" x1="${r1(sx(b.high))}" x2="${r1(sx(b.high))}" y1="${y + 9}" y2="${y + 23}"/><text class="bar-value" x="${W - right + 10}" y="${y + 14}">${o.format(b.value)}</text><text class="bar-note" x="${W - right + 10}" y="${y + 29}">${b.note ?? `[${o.format(b.low)}, ${o.format(b.high)}]`}</text></g>`;
  });
  return html`<svg class="chart ${o.cls}" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${o.title}</title>${ticks}${rows}</svg>`;
}

export interface StackGroup {
  label: string;
  parts: Array<{ name: string; value: number; color: string }>;
}

/** Vertical stacked bars, one per group (e.g. calls per round stacked by role). */
export function stackedBars(groups: readonly StackGroup[], o: { cls: string; title: string; yLabel: string; width?: number; height?: number; format?: (x: number) => string }): Safe {
  const W = o.width ?? 860;
  const H = o.height ?? 260;
  const iw = W - MARGIN.left - MARGIN.right;
  const ih = H - MARGIN.top - MARGIN.bottom;
  const max = Math.max(1, ...groups.map((g) => g.parts.reduce((s, p) => s + p.value, 0)));
  const ticks = niceTicks(0, max);
  const top = ticks[ticks.length - 1];
  const sy = (v: number) => MARGIN.top + ih - (v / top) * ih;
  const slot = iw / Math.max(1, groups.length);
  const bw = Math.min(90, slot * 0.6);
  const f = o.format ?? ((x: number) => x.toLocaleString('en-US'));
  const r1 = (v: number) => v.toFixed(1);
  const grid = ticks.map((t) => html`<line class="grid" x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${r1(sy(t))}" y2="${r1(sy(t))}"/><text class="tick" x="${MARGIN.left - 6}" y="${r1(sy(t) + 4)}" text-anchor="end">${f(t)}</text>`);
  const bars = groups.map((g, i) => {
    const x = MARGIN.left + slot * i + (slot - bw) / 2;
    let acc = 0;
    const parts = g.parts.map((p) => {
      const y0 = sy(acc);
      acc += p.value;
      const y1 = sy(acc);
      return html`<rect x="${r1(x)}" y="${r1(y1)}" width="${r1(bw)}" height="${r1(Math.max(0, y0 - y1))}" fill="${p.color}"><title>${`${g.label} · ${p.name}: ${f(p.value)}`}</title></rect>`;
    });
    return html`<g class="stack">${parts}<text class="tick" x="${r1(x + bw / 2)}" y="${H - MARGIN.bottom + 16}" text-anchor="middle">${g.label}</text><text class="bar-total" x="${r1(x + bw / 2)}" y="${r1(sy(acc) - 5)}" text-anchor="middle">${f(acc)}</text></g>`;
  });
  const names = [...new Map(groups.flatMap((g) => g.parts.map((p) => [p.name, p.color] as const))).entries()].map(([name, color]) => ({ name, color }));
  return html`<svg class="chart ${o.cls}" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${o.title}</title>${grid}<line class="axis" x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${MARGIN.top + ih}" y2="${MARGIN.top + ih}"/><text class="axis-label" transform="translate(14,${r1(MARGIN.top + ih / 2)}) rotate(-90)" text-anchor="middle">${o.yLabel}</text>${bars}${legend(names, MARGIN.left, H - 14)}</svg>`;
}
