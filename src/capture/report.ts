/**
 * A connection's story, told from a capture: both endpoints' state changes with their causes,
 * the time spent in each state, the segments (as the sim's story has them, so the same
 * renderers draw it), Zeek's conn_state and history, and the findings in operators' words.
 * Times are milliseconds since the Unix epoch, as the capture stamped them.
 */
import type { SegmentEvent, StateEvent, StoryEvent } from '../scenario/story.js';
import type { TcpState } from '../state/states.js';
import { endpointText } from '../util/address-text.js';
import { type Connection, otherSide, type SideName, type SideStats } from './connection.js';
import { flagsText } from './decode.js';
import { findings } from './findings.js';
import type { Change } from './machine.js';
import type {
  CapturePoint,
  ConnectionReport,
  ConnectionRow,
  ConnectionSummary,
  SideSummary,
  StateSpan,
} from './report-types.js';
import { zeekConnState } from './zeek.js';

/** The summary of one connection; `captureEnd` is the last packet of the whole capture. */
export function reportConnection(c: Connection, captureEnd: number): ConnectionReport {
  const changes = { a: c.changes('a'), b: c.changes('b') };
  const a = sideText(c, 'a');
  const b = sideText(c, 'b');
  const summary: ConnectionSummary = {
    start: c.firstTime,
    end: c.lastTime,
    packets: c.packets,
    a: sideSummary(c, 'a', changes.a, captureEnd),
    b: sideSummary(c, 'b', changes.b, captureEnd),
    capturePoint: capturePoint(c.sides.a.stats, c.sides.b.stats),
    zeek: { conn_state: zeekConnState(c), history: c.history },
    findings: [],
  };
  summary.findings = findings(c, {
    a,
    b,
    changes,
    states: { a: summary.a.states, b: summary.b.states },
    capturePoint: summary.capturePoint,
  });
  // The events are built when first asked for: a summary table of many connections never
  // needs them, and they are most of a report's memory.
  let events: StoryEvent[] | undefined;
  return {
    id: c.id,
    a,
    b,
    get events(): StoryEvent[] {
      events ??= storyEvents(c, changes);
      return events;
    },
    set events(value: StoryEvent[]) {
      events = value;
    },
    final: { a: last(changes.a, c.sides.a.initial), b: last(changes.b, c.sides.b.initial) },
    summary,
  };
}

/** What the summary table shows of one connection: its report's figures, findings by code. */
export function connectionRow(c: Connection, captureEnd: number): ConnectionRow {
  const a = sideText(c, 'a');
  const b = sideText(c, 'b');
  const changes = { a: c.changesOnce('a'), b: c.changesOnce('b') };
  return {
    id: c.id,
    a,
    b,
    packets: c.packets,
    start: c.firstTime,
    end: c.lastTime,
    final: { a: last(changes.a, c.sides.a.initial), b: last(changes.b, c.sides.b.initial) },
    zeek: zeekConnState(c),
    findings: findings(
      c,
      {
        a,
        b,
        changes,
        states: {
          a: spans(c, 'a', captureEnd, changes.a),
          b: spans(c, 'b', captureEnd, changes.b),
        },
        capturePoint: capturePoint(c.sides.a.stats, c.sides.b.stats),
      },
      false,
    ),
  };
}

function sideText(c: Connection, side: SideName): string {
  const s = c.sides[side].stats;
  return endpointText(s.address, s.port);
}

