/**
 * A story as a standalone SVG sequence diagram drawn to scale in time: time runs down, each
 * segment is an arrow slanted by its one-way delay, lost segments end in a cross half-way, and
 * coloured bands along each lifeline show the state that side was in. Long idle stretches (a
 * 60 s TIME_WAIT next to 10 ms round trips) are cut out and marked, so both stay readable.
 */

import {
  formatMs,
  type SegmentEvent,
  type Side,
  type Story,
  segmentLabel,
  sequenceBases,
} from '../scenario/story.js';
import type { TcpState } from '../state/states.js';

export interface SvgOptions {
  absolute?: boolean;
}

const WIDTH = 780;
const X: Record<Side, number> = { a: 230, b: 590 };
const TOP = 96;
/** Vertical room for each event happening at the same instant. */
const ROW = 16;
/** Gaps drawn to scale up to this height; longer ones are cut to BREAK. */
const MAX_GAP = 140;
const BREAK = 44;
const BAND = 12;

export const STATE_COLORS: Readonly<Record<TcpState, string>> = {
  CLOSED: '#d9d9d9',
  LISTEN: '#b3d4f5',
  SYN_SENT: '#ffe09e',
  SYN_RECV: '#ffcf7a',
  ESTABLISHED: '#a9dfa9',
  FIN_WAIT1: '#f5b5b5',
  FIN_WAIT2: '#ec9a9a',
  CLOSE_WAIT: '#f9b26b',
  CLOSING: '#d8b6f2',
  LAST_ACK: '#c49ae6',
  TIME_WAIT: '#9ec3e6',
};

/** Text made safe for SVG/XML content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function n(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** One-way delay per direction: the median of the delivered segments' delays. */
function delays(story: Story): Record<Side, number> {
  const out: Record<Side, number> = { a: 0, b: 0 };
  for (const side of ['a', 'b'] as const) {
    const ds = story.events
      .filter((e): e is SegmentEvent => e.type === 'segment' && e.from === side)
      .map((e) => (e.arrival === undefined ? undefined : e.arrival - e.time))
      .filter((d): d is number => d !== undefined)
      .sort((x, y) => x - y);
    out[side] = ds.length > 0 ? (ds[Math.floor(ds.length / 2)] ?? 0) : 0;
  }
  const either = out.a || out.b;
  return { a: out.a || either, b: out.b || either };
}

interface TimeAxis {
  y(t: number): number;
  breaks: Array<{ y: number; gap: number }>;
  end: number;
  endTime: number;
}

/** Piecewise-linear time→y mapping over every time something happens. */
function timeAxis(story: Story, oneWay: Record<Side, number>): TimeAxis {
  const count = new Map<number, number>();
  const keys = new Set<number>([0]);
  for (const e of story.events) {
    keys.add(e.time);
    count.set(e.time, (count.get(e.time) ?? 0) + 1);
    if (e.type === 'segment') {
      if (e.arrival !== undefined) keys.add(e.arrival);
      else keys.add(e.time + oneWay[e.from] / 2);
    }
  }
  const times = [...keys].sort((p, q) => p - q);
  const deltas = times
    .slice(1)
    .map((t, i) => t - (times[i] ?? 0))
    .filter((d) => d > 0)
    .sort((p, q) => p - q);
  const median = deltas[Math.floor(deltas.length / 2)] ?? 1;
  const scale = Math.min(40, Math.max(0.02, 36 / median));
  const ys: number[] = [];
  const breaks: Array<{ y: number; gap: number }> = [];
  let y = TOP;
  for (let i = 0; i < times.length; i++) {
    const t = times[i] ?? 0;
    ys.push(y);
    const next = times[i + 1];
    if (next === undefined) break;
    const stacked = (count.get(t) ?? 0) * ROW;
    const scaled = (next - t) * scale;
    if (scaled > MAX_GAP && scaled > stacked + BREAK) {
      breaks.push({ y: y + stacked + BREAK / 2, gap: next - t });
      y += stacked + BREAK;
    } else {
      y += Math.max(stacked, scaled);
    }
  }
  const last = times[times.length - 1] ?? 0;
  const at = (t: number): number => {
    let lo = 0;
    let hi = times.length - 1;
    if (t <= (times[0] ?? 0)) return ys[0] ?? TOP;
    if (t >= last) return ys[hi] ?? TOP;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] ?? 0) <= t) lo = mid;
      else hi = mid;
    }
    const t0 = times[lo] ?? 0;
    const t1 = times[hi] ?? 0;
    const y0 = ys[lo] ?? TOP;
    const y1 = ys[hi] ?? TOP;
    return y0 + ((t - t0) / (t1 - t0)) * (y1 - y0);
  };
  return { y: at, breaks, end: (ys[ys.length - 1] ?? TOP) + 3 * ROW, endTime: last };
}

