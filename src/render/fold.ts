/**
 * Folding for sequence diagrams: a bulk transfer is hundreds of segments, and a diagram that
 * draws each one is a wall of overlapping labels. Runs of plain data segments in one direction,
 * and of the plain ACKs answering them, become one burst each, labelled with counts; everything
 * a reader looks for stays drawn on its own: state changes, notes (user calls, faults), SYN,
 * FIN, RST and other flags, lost, corrupted and duplicated segments, retransmissions, window
 * probes, keepalives, and a window closing to zero or opening again.
 *
 * A burst is cut at every such event and when its direction falls silent for half a round trip,
 * so slow start shows one burst per flight. Runs shorter than MIN_RUN stay unfolded: a
 * handshake or a close has nothing to fold and looks as it always did.
 */
import {
  type SegmentEvent,
  type Side,
  type Story,
  type StoryEvent,
  segmentNumbers,
  sequenceBases,
} from '../scenario/story.js';

/** Fewer segments than this in a run are drawn one by one. */
export const MIN_RUN = 3;

export interface Burst {
  type: 'burst';
  /** `data`: segments carrying payload; `ack`: pure acknowledgments. */
  kind: 'data' | 'ack';
  from: Side;
  to: Side;
  /** The folded segments, in the order they were sent (at least MIN_RUN). */
  segments: SegmentEvent[];
  /** When the first was sent, and the last. */
  time: number;
  end: number;
  /** When the first arrived, and the last (the latest arrival of any of them). */
  arrival: number;
  lastArrival: number;
}

export type FoldedEvent = StoryEvent | Burst;

/** One-way delay per direction: the median of the delivered segments' delays. */
export function oneWayDelays(story: Story): Record<Side, number> {
  const out: Record<Side, number> = { a: 0, b: 0 };
  for (const side of ['a', 'b'] as const) {
    const ds: number[] = [];
    for (const e of story.events) {
      if (e.type === 'segment' && e.from === side && e.arrival !== undefined) {
        ds.push(e.arrival - e.time);
      }
    }
    ds.sort((x, y) => x - y);
    out[side] = ds[Math.floor(ds.length / 2)] ?? 0;
  }
  const either = out.a || out.b;
  return { a: out.a || either, b: out.b || either };
}

function plainFlags(flags: string): boolean {
  return flags === 'ACK' || flags === 'PSH,ACK';
}

/** What a segment is to folding: the class of burst it may join, or undefined if it stands alone. */
type Classifier = (e: SegmentEvent) => 'data' | 'ack' | undefined;

/** Remembers, per direction, what was sent so far, to tell new data from retransmissions. */
function classifier(story: Story): Classifier {
  const bases = sequenceBases(story);
  const sent: Record<Side, number | undefined> = { a: undefined, b: undefined };
  const lastWin: Record<Side, number | undefined> = { a: undefined, b: undefined };
  return (e) => {
    const { seq } = segmentNumbers(e, bases, false);
    const flags = e.flags.split(',');
    const end = seq + e.len + (flags.includes('SYN') ? 1 : 0) + (flags.includes('FIN') ? 1 : 0);
    const before = sent[e.from];
    sent[e.from] = before === undefined ? end : Math.max(before, end);
    const windowWasZero = lastWin[e.from] === 0;
    lastWin[e.from] = e.win;
    if (e.fate !== 'delivered' || !plainFlags(e.flags)) return undefined;
    // A window closing, or opening again after it was shut, is the story of a stalled transfer.
    if (e.win === 0 || windowWasZero) return undefined;
    if (e.len > 0) {
      // Retransmissions, and window probes into a peer's zero window, are drawn one by one.
      if (before !== undefined && seq < before) return undefined;
      if (lastWin[e.to] === 0) return undefined;
      return 'data';
    }
    // A pure ACK below what was already sent is a keepalive probe.
    if (before !== undefined && seq < before) return undefined;
    return 'ack';
  };
}

interface Open {
  kind: 'data' | 'ack';
  from: Side;
  members: Array<{ index: number; e: SegmentEvent }>;
}

/**
 * The story's events with the runs folded into bursts, in the order of each item's first event.
 * With `fold: false`, the events as they are.
 */