/** The sim story's events for a connection: notes, segments kept, and both sides' changes. */
function storyEvents(c: Connection, changes: Record<SideName, Change[]>): StoryEvent[] {
  const events: StoryEvent[] = [];
  const tuple = (side: SideName) => {
    const l = c.sides[side].stats;
    const r = c.sides[otherSide(side)].stats;
    return {
      local: { address: l.address, port: l.port },
      remote: { address: r.address, port: r.port },
    };
  };
  for (const side of ['a', 'b'] as const) {
    const s = c.sides[side];
    if (s.assumed) {
      events.push({
        type: 'note',
        time: c.firstTime,
        side,
        text: assumedText(s.initial, c.midStream),
      });
    }
  }
  const states: StateEvent[] = [];
  for (const side of ['a', 'b'] as const) {
    for (const ch of changes[side]) {
      states.push({
        type: 'state',
        time: ch.time,
        side,
        connection: tuple(side),
        from: ch.from,
        to: ch.to,
        cause: ch.cause,
      });
    }
  }
  const segments: SegmentEvent[] = c.segments.map((s) => ({
    type: 'segment',
    time: s.time,
    from: s.from,
    to: otherSide(s.from),
    flags: flagsText(s.flags),
    seq: s.seq,
    ack: s.ack,
    len: s.len,
    win: s.win,
    fate: s.lost ? 'lost' : 'delivered',
  }));
  // Segments first at equal times: a state change follows the packet that caused it.
  events.push(...mergeByTime(segments, states));
  if (c.dropped > 0) {
    events.push({
      type: 'note',
      time: c.lastTime,
      text: `${c.dropped} later segments not kept (raise the limit to see them)`,
    });
  }
  return events;
}

function assumedText(state: TcpState, midStream: boolean): string {
  if (midStream) return `${state} (assumed: the capture starts mid-connection)`;
  if (state === 'SYN_SENT') return 'SYN_SENT (assumed: its SYN is not in the capture)';
  if (state === 'LISTEN') return 'LISTEN (assumed: it answered a SYN the capture missed)';
  return `${state} (assumed: it never answered)`;
}

function last(changes: readonly { to: TcpState }[], initial: TcpState): TcpState {
  return changes.length === 0 ? initial : changes[changes.length - 1].to;
}

function mergeByTime(segments: SegmentEvent[], states: StateEvent[]): StoryEvent[] {
  states.sort((x, y) => x.time - y.time);
  const out: StoryEvent[] = [];
  let j = 0;
  for (const s of segments) {
    while (j < states.length && states[j].time < s.time) out.push(states[j++]);
    out.push(s);
  }
  while (j < states.length) out.push(states[j++]);
  return out;
}

function sideSummary(
  c: Connection,
  side: SideName,
  changes: readonly { time: number; to: TcpState }[],
  captureEnd: number,
): SideSummary {
  const s = c.sides[side];
  const st = s.stats;
  return {
    initial: { state: s.initial, assumed: s.assumed },
    states: spans(c, side, captureEnd, changes),
    packets: st.packets,
    bytes: st.uniqueBytes,
    retransmissions: st.retransmissions,
    dupAcks: st.dupAcks,
    zeroWindows: st.zeroWindows,
    windowFull: st.windowFull,
    rsts: st.rsts,
    missedBytes: st.missedBytes,
  };
}

/** The states a side went through, with the time in each. */
function spans(
  c: Connection,
  side: SideName,
  captureEnd: number,
  changes: readonly { time: number; to: TcpState }[],
): StateSpan[] {
  const out: StateSpan[] = [];
  let state = c.sides[side].initial;
  let since = c.firstTime;
  for (const ch of changes) {
    out.push({ state, since, ms: ch.time - since, open: false });
    state = ch.to;
    since = ch.time;
  }
  // The last state lasts at least to the end of the capture (CLOSED has no end).
  out.push({ state, since, ms: Math.max(0, captureEnd - since), open: state !== 'CLOSED' });
  return out;
}

function capturePoint(a: SideStats, b: SideStats): CapturePoint {
  if (a.synTime === undefined || b.synTime === undefined || a.handshakeAckTime === undefined) {
    return { near: 'unknown' };
  }
  const synToSynAck = b.synTime - a.synTime;
  const synAckToAck = a.handshakeAckTime - b.synTime;
  if (synToSynAck < 0 || synAckToAck < 0) return { near: 'unknown' };
  // A factor of 4 between the two gaps: one of them is a round trip, the other a host's turn-around.
  if (synToSynAck > 4 * synAckToAck) return { near: 'a', synToSynAck, synAckToAck };
  if (synAckToAck > 4 * synToSynAck) return { near: 'b', synToSynAck, synAckToAck };
  return { near: 'between', synToSynAck, synAckToAck };
}
