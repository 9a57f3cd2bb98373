/**
 * The story of one simulated exchange between two endpoints, `a` and `b`: the `json` output of
 * `tcpstate sim`, and what every renderer (text, Mermaid, SVG) reads. Times are milliseconds of
 * virtual time since the scenario started. States use the netstat names of state/states.ts.
 */

import type { ListenerDropReason } from '../stack/events.js';
import type { TransitionEvent } from '../state/events.js';
import type { Endpoint, TcpState } from '../state/states.js';
import type { TimerKind } from '../tcp/types.js';
import type { BlindKind } from './attack.js';

export type Side = 'a' | 'b';

/**
 * What the simulated network did with a segment. `lost` covers every way it vanished
 * (random loss, a partition, a full queue); `corrupted` ones arrived with a bad checksum and
 * were dropped by the receiver; `duplicated` ones arrived twice.
 */
export type Fate = 'delivered' | 'lost' | 'duplicated' | 'corrupted';

/** A state change: the one transition event (state/events.ts) of the side that changed. */
export interface StateEvent extends TransitionEvent {
  type: 'state';
  side: Side;
}

export interface SegmentEvent {
  type: 'segment';
  /** When it was sent. */
  time: number;
  from: Side;
  to: Side;
  /** Comma form, e.g. "SYN,ACK", "FIN,ACK", "PSH,ACK"; "" when no flag is set. */
  flags: string;
  /** Raw 32-bit sequence and acknowledgment numbers (renderers make them relative). */
  seq: number;
  ack: number;
  /** Payload bytes. */
  len: number;
  /** The 16-bit window field as sent (not scaled). */
  win: number;
  fate: Fate;
  /** When it arrived (the first copy), for delivered and duplicated segments. */
  arrival?: number;
  /** The options in packetdrill notation, e.g. "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7". */
  options?: string;
}

/** A user call or a fault the scenario performed, shown as a note. */
export interface NoteEvent {
  type: 'note';
  time: number;
  /** The side it concerns, or absent for the network. */
  side?: Side;
  text: string;
}

export type StoryEvent = StateEvent | SegmentEvent | NoteEvent;

export interface StreamSummary {
  /** Bytes the application of the sending side handed to TCP. */
  sent: number;
  /** Bytes the application of the receiving side read. */
  received: number;
  sha256Sent: string;
  sha256Received: string;
}

/** A connection between a and b that still had something to do when the run stopped. */
export interface PendingWork {
  side: Side;
  connection: { local: Endpoint; remote: Endpoint };
  state: TcpState;
  /** The timer that would have made it act (`retransmit` whenever data, SYN or FIN is unacknowledged). */
  timer: TimerKind;
  /** When that timer was due (virtual ms). */
  at: number;
}

/**
 * How a run ended. `settled`: the script finished and nothing between a and b was left to
 * send or retransmit, so `final` is what the states stay at (TIME_WAIT and FIN_WAIT2 still end
 * by their own timers). `stuck`: a step waited for a state that nothing could bring. A limit
 * (`time-limit`, `step-limit`): the run was cut, and `pending` says what was still to come; the
 * states in `final` are then not final.
 */
export interface StoryEnd {
  reason: 'settled' | 'stuck' | 'time-limit' | 'step-limit';
  /** Virtual time the run stopped at. */
  time: number;
  pending: PendingWork[];
}

/** What a SYN flood did to b (syn-flood), from b's counters and typed drop events. */
export interface FloodSummary {
  rate: number;
  /** ms the flood lasted, from `start`. */
  start: number;
  duration: number;
  port: number;
  spoofedSyns: number;
  /** b's segments to the spoofed sources (SYN,ACKs and their retransmissions): the backscatter. */
  backscatter: number;
  /** SYN,ACKs b sent with a cookie instead of a SYN-queue entry (Linux SyncookiesSent). */
  cookieSynAcks: number;
  /** Handshakes completed from a cookie (Linux SyncookiesRecv). */
  cookieConnections: number;
  /** SYNs and handshake ACKs b's listener dropped, by the drop event's reason. */
  drops: Partial<Record<ListenerDropReason, number>>;
  /** The most half-open (SYN_RECV) entries b's listener held at once, and its bound (the backlog). */
  synQueuePeak: number;
  backlog: number;
  /** The most connections b's stack held at once (its memory grows with this). */
  connectionsPeak: number;
}

