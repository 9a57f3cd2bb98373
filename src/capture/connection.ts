/**
 * One TCP connection as a passive observer sees it: the packets of both directions, in capture
 * order, turned into each endpoint's inputs (what it sent, what it received) for machine.ts,
 * and counted for the findings.
 *
 * When did an endpoint receive something? A capture shows each packet once, at the capture
 * point. What an endpoint sent, it sent when the packet was seen. A SYN or FIN it was sent, it
 * had received once it acknowledges it; it received it after the last segment it sent that did
 * not acknowledge it, and from the last copy seen before the acknowledgment (an earlier copy
 * was lost). A bare ACK or a RST cannot be acknowledged, so it is taken as received when seen;
 * when the endpoint then retransmits what that ACK acknowledged, the ACK was lost after all and
 * its receipt is taken back.
 */
import type { TcpState } from '../state/states.js';
import type { Cause } from '../state/transitions.js';
import { seqGe, seqGt, seqLt } from '../wire/seq.js';
import { ACK, FIN, RST, SYN, type TcpPacket } from './decode.js';
import { type Change, type Input, type InputKind, replay } from './machine.js';

export type SideName = 'a' | 'b';

export function otherSide(s: SideName): SideName {
  return s === 'a' ? 'b' : 'a';
}

/** Something one side sent that the other acknowledges: its SYN or its FIN. */
interface Pending {
  end: number;
  /** Index and time of the last copy seen. */
  index: number;
  time: number;
  delivered: boolean;
}

/** What one side sent, and what the observer learned of it. */
export interface SideStats {
  address: string;
  port: number;
  packets: number;
  /** Payload bytes, retransmissions included. */
  bytes: number;
  /** Payload bytes that were new (sequence space beyond what was seen before). */
  uniqueBytes: number;
  retransmissions: number;
  dupAcks: number;
  zeroWindows: number;
  windowFull: number;
  rsts: number;
  /** Bytes this side acknowledged that the capture never showed the other side sending. */
  missedBytes: number;
  /** Holes: segments starting beyond anything this side was seen sending. */
  gaps: number;
  iss: number | undefined;
  synTime: number | undefined;
  synCount: number;
  /** When this side first acknowledged the peer's SYN,ACK (the handshake's third segment). */
  handshakeAckTime: number | undefined;
  finTime: number | undefined;
  finCount: number;
  rstTime: number | undefined;
  wscale: number | undefined;
}

interface SideState {
  stats: SideStats;
  initial: TcpState;
  /** The initial state is a guess (the capture began after it was entered). */
  assumed: boolean;
  inputs: Input[];
  /** Which kinds `inputs` holds, a bit each (KIND_BIT): hasInput is asked on every ACK. */
  kinds: number;
  nxt: number | undefined;
  finSeq: number | undefined;
  ackMax: number | undefined;
  lastAck: number | undefined;
  lastWin: number | undefined;
  /** Its bare SYN (an active open). */
  syn: Pending | undefined;
  /** Its SYN,ACK (a passive open, or the second half of a simultaneous one). */
  synAck: Pending | undefined;
  fin: Pending | undefined;
  prevSend: number;
  prevSendTime: number;
  /** This side sent data after the peer's FIN was seen. */
  dataAfterPeerFin: boolean;
}

/** A segment as the story keeps it (capture order). */
export interface SeenSegment {
  index: number;
  time: number;
  from: SideName;
  flags: number;
  seq: number;
  ack: number;
  len: number;
  win: number;
  /** Set when the observer concluded this segment never reached its receiver. */
  lost: boolean;
  retransmission: boolean;
}

export interface ConnectionOptions {
  /** How many segments to keep for diagrams and JSON (0: none; the counts are kept anyway). */
  keepSegments: number;
  /** Segments still to be kept across all connections: memory stays bounded on big captures. */
  budget: { left: number };
}

