/**
 * The time-sequence graph of one direction of a run, as tcptrace and Wireshark's "Stevens" and
 * "tcptrace" graphs draw it: time across, sequence number up; each data segment a vertical bar
 * from its first to one past its last byte at the instant it was sent; the acknowledged edge
 * (ACK line) and the right edge of the receive window (ACK + window, scaled by RFC 7323's
 * shift) as step lines, at the instant the sender received them; SACK blocks (RFC 2018) as
 * bars at the ACK that carried them; retransmissions and lost segments in their own colours.
 * The sender's view: a flat ACK line under rising bars is a full window in flight; bars
 * below the ACK line's top are retransmissions; a gap between bars and the window line is a
 * sender limited by its congestion window.
 */
import type { SegmentEvent, Side, Story } from '../scenario/story.js';
import { other } from '../scenario/story.js';
import {
  axes,
  byteUnit,
  frame,
  type LegendEntry,
  legend,
  linearScale,
  open,
  r,
  timeUnit,
} from './graph-frame.js';

export interface TsgSegment {
  time: number;
  /** Relative sequence numbers (from the sender's ISS): first byte, one past the last. */
  start: number;
  end: number;
  retransmission: boolean;
  /** The network lost or corrupted it. */
  lost: boolean;
}

export interface TsgAck {
  /** When the sender received it. */
  time: number;
  ack: number;
  /** The receive window's right edge: ack + window << scale. */
  windowEdge: number;
  sack: Array<[number, number]>;
}

export interface TimeSequence {
  from: Side;
  to: Side;
  segments: TsgSegment[];
  acks: TsgAck[];
}

const COLORS = {
  data: '#1f5f9e',
  retransmission: '#e67e22',
  lost: '#c0392b',
  ack: '#2e8b57',
  window: '#b8860b',
  sack: '#8e44ad',
} as const;

function flagSet(e: SegmentEvent): Set<string> {
  return new Set(e.flags.split(','));
}

/** RFC 7323 2.3: the shift a side announced in its SYN, used only if both sides sent one. */
function windowScales(story: Story): Record<Side, number> {
  const shift: Partial<Record<Side, number>> = {};
  for (const e of story.events) {
    if (e.type !== 'segment' || !flagSet(e).has('SYN') || shift[e.from] !== undefined) continue;
    const m = /wscale (\d+)/.exec(e.options ?? '');
    shift[e.from] = m ? Number(m[1]) : -1;
  }
  const both = (shift.a ?? -1) >= 0 && (shift.b ?? -1) >= 0;
  return { a: both ? (shift.a as number) : 0, b: both ? (shift.b as number) : 0 };
}

/** The direction that carried more payload: the one a transfer's graph is about. */
export function busierDirection(story: Story): Side {
  let a = 0;
  let b = 0;
  for (const e of story.events) {
    if (e.type !== 'segment') continue;
    if (e.from === 'a') a += e.len;
    else b += e.len;
  }
  return b > a ? 'b' : 'a';
}

/** The points of the graph for the data `from` sends and the ACKs it gets back. */
export function timeSequence(story: Story, from: Side = busierDirection(story)): TimeSequence {
  const to = other(from);
  const scales = windowScales(story);
  let base: number | undefined;
  for (const e of story.events) {
    if (e.type !== 'segment' || e.from !== from) continue;
    if (flagSet(e).has('SYN')) {
      base = e.seq;
      break;
    }
    base ??= e.seq;
  }
  const rel = (n: number) => (n - (base ?? 0)) >>> 0;
  const segments: TsgSegment[] = [];
  const acks: TsgAck[] = [];
  let highest: number | undefined;
  for (const e of story.events) {
    if (e.type !== 'segment') continue;
    const flags = flagSet(e);
    if (e.from === from) {
      const length = e.len + (flags.has('SYN') ? 1 : 0) + (flags.has('FIN') ? 1 : 0);
      if (length === 0) continue;
      const start = rel(e.seq);
      const end = start + length;
      segments.push({
        time: e.time,
        start,
        end,
        retransmission: highest !== undefined && start < highest,
        lost: e.fate === 'lost' || e.fate === 'corrupted',
      });
      highest = Math.max(highest ?? end, end);
    } else if (flags.has('ACK') && e.arrival !== undefined) {
      const ack = rel(e.ack);
      // A SYN's window is never scaled (RFC 7323 2.2).
      const win = flags.has('SYN') ? e.win : e.win * 2 ** scales[to];
      const sack: Array<[number, number]> = [];
      const m = /sack ((?:\d+:\d+ ?)+)/.exec(e.options ?? '');
      for (const block of m?.[1]?.trim().split(' ') ?? []) {
        const [left, right] = block.split(':').map(Number);
        if (left !== undefined && right !== undefined) sack.push([rel(left), rel(right)]);
      }
      acks.push({ time: e.arrival, ack, windowEdge: ack + win, sack });
    }
  }
  acks.sort((p, q) => p.time - q.time);
  return { from, to, segments, acks };
}

export interface TimeSequenceSvgOptions {
  /** The sending side whose data is drawn (default: the one that sent more). */
  from?: Side;
  width?: number;
  height?: number;
}

/** A step line through (time, value) points: flat until the next point, then up or down. */
function steps(points: ReadonlyArray<[number, number]>): string {
  let d = '';
  points.forEach(([x, y], i) => {
    d += i === 0 ? `M${r(x)},${r(y)}` : `H${r(x)}V${r(y)}`;
  });
  return d;
}