/** What a blind attack did to its target's connection (blind-reset). */
export interface BlindSummary {
  target: Side;
  start: number;
  duration: number;
  /** Segments sent, by kind. */
  sent: Partial<Record<BlindKind, number>>;
  /** Of the RSTs, how many the scenario made land inside the target's receive window. */
  inWindow: number;
  /** Challenge ACKs the target sent (RFC 5961 3.2, 4.2), and those its limit held back. */
  challengeAcks: number;
  challengeAcksSuppressed: number;
  /** The target's challenge-ACK limit per second (per connection; the host has its own). */
  challengeAckLimit: number;
  /** ACKs the target sent to out-of-window segments, and those the 500 ms limit held back. */
  outOfWindowAcks: number;
  outOfWindowAcksSuppressed: number;
  /** Connections of the target reset by the attack (0 is the goal). */
  resets: number;
}

/** The attack a scenario played, and how the real client fared (syn-flood, blind-reset). */
export interface AttackSummary {
  flood?: FloodSummary;
  blind?: BlindSummary;
  /** When a called connect() (the last time) and when that connection reached ESTABLISHED. */
  client?: { connectAt: number; establishedAt?: number };
}

export interface Story {
  scenario: string;
  seed: number;
  /** In time order; at equal times in the order they happened. */
  events: StoryEvent[];
  /** Each side's state when the scenario ended. */
  final: Record<Side, TcpState>;
  streams: { 'a->b': StreamSummary; 'b->a': StreamSummary };
  /** How the run ended (every story the runner tells has it). */
  end?: StoryEnd;
  /** Scenarios with an attack: its figures. */
  attack?: AttackSummary;
}

export function isSegment(e: StoryEvent): e is SegmentEvent {
  return e.type === 'segment';
}

export function isStateChange(e: StoryEvent): e is StateEvent {
  return e.type === 'state';
}

/** The states each side went through, in order, starting with its first `from`. */
export function stateSequence(story: Story, side: Side): TcpState[] {
  const seq: TcpState[] = [];
  for (const e of story.events) {
    if (e.type !== 'state' || e.side !== side) continue;
    if (seq.length === 0) seq.push(e.from);
    seq.push(e.to);
  }
  return seq;
}

export function other(side: Side): Side {
  return side === 'a' ? 'b' : 'a';
}

/**
 * Each direction's base for relative sequence numbers, as Wireshark does: the sequence number
 * of the first SYN that side sent (its ISS), or of its first segment when it sent no SYN.
 */
export function sequenceBases(story: Story): Partial<Record<Side, number>> {
  const bases: Partial<Record<Side, number>> = {};
  const firstAny: Partial<Record<Side, number>> = {};
  for (const e of story.events) {
    if (e.type !== 'segment') continue;
    if (bases[e.from] === undefined && e.flags.split(',').includes('SYN')) bases[e.from] = e.seq;
    if (firstAny[e.from] === undefined) firstAny[e.from] = e.seq;
  }
  return { a: bases.a ?? firstAny.a, b: bases.b ?? firstAny.b };
}

export interface SegmentNumbers {
  seq: number;
  ack: number;
}

/** seq relative to the sender's base, ack relative to the receiver's; raw when `absolute`. */
export function segmentNumbers(
  e: SegmentEvent,
  bases: Partial<Record<Side, number>>,
  absolute: boolean,
): SegmentNumbers {
  if (absolute) return { seq: e.seq, ack: e.ack };
  const seqBase = bases[e.from];
  const ackBase = bases[e.to];
  return {
    seq: seqBase === undefined ? e.seq : (e.seq - seqBase) >>> 0,
    ack: ackBase === undefined ? e.ack : (e.ack - ackBase) >>> 0,
  };
}

/** The label renderers put on a segment: "SYN,ACK seq=0 ack=1 len=0 win=65535". */
export function segmentLabel(
  e: SegmentEvent,
  bases: Partial<Record<Side, number>>,
  absolute = false,
): string {
  const n = segmentNumbers(e, bases, absolute);
  const flags = e.flags === '' ? '<none>' : e.flags;
  const ack = e.flags.split(',').includes('ACK') ? ` ack=${n.ack}` : '';
  return `${flags} seq=${n.seq}${ack} len=${e.len} win=${e.win}`;
}

/** A time for people: whole milliseconds as is, fractions to the microsecond. */
export function formatMs(t: number): string {
  return Number.isInteger(t) ? String(t) : t.toFixed(3);
}

/**
 * One IPv4 packet as it left its sender, kept beside the story by the scenario runner so the
 * exchange can be written as a pcap file (the story itself only has the TCP summary).
 */
export interface CapturedPacket {
  time: number;
  bytes: Uint8Array;
}
