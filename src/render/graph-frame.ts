/**
 * What the graphs of a run share (time-sequence, cwnd): a plot area with linear axes, round
 * ticks with units, a grid, a title and a legend, drawn as standalone SVG.
 */
import { textWidth } from './font-metrics.js';
import { esc } from './sequence-svg.js';

export interface Scale {
  /** Data value to pixel. */
  (v: number): number;
  ticks: number[];
  format: (v: number) => string;
}

/** Ticks at 1, 2 or 5 times a power of ten, about `count` of them over [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [min];
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Math.round(v / step) * step);
  }
  return out;
}

export function linearScale(
  min: number,
  max: number,
  from: number,
  to: number,
  format: (v: number) => string,
  count = 8,
): Scale {
  const span = max - min || 1;
  const f = ((v: number) => from + ((v - min) / span) * (to - from)) as Scale;
  f.ticks = niceTicks(min, max, count);
  f.format = format;
  return f;
}

/** Milliseconds on a time axis: `250 ms` up to 10 s, then seconds. */
export function timeUnit(maxMs: number): { unit: string; format: (ms: number) => string } {
  return maxMs >= 10_000
    ? { unit: 's', format: (ms) => trim(ms / 1000) }
    : { unit: 'ms', format: (ms) => trim(ms) };
}

/** Bytes on an axis: plain up to 10 kB, then kB or MB (SI, as the folded labels). */
export function byteUnit(maxBytes: number): { unit: string; format: (b: number) => string } {
  if (maxBytes >= 10_000_000) return { unit: 'MB', format: (b) => trim(b / 1_000_000) };
  if (maxBytes >= 10_000) return { unit: 'kB', format: (b) => trim(b / 1000) };
  return { unit: 'bytes', format: (b) => trim(b) };
}

function trim(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

export function r(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function frame(width: number, height: number): Frame {
  return { width, height, left: 78, right: width - 24, top: 64, bottom: height - 52 };
}

export interface LegendEntry {
  label: string;
  color: string;
  /** How the entry is drawn: a line, a dashed line, a bar, or a cross. */
  mark: 'line' | 'dash' | 'bar' | 'cross';
}

/** The opening of a graph: svg element, white page, title and subtitle, and `id`'s clip path
 * for what is drawn inside the plot area. */
export function open(
  f: Frame,
  title: string,
  subtitle: string,
  label: string,
  id: string,
): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" role="img" aria-label="${esc(label)}">`,
    `<title>${esc(label)}</title>`,
    `<defs><clipPath id="${id}-plot"><rect x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}"/></clipPath></defs>`,
    `<rect x="0" y="0" width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
    `<text x="${f.left}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${f.left}" y="40" font-size="11" fill="#555">${esc(subtitle)}</text>`,
  ];
}

/** Axes, ticks, grid lines and the axis titles with their units. */
export function axes(f: Frame, x: Scale, y: Scale, xTitle: string, yTitle: string): string[] {
  const out: string[] = ['<g class="axes" fill="#444">'];
  for (const t of x.ticks) {
    const px = x(t);
    if (px < f.left - 0.5 || px > f.right + 0.5) continue;
    out.push(
      `<line x1="${r(px)}" y1="${f.top}" x2="${r(px)}" y2="${f.bottom}" stroke="#eee"/>`,
      `<line x1="${r(px)}" y1="${f.bottom}" x2="${r(px)}" y2="${f.bottom + 5}" stroke="#555"/>`,
      `<text x="${r(px)}" y="${f.bottom + 17}" text-anchor="middle" font-size="10">${esc(x.format(t))}</text>`,
    );
  }
  for (const t of y.ticks) {
    const py = y(t);
    if (py < f.top - 0.5 || py > f.bottom + 0.5) continue;
    out.push(
      `<line x1="${f.left}" y1="${r(py)}" x2="${f.right}" y2="${r(py)}" stroke="#eee"/>`,
      `<line x1="${f.left - 5}" y1="${r(py)}" x2="${f.left}" y2="${r(py)}" stroke="#555"/>`,
      `<text x="${f.left - 8}" y="${r(py + 3.5)}" text-anchor="end" font-size="10">${esc(y.format(t))}</text>`,
    );
  }
  out.push(
    `<rect x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}" fill="none" stroke="#555"/>`,
    `<text x="${r((f.left + f.right) / 2)}" y="${f.height - 14}" text-anchor="middle" font-size="11">${esc(xTitle)}</text>`,
    `<text x="16" y="${r((f.top + f.bottom) / 2)}" text-anchor="middle" font-size="11" transform="rotate(-90 16 ${r((f.top + f.bottom) / 2)})">${esc(yTitle)}</text>`,
    '</g>',
  );
  return out;
}

/** The legend, in one row above the plot's top right corner. */
export function legend(f: Frame, entries: readonly LegendEntry[]): string[] {
  const out: string[] = ['<g class="legend" fill="#222">'];
  // Laid out from the right: each entry is its mark (16 px) and its label.
  let x = f.right;
  const y = f.top - 10;
  for (const e of [...entries].reverse()) {
    const w = 30 + textWidth(e.label, 10);
    x -= w;
    const mx = x;
    const mark =
      e.mark === 'bar'
        ? `<line x1="${r(mx + 7)}" y1="${y - 6}" x2="${r(mx + 7)}" y2="${y + 4}" stroke="${e.color}" stroke-width="2"/>`
        : e.mark === 'cross'
          ? `<path d="M${r(mx + 3)},${y - 5} l8,8 m0,-8 l-8,8" stroke="${e.color}" stroke-width="2"/>`
          : `<line x1="${r(mx)}" y1="${y - 1}" x2="${r(mx + 14)}" y2="${y - 1}" stroke="${e.color}" stroke-width="2"${e.mark === 'dash' ? ' stroke-dasharray="4 2"' : ''}/>`;
    out.push(mark, `<text x="${r(mx + 18)}" y="${y + 3}" font-size="10">${esc(e.label)}</text>`);
  }
  out.push('</g>');
  return out;
}
