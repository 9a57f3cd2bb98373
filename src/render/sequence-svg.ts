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
import { type Burst, burstLabel, type FoldedEvent, foldEvents, oneWayDelays } from './fold.js';
import { boxOf, LabelPlacer, type TextSpec } from './label-layout.js';

export interface SvgOptions {
  absolute?: boolean;
  /** Fold runs of data segments and of their ACKs into bursts (fold.ts); default true. */
  fold?: boolean;
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
/** Pixels of height in each slice of a crowded diagram (see layoutSvg). */
export const CHUNK = 1200;

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

interface TimeAxis {
  y(t: number): number;
  breaks: Array<{ y: number; gap: number }>;
  end: number;
  endTime: number;
}

/** Rows of room a burst takes at its first instant: its band and its label. */
const BURST_ROWS = 2;

/** Piecewise-linear time→y mapping over every time something happens. */
function timeAxis(items: readonly FoldedEvent[], oneWay: Record<Side, number>): TimeAxis {
  const count = new Map<number, number>();
  const keys = new Set<number>([0]);
  const room = (t: number, rows: number) => {
    keys.add(t);
    count.set(t, (count.get(t) ?? 0) + rows);
  };
  for (const e of items) {
    room(e.time, e.type === 'burst' ? BURST_ROWS : 1);
    if (e.type === 'segment') {
      if (e.arrival !== undefined) keys.add(e.arrival);
      else keys.add(e.time + oneWay[e.from] / 2);
    } else if (e.type === 'burst') {
      for (const t of [e.end, e.arrival, e.lastArrival]) keys.add(t);
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
  return layoutSvg(story, opts).svg;
}

/** The diagram and where its time runs: y of a virtual time, for a view that follows a run. */
export interface SvgLayout {
  svg: string;
  y: (time: number) => number;
  height: number;
}

export function layoutSvg(story: Story, opts: SvgOptions = {}): SvgLayout {
  const bases = sequenceBases(story);
  const oneWay = oneWayDelays(story);
  const items = foldEvents(story, { fold: opts.fold ?? true });
  const axis = timeAxis(items, oneWay);
  const height = axis.end + 70;
  const parts: string[] = [];
  const add = (s: string) => parts.push(s);
  // A diagram with bursts is a transfer, crowded: its labels are placed where they collide with
  // no other (label-layout.ts), and every arrow keeps its full label as a tooltip. A small
  // exchange is drawn as it always was.
  const dense = items.some((e) => e.type === 'burst');
  // Labels stay between the lifelines' bands.
  const placer = new LabelPlacer({ minX: X.a + BAND, maxX: X.b - BAND });
  let hidden = 0;
  // A crowded diagram is cut into slices of CHUNK pixels, arrows and labels apart, so that a
  // view can draw only the slices on screen (web/seq-view.ts): a 10 MB transfer is thousands.
  const arrowChunks = new Map<number, string[]>();
  const labelChunks = new Map<number, string[]>();
  const addAt = (chunks: Map<number, string[]>, y: number) => (svg: string) => {
    const k = Math.max(0, Math.floor(y / CHUNK));
    const chunk = chunks.get(k);
    if (chunk) chunk.push(svg);
    else chunks.set(k, [svg]);
  };
  const emitChunks = (chunks: Map<number, string[]>, cls: string) => {
    for (const k of [...chunks.keys()].sort((p, q) => p - q)) {
      add(`<g class="${cls}" data-chunk="${k}">`);
      for (const svg of chunks.get(k) ?? []) add(svg);
      add('</g>');
    }
  };
  const pending: ArrowLabel[] = [];
  const put: PutLabel = (l) => {
    const first = l.candidates[0];
    if (dense) pending.push(l);
    else if (first) add(textSvg(first, l.fill, l.bold ?? false));
  };
  // Losses first, then bursts, then the other segments: what a reader looks for gets its room.
  const placeLabels = () => {
    const order = pending
      .map((l, i) => ({ l, i }))
      .sort((p, q) => p.l.rank - q.l.rank || p.i - q.i);
    pending.forEach((l, i) => {
      placer.takeLine(i, ...l.line);
    });
    // Clear of other arrows if the whole label or its short form fits so; else over an arrow
    // (still readable on its halo) rather than not at all.
    for (const { l, i } of order) {
      const short = l.candidates.map((c) => ({ ...c, text: l.short }));
      const chosen =
        placer.place(l.candidates, i) ??
        placer.place(short, i) ??
        placer.place(l.candidates) ??
        placer.place(short);
      if (chosen) l.svg = textSvg(chosen, l.fill, l.bold ?? false, true);
      else hidden++;
      l.y = chosen?.y;
    }
    for (const l of pending) if (l.svg) addAt(labelChunks, l.y ?? 0)(l.svg);
  };

  add(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${n(height)}" viewBox="0 0 ${WIDTH} ${n(height)}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
  );
  add(`<title>${esc(`tcpstate sim ${story.scenario} (seed ${story.seed})`)}</title>`);
  add(
    '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
  );
  if (dense) {
    add(
      '<defs><marker id="burst-head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="12" markerHeight="12" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
    );
  }
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
  bands(story, axis, (svg, spec) => {
    add(svg);
    if (dense && spec) placer.take(boxOf(spec));
  });
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
  timeLabels(items, axis, dense ? (svg, y) => addAt(arrowChunks, y)(svg) : add);
  if (dense) for (const spec of noteSpecs(items, axis)) placer.take(boxOf(spec));
  // Segments one side sends at the same instant are drawn one under the other, in order.
  const sameInstant = new Map<string, number>();
  for (const e of items) {
    if (e.type !== 'segment' && e.type !== 'burst') continue;
    const key = `${e.from} ${e.time}`;
    const k = sameInstant.get(key) ?? 0;
    const label =
      e.type === 'burst'
        ? burstLabel(e, bases, opts.absolute)
        : segmentLabel(e, bases, opts.absolute);
    // In a transfer each arrow is a group whose title is its whole label (a tooltip, and what a
    // screen reader says), whatever room the drawn label found.
    const body = dense ? addAt(arrowChunks, axis.y(e.time)) : add;
    if (dense) body(`<g><title>${esc(label)}</title>`);
    if (e.type === 'burst') {
      sameInstant.set(key, k + BURST_ROWS);
      burst(e, label, axis, k * ROW * 0.75, body, put);
    } else {
      sameInstant.set(key, k + 1);
      segment(e, label, shortLabel(label), axis, oneWay, k * ROW * 0.75, body, put);
    }
    if (dense) body('</g>');
  }
  if (dense) {
    placeLabels();
    emitChunks(arrowChunks, 'arrows');
    emitChunks(labelChunks, 'labels');
  }
  notes(items, axis, add);
  add(
    `<text x="${WIDTH / 2}" y="${n(axis.end + 30)}" text-anchor="middle" font-size="12">${esc(`final: a ${story.final.a}, b ${story.final.b}`)}</text>`,
  );
  add('</svg>');
  if (dense) {
    const hiddenAttr = hidden > 0 ? ` data-hidden-labels="${hidden}"` : '';
    parts[0] = (parts[0] ?? '').replace('<svg ', `<svg data-chunk-height="${CHUNK}"${hiddenAttr} `);
  }
  return { svg: `${parts.join('\n')}\n`, y: axis.y, height };
}

/**
 * A segment's label without what a transfer repeats on every segment: a pure ACK keeps its
 * ack, a data segment its seq and len (`ACK ack=30409`, `ACK seq=4345 len=1448`).
 */
function shortLabel(label: string): string {
  const bare = label.replace(/ win=\d+/, '');
  return / len=0$/.test(bare)
    ? bare.replace(/ seq=\d+/, '').replace(/ len=0$/, '')
    : bare.replace(/ ack=\d+/, '');
}

function formatGap(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${formatMs(ms)} ms`;
}

/** Draws a piece of the picture; a text also says where it is, for the label placer. */
type AddText = (svg: string, text?: TextSpec) => void;

function bands(story: Story, axis: TimeAxis, add: AddText): void {
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
        { x: tx, y: y0 + 12, anchor, size: 11, bold: true, text: s.state },
      );
      if (s.cause !== undefined) {
        add(
          `<text x="${tx}" y="${n(y0 + 24)}" text-anchor="${anchor}" font-size="9" fill="#666">${esc(s.cause)}</text>`,
          { x: tx, y: y0 + 24, anchor, size: 9, text: s.cause },
        );
      }
    }
  }
}

function timeLabels(
  items: readonly FoldedEvent[],
  axis: TimeAxis,
  add: (s: string, y: number) => void,
): void {
  let lastY = Number.NEGATIVE_INFINITY;
  const seen = new Set<number>();
  for (const e of items) {
    if (seen.has(e.time)) continue;
    seen.add(e.time);
    const y = axis.y(e.time);
    if (y - lastY < 12) continue;
    lastY = y;
    add(
      `<text x="44" y="${n(y + 4)}" text-anchor="end" font-size="10" fill="#777">${esc(formatMs(e.time))}</text>`,
      y,
    );
    add(`<line x1="48" y1="${n(y)}" x2="54" y2="${n(y)}" stroke="#bbb"/>`, y);
  }
  add('<text x="44" y="88" text-anchor="end" font-size="10" fill="#777">ms</text>', 0);
}

function segment(
  e: SegmentEvent,
  label: string,
  short: string,
  axis: TimeAxis,
  oneWay: Record<Side, number>,
  offset: number,
  add: (s: string) => void,
  put: PutLabel,
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
  const at = (x: number, y: number, dy: number, a: TextSpec['anchor']): TextSpec => ({
    x,
    y: y + dy,
    anchor: a,
    size: 10,
    text: label + fate,
    rotate: { deg: upright, cx: x, cy: y },
  });
  put({
    fill: color,
    short: short + fate,
    rank: dead ? 0 : 2,
    line: [x1, y1, x2, y2],
    candidates: [
      at(ax, ay, -4, anchor),
      at(ax, ay, 11, anchor),
      ...(dead
        ? []
        : alongLine(x1, y1, x2, y2).flatMap(([x, y]) => [
            at(x, y, -4, 'middle'),
            at(x, y, 11, 'middle'),
          ])),
    ],
  });
}

/** Points along an arrow where its label may also go, nearest the middle first. */
function alongLine(x1: number, y1: number, x2: number, y2: number): Array<[number, number]> {
  return [0.35, 0.65, 0.25, 0.75].map((f) => [x1 + f * (x2 - x1), y1 + f * (y2 - y1)]);
}

/** An arrow's label: where it may go, best first, and a shorter text for when none is free. */
interface ArrowLabel {
  fill: string;
  bold?: boolean;
  short: string;
  candidates: TextSpec[];
  /** Placing order in a crowded diagram: lower first. */
  rank: number;
  /** The arrow it names, from (x1, y1) to (x2, y2): other labels keep off it where they can. */
  line: [number, number, number, number];
  /** The label as drawn, once placed, and its baseline. */
  svg?: string;
  y?: number | undefined;
}

/** Puts an arrow's label on the drawing. */
type PutLabel = (label: ArrowLabel) => void;

/** A white outline under a label keeps it readable where it crosses arrows and bands. */
const HALO = ' stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"';

function textSvg(t: TextSpec, fill: string, bold: boolean, halo = false): string {
  const weight = `${bold ? ' font-weight="bold"' : ''}${halo ? HALO : ''}`;
  const rotate = t.rotate
    ? ` transform="rotate(${n(t.rotate.deg)} ${n(t.rotate.cx)} ${n(t.rotate.cy)})"`
    : '';
  return `<text x="${n(t.x)}" y="${n(t.y)}" text-anchor="${t.anchor}" font-size="${t.size}"${weight} fill="${fill}"${rotate}>${esc(t.text)}</text>`;
}

/**
 * A burst: a shaded band from the sender's first to last send to the receiver's first to last
 * arrival, with one thick arrow through its middle that carries the counts.
 */
function burst(
  b: Burst,
  label: string,
  axis: TimeAxis,
  offset: number,
  add: (s: string) => void,
  put: PutLabel,
): void {
  const x1 = X[b.from] + (b.from === 'a' ? BAND / 2 : -BAND / 2);
  const x2 = X[b.to] + (b.to === 'a' ? BAND / 2 : -BAND / 2);
  const color = b.from === 'a' ? '#1f5f9e' : '#7a2e8e';
  const fill = b.from === 'a' ? '#dce9f6' : '#eadcf0';
  // A flight sent in one instant still gets a visible band.
  const top1 = axis.y(b.time) + offset;
  const bottom1 = Math.max(axis.y(b.end) + offset, top1 + ROW * 0.75);
  const top2 = axis.y(b.arrival) + offset;
  const bottom2 = Math.max(axis.y(b.lastArrival) + offset, top2 + ROW * 0.75);
  add(
    `<path d="M${n(x1)},${n(top1)} L${n(x2)},${n(top2)} L${n(x2)},${n(bottom2)} L${n(x1)},${n(bottom1)} z" fill="${fill}" fill-opacity="0.7" stroke="${color}" stroke-width="0.5" data-burst="${b.kind}" data-segments="${b.segments.length}"/>`,
  );
  const y1 = (top1 + bottom1) / 2;
  const y2 = (top2 + bottom2) / 2;
  add(
    `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${color}" stroke-width="3" marker-end="url(#burst-head)"/>`,
  );
  const angle = (Math.atan2(y2 - y1, x2 - x1) * 180) / Math.PI;
  const upright = angle > 90 || angle < -90 ? angle + 180 : angle;
  const at = (x: number, y: number, dy: number): TextSpec => ({
    x,
    y: y + dy,
    anchor: 'middle',
    size: 10,
    bold: true,
    text: label,
    rotate: { deg: upright, cx: x, cy: y },
  });
  put({
    fill: color,
    bold: true,
    rank: 1,
    line: [x1, y1, x2, y2],
    short: `${b.segments.length} ${b.kind === 'data' ? 'segments' : 'ACKs'}`,
    candidates: [
      [(x1 + x2) / 2, (y1 + y2) / 2] as [number, number],
      ...alongLine(x1, y1, x2, y2),
    ].flatMap(([x, y]) => [at(x, y, -5), at(x, y, 12)]),
  });
}

/** Notes sit inside the lifelines, next to the side they concern, just above their instant. */
function noteSpecs(items: readonly FoldedEvent[], axis: TimeAxis): TextSpec[] {
  const out: TextSpec[] = [];
  for (const e of items) {
    if (e.type !== 'note') continue;
    const x = e.side === 'a' ? X.a + 10 : e.side === 'b' ? X.b - 10 : (X.a + X.b) / 2;
    const anchor = e.side === 'a' ? 'start' : e.side === 'b' ? 'end' : 'middle';
    out.push({ x, y: axis.y(e.time) - 3, anchor, size: 9, text: e.text });
  }
  return out;
}

function notes(items: readonly FoldedEvent[], axis: TimeAxis, add: (s: string) => void): void {
  for (const t of noteSpecs(items, axis)) {
    add(
      `<text x="${n(t.x)}" y="${n(t.y)}" text-anchor="${t.anchor}" font-size="9" font-style="italic" fill="#444">${esc(t.text)}</text>`,
    );
  }
}