export function renderTimeSequenceSvg(story: Story, opts: TimeSequenceSvgOptions = {}): string {
  const data = timeSequence(story, opts.from);
  const f = frame(opts.width ?? 900, opts.height ?? 560);
  const times = [...data.segments.map((s) => s.time), ...data.acks.map((a) => a.time)];
  const t0 = Math.min(...times, Number.POSITIVE_INFINITY);
  const t1 = Math.max(...times, Number.NEGATIVE_INFINITY);
  const empty = !Number.isFinite(t0);
  const maxData = Math.max(1, ...data.segments.map((s) => s.end));
  const maxWindow = Math.max(0, ...data.acks.map((a) => a.windowEdge));
  // A receive buffer much larger than the transfer would flatten the data into the x axis: the
  // window line then leaves through the top, and the subtitle says so.
  const maxSeq = Math.max(maxData, Math.min(maxWindow, Math.ceil(maxData * 1.3)));
  const clipped = maxWindow > maxSeq;
  const tu = timeUnit(empty ? 0 : t1);
  const bu = byteUnit(maxSeq);
  const x = linearScale(
    empty ? 0 : t0,
    empty ? 1 : Math.max(t1, t0 + 1),
    f.left,
    f.right,
    tu.format,
  );
  const y = linearScale(0, maxSeq, f.bottom, f.top, bu.format, 6);
  const label = `time-sequence graph of ${data.from} → ${data.to}: ${data.segments.length} data segments (${data.segments.filter((s) => s.retransmission).length} retransmitted, ${data.segments.filter((s) => s.lost).length} lost), ${data.acks.length} ACKs`;
  const out = open(
    f,
    `tcpstate sim ${story.scenario}: sequence numbers ${data.from} → ${data.to}`,
    `seed ${story.seed} · relative sequence numbers · segments when ${data.from} sent them, ACKs and window when ${data.from} received them${clipped ? ' · window above the top' : ''}`,
    label,
    'tsg',
  );
  out.push(...axes(f, x, y, `time (${tu.unit})`, `sequence number (${bu.unit})`));
  // Window first, then ACKs, SACK blocks, and the segments on top.
  const windowPts = data.acks.map((a): [number, number] => [x(a.time), y(a.windowEdge)]);
  const ackPts = data.acks.map((a): [number, number] => [x(a.time), y(a.ack)]);
  const last = x(t1);
  if (windowPts.length > 0) {
    windowPts.push([last, windowPts[windowPts.length - 1]?.[1] ?? 0]);
    ackPts.push([last, ackPts[ackPts.length - 1]?.[1] ?? 0]);
  }
  out.push(
    '<g clip-path="url(#tsg-plot)">',
    `<path d="${steps(windowPts)}" fill="none" stroke="${COLORS.window}" stroke-width="1.2" data-series="window"/>`,
    `<path d="${steps(ackPts)}" fill="none" stroke="${COLORS.ack}" stroke-width="1.5" data-series="ack"/>`,
  );
  let sack = '';
  for (const a of data.acks) {
    for (const [left, right] of a.sack) {
      sack += `M${r(x(a.time) + 2)},${r(y(left))}V${r(y(right))}`;
    }
  }
  if (sack !== '') {
    out.push(`<path d="${sack}" stroke="${COLORS.sack}" stroke-width="2" data-series="sack"/>`);
  }
  const bars = { data: '', retransmission: '', lost: '' };
  let crosses = '';
  for (const s of data.segments) {
    const px = x(s.time);
    const ya = y(s.start);
    // A one-byte SYN or FIN still shows as a bar.
    const yb = Math.min(y(s.end), ya - 2);
    const bar = `M${r(px)},${r(ya)}V${r(yb)}M${r(px - 2)},${r(ya)}h4M${r(px - 2)},${r(yb)}h4`;
    if (s.lost) {
      bars.lost += bar;
      crosses += `M${r(px - 3)},${r(yb - 7)}l6,6m0,-6l-6,6`;
    } else if (s.retransmission) bars.retransmission += bar;
    else bars.data += bar;
  }
  for (const kind of ['data', 'retransmission', 'lost'] as const) {
    if (bars[kind] === '') continue;
    out.push(
      `<path d="${bars[kind]}" fill="none" stroke="${COLORS[kind]}" stroke-width="1.2" data-series="${kind}"/>`,
    );
  }
  if (crosses !== '') {
    out.push(`<path d="${crosses}" stroke="${COLORS.lost}" stroke-width="1.5"/>`);
  }
  out.push('</g>');
  if (empty) {
    out.push(
      `<text x="${r((f.left + f.right) / 2)}" y="${r((f.top + f.bottom) / 2)}" text-anchor="middle" font-size="12" fill="#777">no data from ${data.from}</text>`,
    );
  }
  const entries: LegendEntry[] = [
    { label: 'data', color: COLORS.data, mark: 'bar' },
    { label: 'retransmitted', color: COLORS.retransmission, mark: 'bar' },
    { label: 'lost', color: COLORS.lost, mark: 'cross' },
    { label: 'ACK', color: COLORS.ack, mark: 'line' },
    { label: 'receive window', color: COLORS.window, mark: 'line' },
    { label: 'SACK', color: COLORS.sack, mark: 'bar' },
  ];
  out.push(...legend(f, entries), '</svg>');
  return `${out.join('\n')}\n`;
}