export function renderSvg(story: Story, opts: SvgOptions = {}): string {
  const bases = sequenceBases(story);
  const oneWay = delays(story);
  const axis = timeAxis(story, oneWay);
  const height = axis.end + 70;
  const parts: string[] = [];
  const add = (s: string) => parts.push(s);

  add(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${n(height)}" viewBox="0 0 ${WIDTH} ${n(height)}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
  );
  add(`<title>${esc(`tcpstate sim ${story.scenario} (seed ${story.seed})`)}</title>`);
  add(
    '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
  );
  add(`<rect x="0" y="0" width="${WIDTH}" height="${n(height)}" fill="#ffffff"/>`);
  add(
    `<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${esc(`tcpstate sim ${story.scenario}`)}</text>`,
  );
  add(
    `<text x="${WIDTH / 2}" y="44" text-anchor="middle" font-size="11" fill="#555">${esc(`seed ${story.seed} · ${opts.absolute ? 'absolute' : 'relative'} sequence numbers · time in ms, to scale except where cut`)}</text>`,
  );
  for (const side of ['a', 'b'] as const) {
    add(
      `<rect x="${X[side] - 30}" y="56" width="60" height="24" rx="4" fill="#f0f0f0" stroke="#333"/>`,
    );
    add(
      `<text x="${X[side]}" y="73" text-anchor="middle" font-size="14" font-weight="bold">${side}</text>`,
    );
    add(
      `<line x1="${X[side]}" y1="80" x2="${X[side]}" y2="${n(axis.end)}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
  }
  bands(story, axis, add);
  for (const b of axis.breaks) {
    for (const side of ['a', 'b'] as const) {
      const x = X[side];
      add(
        `<path d="M${x - 10},${n(b.y - 6)} l5,-4 l10,8 l5,-4 M${x - 10},${n(b.y + 2)} l5,-4 l10,8 l5,-4" stroke="#666" fill="none"/>`,
      );
    }
    add(
      `<text x="${(X.a + X.b) / 2}" y="${n(b.y + 4)}" text-anchor="middle" font-size="11" fill="#666" font-style="italic">${esc(`… ${formatGap(b.gap)} later …`)}</text>`,
    );
  }
  timeLabels(story, axis, add);
  // Segments one side sends at the same instant are drawn one under the other, in order.
  const sameInstant = new Map<string, number>();
  for (const e of story.events) {
    if (e.type !== 'segment') continue;
    const key = `${e.from} ${e.time}`;
    const k = sameInstant.get(key) ?? 0;
    sameInstant.set(key, k + 1);
    segment(e, segmentLabel(e, bases, opts.absolute), axis, oneWay, k * ROW * 0.75, add);
  }
  notes(story, axis, add);
  add(
    `<text x="${WIDTH / 2}" y="${n(axis.end + 30)}" text-anchor="middle" font-size="12">${esc(`final: a ${story.final.a}, b ${story.final.b}`)}</text>`,
  );
  add('</svg>');
  return `${parts.join('\n')}\n`;
}

function formatGap(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${formatMs(ms)} ms`;
}

function bands(story: Story, axis: TimeAxis, add: (s: string) => void): void {
  for (const side of ['a', 'b'] as const) {
    const changes = story.events.filter((e) => e.type === 'state' && e.side === side);
    const first = changes[0];
    if (first?.type !== 'state') continue;
    const spans: Array<{ state: TcpState; from: number; to: number; cause?: string }> = [];
    let current: { state: TcpState; from: number; cause?: string } = { state: first.from, from: 0 };
    for (const e of changes) {
      if (e.type !== 'state') continue;
      spans.push({ ...current, to: e.time });
      current = { state: e.to, from: e.time, cause: e.cause };
    }
    spans.push({ ...current, to: axis.endTime });
    const x = X[side];
    for (const s of spans) {
      // A state left at the instant it was entered (CLOSED at t=0) would only hide the next label.
      if (s.to === s.from && s !== spans[spans.length - 1]) continue;
      const y0 = axis.y(s.from);
      const y1 = Math.max(axis.y(s.to), y0 + 4);
      add(
        `<rect x="${x - BAND / 2}" y="${n(y0)}" width="${BAND}" height="${n(y1 - y0)}" fill="${STATE_COLORS[s.state]}" stroke="#555" stroke-width="0.5"/>`,
      );
      const tx = side === 'a' ? x - BAND : x + BAND;
      const anchor = side === 'a' ? 'end' : 'start';
      add(
        `<text x="${tx}" y="${n(y0 + 12)}" text-anchor="${anchor}" font-size="11" font-weight="bold" fill="#222"><tspan>${esc(s.state)}</tspan></text>`,
      );
      if (s.cause !== undefined) {
        add(
          `<text x="${tx}" y="${n(y0 + 24)}" text-anchor="${anchor}" font-size="9" fill="#666">${esc(s.cause)}</text>`,
        );
      }
    }
  }
}

function timeLabels(story: Story, axis: TimeAxis, add: (s: string) => void): void {
  let lastY = Number.NEGATIVE_INFINITY;
  const seen = new Set<number>();
  for (const e of story.events) {
    if (seen.has(e.time)) continue;
    seen.add(e.time);
    const y = axis.y(e.time);
    if (y - lastY < 12) continue;
    lastY = y;
    add(
      `<text x="44" y="${n(y + 4)}" text-anchor="end" font-size="10" fill="#777">${esc(formatMs(e.time))}</text>`,
    );
    add(`<line x1="48" y1="${n(y)}" x2="54" y2="${n(y)}" stroke="#bbb"/>`);
  }
  add('<text x="44" y="88" text-anchor="end" font-size="10" fill="#777">ms</text>');
}

function segment(
  e: SegmentEvent,
  label: string,
  axis: TimeAxis,
  oneWay: Record<Side, number>,
  offset: number,
  add: (s: string) => void,
): void {
  const dead = e.fate === 'lost' || e.fate === 'corrupted';
  const x1 = X[e.from] + (e.from === 'a' ? BAND / 2 : -BAND / 2);
  const xEnd = X[e.to] + (e.to === 'a' ? BAND / 2 : -BAND / 2);
  const y1 = axis.y(e.time) + offset;
  const color = dead ? '#c0392b' : e.from === 'a' ? '#1f5f9e' : '#7a2e8e';
  let x2 = xEnd;
  let y2 = axis.y(e.arrival ?? e.time + oneWay[e.from]) + offset;
  if (dead) {
    // Drawn to the middle of where it would have arrived, then crossed out.
    x2 = (x1 + xEnd) / 2;
    y2 = axis.y(e.time + oneWay[e.from] / 2) + offset;
  }
  const dash = e.fate === 'duplicated' ? ' stroke-dasharray="6 2"' : '';
  const head = dead ? '' : ' marker-end="url(#head)"';
  add(
    `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${color}" stroke-width="1.5"${dash}${head}/>`,
  );
  if (dead) {
    add(
      `<path d="M${n(x2 - 6)},${n(y2 - 6)} L${n(x2 + 6)},${n(y2 + 6)} M${n(x2 - 6)},${n(y2 + 6)} L${n(x2 + 6)},${n(y2 - 6)}" stroke="${color}" stroke-width="2.5"/>`,
    );
  }
  const fate = e.fate === 'delivered' ? '' : ` (${e.fate})`;
  const angle = (Math.atan2(y2 - y1, x2 - x1) * 180) / Math.PI;
  // Text reads left to right whichever way the segment goes.
  const upright = angle > 90 || angle < -90 ? angle + 180 : angle;
  // A live segment's label sits at the middle of its arrow; a dead one's starts at its sender
  // and runs on past the cross, along the same slope.
  const ax = dead ? x1 + (e.from === 'a' ? 8 : -8) : (x1 + x2) / 2;
  const ay = dead ? y1 + (y2 - y1) * (8 / Math.abs(x2 - x1)) : (y1 + y2) / 2;
  const anchor = dead ? (e.from === 'a' ? 'start' : 'end') : 'middle';
  add(
    `<text x="${n(ax)}" y="${n(ay - 4)}" text-anchor="${anchor}" font-size="10" fill="${color}" transform="rotate(${n(upright)} ${n(ax)} ${n(ay)})">${esc(label + fate)}</text>`,
  );
}

function notes(story: Story, axis: TimeAxis, add: (s: string) => void): void {
  for (const e of story.events) {
    if (e.type !== 'note') continue;
    const y = axis.y(e.time);
    // Inside the lifelines, next to the side it concerns, just above its instant.
    const x = e.side === 'a' ? X.a + 10 : e.side === 'b' ? X.b - 10 : (X.a + X.b) / 2;
    const anchor = e.side === 'a' ? 'start' : e.side === 'b' ? 'end' : 'middle';
    add(
      `<text x="${n(x)}" y="${n(y - 3)}" text-anchor="${anchor}" font-size="9" font-style="italic" fill="#444">${esc(e.text)}</text>`,
    );
  }
}