export function foldEvents(story: Story, opts: { fold?: boolean } = {}): FoldedEvent[] {
  if (opts.fold === false) return story.events.slice();
  const delays = oneWayDelays(story);
  // Half a round trip of silence ends a flight.
  const gap = Math.max((delays.a + delays.b) / 2, 0.001);
  const classify = classifier(story);
  const out: Array<{ index: number; item: FoldedEvent }> = [];
  const open = new Map<string, Open>();

  const close = (run: Open) => {
    open.delete(`${run.from} ${run.kind}`);
    if (run.members.length < MIN_RUN) {
      for (const m of run.members) out.push({ index: m.index, item: m.e });
      return;
    }
    const segments = run.members.map((m) => m.e);
    const first = segments[0] as SegmentEvent;
    const last = segments[segments.length - 1] as SegmentEvent;
    let arrival = Number.POSITIVE_INFINITY;
    let lastArrival = Number.NEGATIVE_INFINITY;
    for (const s of segments) {
      const at = s.arrival ?? s.time + delays[s.from];
      arrival = Math.min(arrival, at);
      lastArrival = Math.max(lastArrival, at);
    }
    out.push({
      index: run.members[0]?.index ?? 0,
      item: {
        type: 'burst',
        kind: run.kind,
        from: first.from,
        to: first.to,
        segments,
        time: first.time,
        end: last.time,
        arrival,
        lastArrival,
      },
    });
  };
  const closeAll = () => {
    for (const run of [...open.values()]) close(run);
  };

  story.events.forEach((e, index) => {
    const kind = e.type === 'segment' ? classify(e) : undefined;
    if (e.type !== 'segment' || kind === undefined) {
      closeAll();
      out.push({ index, item: e });
      return;
    }
    const key = `${e.from} ${kind}`;
    let run = open.get(key);
    const previous = run?.members[run.members.length - 1]?.e;
    if (run !== undefined && previous !== undefined && e.time - previous.time > gap) {
      close(run);
      run = undefined;
    }
    if (run === undefined) {
      run = { kind, from: e.from, members: [] };
      open.set(key, run);
    }
    run.members.push({ index, e });
  });
  closeAll();
  return out.sort((x, y) => x.index - y.index).map((o) => o.item);
}

/** Bytes for people, in SI units as link speeds are: 1448 bytes, 33.3 kB, 10.0 MB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} byte${n === 1 ? '' : 's'}`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/**
 * A burst's label: `23 segments, seq 1..33305, 33.3 kB` for data (from the first sequence
 * number to one past the last byte), `12 ACKs, ack 2897..14481, 3 duplicate, SACK` for ACKs.
 */
export function burstLabel(
  b: Burst,
  bases: Partial<Record<Side, number>>,
  absolute = false,
): string {
  const nums = b.segments.map((s) => ({ s, n: segmentNumbers(s, bases, absolute) }));
  const first = nums[0]?.n ?? { seq: 0, ack: 0 };
  if (b.kind === 'data') {
    let endSeq = first.seq;
    let bytes = 0;
    for (const { s, n } of nums) {
      endSeq = Math.max(endSeq, n.seq + s.len);
      bytes += s.len;
    }
    return `${b.segments.length} segments, seq ${first.seq}..${endSeq}, ${formatBytes(bytes)}`;
  }
  let lastAck = first.ack;
  let duplicates = 0;
  let sack = false;
  nums.forEach(({ s, n }, i) => {
    if (i > 0 && n.ack === lastAck) duplicates++;
    lastAck = Math.max(lastAck, n.ack);
    if (s.options?.includes('sack ')) sack = true;
  });
  const dup = duplicates > 0 ? `, ${duplicates} duplicate` : '';
  return `${b.segments.length} ACKs, ack ${first.ack}..${lastAck}${dup}${sack ? ', SACK' : ''}`;
}

/** When a burst was sent: `30 ms`, or `30–70 ms` when it took time. */
export function burstSpan(b: Burst, format: (t: number) => string): string {
  return b.end === b.time ? `${format(b.time)} ms` : `${format(b.time)}–${format(b.end)} ms`;
}

/** How many story segments a folded list stands for (each burst counts its members). */
export function segmentCount(items: readonly FoldedEvent[]): number {
  let n = 0;
  for (const item of items) {
    if (item.type === 'burst') n += item.segments.length;
    else if (item.type === 'segment') n++;
  }
  return n;
}