export class Connection {
  readonly id: number;
  readonly sides: Record<SideName, SideState>;
  readonly segments: SeenSegment[] = [];
  /** Segments seen but not kept (beyond `keepSegments`). */
  dropped = 0;
  packets = 0;
  firstTime: number;
  lastTime: number;
  /** The capture started after the handshake. */
  readonly midStream: boolean;
  /** Set by the tracker: a later connection reused these ports, and when. */
  reusedAt?: number;
  /** Set by the tracker: this connection reused the ports of an earlier one in TIME_WAIT. */
  reuse?: { previous: number; side: SideName; sinceTimeWait: number };
  /** Zeek's history string (zeek.ts), built packet by packet. */
  history: string;
  /** ACKs seen that, as a retransmission showed, never arrived (kept or not). */
  lostAcks = 0;
  /** The history letters seen once already: bit (letter - 'a') of `lettersA`, `lettersB`. */
  private lettersA = 0;
  private lettersB = 0;
  /** How often the repeated letters (t, w, g) occurred: a's three, then b's. */
  private readonly repeats = [0, 0, 0, 0, 0, 0];
  /** a's endpoint, to tell the directions apart without text: IPv4 as a number, IPv6 as bytes. */
  private readonly aNum: number;
  private readonly aBytes: Uint8Array | undefined;
  private readonly aPort: number;
  /** Segments still to keep for this connection (0 once it keeps none). */
  private keep: number;
  private replayedA: Change[] | undefined;
  private replayedB: Change[] | undefined;
  private readonly budget: { left: number };

  constructor(id: number, first: TcpPacket, options: ConnectionOptions) {
    this.id = id;
    this.keep = options.keepSegments;
    this.budget = options.budget;
    this.firstTime = first.timeMs;
    this.lastTime = first.timeMs;
    const syn = (first.flags & (SYN | ACK)) === SYN;
    const synAck = (first.flags & (SYN | ACK)) === (SYN | ACK);
    // `a` is the side that sent the first SYN; a SYN,ACK seen first was answering a SYN from its receiver.
    const aIsSender = !synAck;
    const aAddr = aIsSender ? first.src : first.dst;
    const aPort = aIsSender ? first.sport : first.dport;
    this.aPort = aPort;
    this.aNum = aIsSender ? first.srcNum : first.dstNum;
    const aAt = aIsSender ? first.srcAt : first.dstAt;
    this.aBytes = first.version === 6 ? first.bytes.slice(aAt, aAt + 16) : undefined;
    const bAddr = aIsSender ? first.dst : first.src;
    const bPort = aIsSender ? first.dport : first.sport;
    this.midStream = !syn && !synAck;
    // Zeek marks with ^ a connection whose roles it flipped: here, a SYN,ACK seen before any SYN.
    this.history = synAck ? '^' : '';
    const start = (addr: string, port: number, initial: TcpState, assumed: boolean): SideState => ({
      stats: newStats(addr, port),
      initial,
      assumed,
      inputs: [],
      kinds: 0,
      nxt: undefined,
      finSeq: undefined,
      ackMax: undefined,
      lastAck: undefined,
      lastWin: undefined,
      syn: undefined,
      synAck: undefined,
      fin: undefined,
      prevSend: -1,
      prevSendTime: 0,
      dataAfterPeerFin: false,
    });
    if (syn) {
      // The listener's state is known only once it answers (connection.ts, handle).
      this.sides = {
        a: start(aAddr, aPort, 'CLOSED', false),
        b: start(bAddr, bPort, 'CLOSED', true),
      };
    } else if (synAck) {
      this.sides = {
        a: start(aAddr, aPort, 'SYN_SENT', true),
        b: start(bAddr, bPort, 'LISTEN', true),
      };
    } else {
      this.sides = {
        a: start(aAddr, aPort, 'ESTABLISHED', true),
        b: start(bAddr, bPort, 'ESTABLISHED', true),
      };
    }
  }

  sideOf(p: TcpPacket): SideName {
    if (p.sport !== this.aPort) return 'b';
    const a = this.aBytes;
    if (a === undefined) return p.srcNum === this.aNum ? 'a' : 'b';
    const d = p.bytes;
    const at = p.srcAt;
    for (let i = 0; i < 16; i++) if (d[at + i] !== a[i]) return 'b';
    return 'a';
  }

  /** Keeps no segments of this connection (its counts and states are kept all the same). */
  keepNoSegments(): void {
    this.keep = 0;
  }

  /** Takes one packet of this connection, in capture order. */
  handle(p: TcpPacket): void {
    const index = this.packets++;
    this.replayedA = undefined;
    this.replayedB = undefined;
    const xName = this.sideOf(p);
    const x = this.sides[xName];
    const y = this.sides[otherSide(xName)];
    const s = x.stats;
    const t = p.timeMs;
    this.lastTime = t;
    s.packets++;
    const syn = (p.flags & SYN) !== 0;
    const fin = (p.flags & FIN) !== 0;
    const rst = (p.flags & RST) !== 0;
    const hasAck = (p.flags & ACK) !== 0;

    // Sequence space: SYN and FIN take one number each (RFC 9293 3.4).
    const end = (p.seq + p.len + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
    let retransmission = false;
    if (syn) {
      if (x.stats.iss === undefined || x.stats.iss !== p.seq) {
        s.iss = p.seq;
        s.synTime = t;
      } else {
        retransmission = true;
      }
      s.synCount++;
      if (p.wscale !== undefined) s.wscale = p.wscale;
    }
    if (p.len > 0) {
      s.bytes += p.len;
      if (x.nxt !== undefined && seqLt(p.seq, x.nxt)) {
        retransmission = true;
        if (seqGt(end, x.nxt)) s.uniqueBytes += (end - x.nxt) >>> 0;
      } else {
        if (x.nxt !== undefined && seqGt(p.seq, x.nxt)) s.gaps++;
        s.uniqueBytes += p.len;
      }
      if (y.finSeq !== undefined) x.dataAfterPeerFin = true;
      // Wireshark's "window full": this segment fills the receiver's last advertised window.
      if (y.lastAck !== undefined && y.lastWin !== undefined && y.lastWin > 0) {
        const edge = (y.lastAck + y.lastWin * 2 ** this.scale(otherSide(xName))) >>> 0;
        if ((p.seq + p.len) >>> 0 === edge) s.windowFull++;
      }
    }
    if (fin) {
      if (x.finSeq !== undefined && x.finSeq === (p.seq + p.len) >>> 0) retransmission = true;
      s.finTime ??= t;
      s.finCount++;
    }
    if (retransmission && !rst) s.retransmissions++;
    this.addHistory(xName, p, retransmission);
    if (x.nxt === undefined || seqGt(end, x.nxt)) x.nxt = end;

    // What this packet acknowledges: first what x had received (its receipts come before its send).
    if (hasAck && !rst) {
      if (y.nxt !== undefined && seqGt(p.ack, y.nxt)) {
        s.missedBytes += (p.ack - y.nxt) >>> 0;
        this.letter(otherSide(xName), 'g', true);
        y.nxt = p.ack;
      }
      this.deliver(x, y, p.ack, syn);
      if (
        x.stats.handshakeAckTime === undefined &&
        !syn &&
        y.synAck &&
        seqGe(p.ack, y.synAck.end)
      ) {
        x.stats.handshakeAckTime = t;
      }
      // Duplicate ACK (RFC 5681 section 2): no data, no SYN/FIN, same ACK and window, data outstanding.
      if (
        p.len === 0 &&
        !syn &&
        !fin &&
        x.lastAck === p.ack &&
        x.lastWin === p.win &&
        y.nxt !== undefined &&
        seqGt(y.nxt, p.ack)
      ) {
        s.dupAcks++;
      }
      if (x.ackMax === undefined || seqGt(p.ack, x.ackMax)) x.ackMax = p.ack;
      x.lastAck = p.ack;
    }
    if (!rst) {
      x.lastWin = p.win;
      if (p.win === 0) s.zeroWindows++;
    }

    // What x sent.
    if (rst) {
      s.rsts++;
      s.rstTime ??= t;
      const cause =
        x.finSeq !== undefined && y.dataAfterPeerFin ? 'rcv data after close()' : undefined;
      this.input(x, 'send RST', index, t, index, cause);
      if (this.rstAcceptable(y, p)) this.input(y, 'rcv RST', index + 0.5, t, index);
    } else {
      if (syn && !hasAck) {
        this.input(x, 'send SYN', index, t, index);
        x.syn = pending(x.syn, end, index, t);
      } else if (syn && hasAck) {
        // A SYN,ACK: x had received a SYN (seen or not); its own SYN now waits for an ACK.
        if (x.initial === 'CLOSED' && x.assumed && !this.hasInput(x, 'send SYN')) {
          // It answered a SYN it had not sent one of its own for: a listener was there.
          x.initial = 'LISTEN';
          x.assumed = false;
        }
        if (y.syn === undefined && !this.hasInput(x, 'rcv SYN'))
          this.input(x, 'rcv SYN', index - 0.5, t, index);
        // x sent its SYN,ACK again: the ACK of it that y seemed to send had not arrived.
        if (retransmission) this.retract(x, 'rcv ACK of SYN', index);
        x.synAck = pending(x.synAck, end, index, t);
        // In a simultaneous open, a SYN,ACK goes to a side that has already acknowledged the
        // SYN in it: nothing will acknowledge the SYN,ACK, so it is taken as received when seen.
        crossedSynAck(y, x.synAck, index, t);
        crossedSynAck(x, y.synAck, index, t);
      }
      if (fin) {
        const finEnd = end;
        if (x.finSeq === undefined) {
          x.finSeq = (finEnd - 1) >>> 0;
          this.input(x, 'send FIN', index, t, index);
          x.fin = pending(undefined, finEnd, index, t);
        } else if (x.fin) {
          x.fin.index = index;
          x.fin.time = t;
          // x sent its FIN again: the ACK of it that y seemed to send had not arrived.
          this.retract(x, 'rcv ACK of FIN', index);
        }
      }
      // The ACK's effect on y: its SYN or FIN acknowledged.
      if (hasAck) {
        if (y.synAck && !syn && seqGe(p.ack, y.synAck.end) && !this.hasInput(y, 'rcv ACK of SYN')) {
          this.input(y, 'rcv ACK of SYN', index + 0.5, t, index);
        }
        if (
          y.fin &&
          y.finSeq !== undefined &&
          seqGe(p.ack, y.fin.end) &&
          !this.hasInput(y, 'rcv ACK of FIN')
        ) {
          this.input(y, 'rcv ACK of FIN', index + 0.5, t, index);
        }
      }
      x.prevSend = index;
      x.prevSendTime = t;
    }

    if (this.keep > this.segments.length && this.budget.left > 0) {
      this.budget.left--;
      this.segments.push({
        index,
        time: t,
        from: xName,
        flags: p.flags,
        seq: p.seq,
        ack: p.ack,
        len: p.len,
        win: p.win,
        lost: false,
        retransmission,
      });
    } else {
      this.dropped++;
    }
  }

  /**
   * Zeek's history letters (upper case for the originator, a): each once per direction, except
   * retransmissions (t), zero windows (w) and gaps (g), repeated at 1, 10, 100, … occurrences.
   */
  private addHistory(side: SideName, p: TcpPacket, retransmission: boolean): void {
    const f = p.flags;
    const syn = (f & SYN) !== 0;
    const fin = (f & FIN) !== 0;
    const rst = (f & RST) !== 0;
    if (syn && (fin || rst)) this.letter(side, 'q', false);
    else if (fin && rst) this.letter(side, 'i', false);
    if (syn) this.letter(side, f & ACK ? 'h' : 's', false);
    if (fin) this.letter(side, 'f', false);
    if (rst) this.letter(side, 'r', false);
    if (p.len > 0) this.letter(side, 'd', false);
    else if (f & ACK && !syn && !fin && !rst) this.letter(side, 'a', false);
    if (retransmission && p.len > 0) this.letter(side, 't', true);
    if (p.win === 0 && !rst && !syn) this.letter(side, 'w', true);
  }

  private letter(side: SideName, letter: string, scaled: boolean): void {
    const bit = 1 << (letter.charCodeAt(0) - 97);
    let add: boolean;
    if (scaled) {
      const i = (side === 'a' ? 0 : 3) + (letter === 't' ? 0 : letter === 'w' ? 1 : 2);
      add = isPowerOfTen(++this.repeats[i]);
    } else if (side === 'a') {
      add = (this.lettersA & bit) === 0;
      this.lettersA |= bit;
    } else {
      add = (this.lettersB & bit) === 0;
      this.lettersB |= bit;
    }
    // Upper case for a.
    if (add) this.history += side === 'a' ? letter.toUpperCase() : letter;
  }

  /**
   * Adds one input to a side's machine. Retransmitted SYNs and repeated RSTs would add one
   * each, without bound on a capture of a SYN or RST storm; past a few of a kind they change
   * nothing (the machine has left the states they act in), so memory per connection stays
   * bounded.
   */
  private input(
    side: SideState,
    kind: InputKind,
    order: number,
    time: number,
    packet: number,
    cause?: Cause,
  ): void {
    if (kind === 'send SYN' || kind === 'send RST' || kind === 'rcv RST') {
      let n = 0;
      for (const i of side.inputs) if (i.kind === kind && ++n >= REPEATS_KEPT) return;
    }
    side.inputs.push({ kind, order, time, packet, cause });
    side.kinds |= KIND_BIT[kind];
  }

  /**
   * x's ACK up to `ack`: the SYN, SYN,ACK and FIN of y that it covers reached x. A SYN,ACK
   * answering y's bare SYN says x received that SYN; a bare ACK, that x received y's SYN,ACK.
   */
  private deliver(x: SideState, y: SideState, ack: number, xSendsSyn: boolean): void {
    if (xSendsSyn) {
      this.take(x, y.syn, ack, 'rcv SYN');
    } else {
      this.take(x, y.syn, ack, y.synAck ? undefined : 'rcv SYN');
      this.take(x, y.synAck, ack, 'rcv SYN,ACK');
    }
    this.take(x, y.fin, ack, 'rcv FIN');
  }

  private take(
    x: SideState,
    item: Pending | undefined,
    ack: number,
    kind: InputKind | undefined,
  ): void {
    if (!item || item.delivered || !seqGe(ack, item.end)) return;
    item.delivered = true;
    if (kind === undefined) return;
    // Received after x's last segment that did not acknowledge it, and after its last copy.
    const after = Math.max(item.index, x.prevSend);
    const time = after === item.index ? item.time : x.prevSendTime;
    x.inputs.push({ kind, order: after + 0.5, time, packet: item.index, cause: undefined });
    x.kinds |= KIND_BIT[kind];
  }

  private hasInput(side: SideState, kind: InputKind): boolean {
    return (side.kinds & KIND_BIT[kind]) !== 0;
  }

  /** Takes back receipts of `kind` (an ACK that, as a retransmission shows, never arrived). */
  private retract(side: SideState, kind: InputKind, before: number): void {
    for (let i = side.inputs.length - 1; i >= 0; i--) {
      const input = side.inputs[i];
      if (input.kind !== kind || input.order > before) continue;
      side.inputs.splice(i, 1);
      if (!side.inputs.some((k) => k.kind === kind)) side.kinds &= ~KIND_BIT[kind];
      this.lostAcks++;
      const seg = this.segments.find((s) => s.index === input.packet);
      if (seg) seg.lost = true;
    }
  }

  /** RFC 9293 3.10.7: a RST counts in SYN-SENT when it acknowledges the SYN, else when in window. */
  private rstAcceptable(y: SideState, p: TcpPacket): boolean {
    if (y.syn && !y.syn.delivered && y.stats.iss !== undefined && y.ackMax === undefined) {
      return (p.flags & ACK) !== 0 && p.ack === y.syn.end;
    }
    const rcvNxt = y.ackMax;
    if (rcvNxt === undefined) return true;
    if (p.seq === rcvNxt) return true;
    const win = Math.max(1, (y.lastWin ?? 65535) * 2 ** this.scaleOf(y));
    return seqGe(p.seq, rcvNxt) && seqLt(p.seq, (rcvNxt + win) >>> 0);
  }

  private scale(side: SideName): number {
    return this.scaleOf(this.sides[side]);
  }

  /** RFC 7323 2.2: scaling is on only when both SYNs carried the option. */
  private scaleOf(side: SideState): number {
    const a = this.sides.a.stats.wscale;
    const b = this.sides.b.stats.wscale;
    if (a === undefined || b === undefined) return 0;
    return side.stats.wscale ?? 0;
  }

  /** The side's state changes so far, from its initial state (kept until the next packet). */
  changes(side: SideName): Change[] {
    let c = side === 'a' ? this.replayedA : this.replayedB;
    if (!c) {
      const s = this.sides[side];
      c = replay(s.initial, s.inputs);
      if (side === 'a') this.replayedA = c;
      else this.replayedB = c;
    }
    return c;
  }

  /** The same as `changes`, without keeping them (a summary row needs them once). */
  changesOnce(side: SideName): Change[] {
    const kept = side === 'a' ? this.replayedA : this.replayedB;
    if (kept) return kept;
    const s = this.sides[side];
    return replay(s.initial, s.inputs);
  }

  stateOf(side: SideName): TcpState {
    const c = this.changes(side);
    return c.length === 0 ? this.sides[side].initial : c[c.length - 1].to;
  }

  /** Both ends are closed or waiting out TIME_WAIT: a new SYN starts a new connection. */
  ended(): boolean {
    const done = (s: TcpState) => s === 'CLOSED' || s === 'TIME_WAIT';
    return done(this.stateOf('a')) && done(this.stateOf('b'));
  }

  /** The tracker's note that a new SYN ended TIME_WAIT on `side`. */
  newSyn(side: SideName, time: number): void {
    this.replayedA = undefined;
    this.replayedB = undefined;
    this.sides[side].inputs.push({
      kind: 'rcv new SYN',
      order: this.packets,
      time,
      packet: this.packets,
      cause: undefined,
    });
    this.sides[side].kinds |= KIND_BIT['rcv new SYN'];
  }
}

const KIND_BIT: Readonly<Record<InputKind, number>> = {
  'send SYN': 1,
  'rcv SYN': 2,
  'rcv SYN,ACK': 4,
  'rcv ACK of SYN': 8,
  'send FIN': 16,
  'rcv FIN': 32,
  'rcv ACK of FIN': 64,
  'send RST': 128,
  'rcv RST': 256,
  'rcv new SYN': 512,
};

/** Inputs of one repeatable kind kept per side (Connection.input). */
const REPEATS_KEPT = 8;

function isPowerOfTen(n: number): boolean {
  let m = n;
  while (m >= 10 && m % 10 === 0) m /= 10;
  return m === 1;
}

function pending(item: Pending | undefined, end: number, index: number, time: number): Pending {
  if (item && item.end === end) {
    item.index = index;
    item.time = time;
    return item;
  }
  return { end, index, time, delivered: false };
}

/** `item`, a SYN,ACK to `to`, taken as received once `to` has acknowledged what it carries. */
function crossedSynAck(to: SideState, item: Pending | undefined, index: number, t: number): void {
  if (!item || item.delivered || to.ackMax === undefined || !seqGe(to.ackMax, item.end)) return;
  item.delivered = true;
  to.inputs.push({
    kind: 'rcv SYN,ACK',
    order: Math.max(item.index, index) + 0.5,
    time: t,
    packet: item.index,
    cause: undefined,
  });
  to.kinds |= KIND_BIT['rcv SYN,ACK'];
}

function newStats(address: string, port: number): SideStats {
  return {
    address,
    port,
    packets: 0,
    bytes: 0,
    uniqueBytes: 0,
    retransmissions: 0,
    dupAcks: 0,
    zeroWindows: 0,
    windowFull: 0,
    rsts: 0,
    missedBytes: 0,
    gaps: 0,
    iss: undefined,
    synTime: undefined,
    synCount: 0,
    handshakeAckTime: undefined,
    finTime: undefined,
    finCount: 0,
    rstTime: undefined,
    wscale: undefined,
  };
}
