/**
 * Layer tcp/: one connection's state machine, sans-IO. May import: wire/, state/, util/.
 * Must not: import stack/ or anything above it; do I/O, read a clock (time comes in as `now`) or
 * use Math.random (lint/layers.cjs, biome.json).
 */

/**
 * One TCP connection (RFC 9293), sans-IO and deterministic.
 *
 * Methods, by kind:
 * - constructors: `Connection.connect` (active open), `Connection.acceptSyn` (passive open of a
 *   SYN that a listener in stack/ accepted);
 * - inputs: `handleSegment(now, seg)`, `endBatch()` (the last segment of a batch that arrived
 *   together was handed in), `handleTimeout(now)`, `pathMtuChanged(now, mtu)` (the stack
 *   validated an ICMP fragmentation-needed / packet-too-big about this connection);
 * - user commands: `send`, `read`, `shutdown`, `close`, `abort`, `configure`, `endTimeWait`;
 * - outputs: `pollTransmit(now)`, `pollEvent()`, `pollTimeout()`;
 * - getters: `state`, `sendQueue`, `recvQueue`, `activeTimer()`, `info()`, `stats`.
 *
 * Call order (all times in ms on the caller's clock, never decreasing, may be fractional):
 * after any input or user command (`pathMtuChanged` too: it may queue retransmissions at
 * once), drain `pollTransmit(now)` until undefined, drain
 * `pollEvent()` until undefined, then re-read `pollTimeout()` and call `handleTimeout(now)` once
 * `now >= pollTimeout()`. A spurious `handleTimeout` is a no-op; otherwise it serves every
 * expired timer in a fixed order (timer-table.ts): 2MSL, FIN_WAIT2, user timeout (each ends the
 * connection), then retransmission or persist, keepalive, delayed ACK.
 *
 * Nothing the peer sends makes this class throw: bad segments are counted in `stats` and dropped
 * or answered as RFC 9293 3.10.7 and RFC 5961 say. User misuse throws `TcpUsageError`.
 *
 * Segment arrival follows the order of RFC 9293 3.10.7.4: PAWS (RFC 7323 5), sequence check,
 * RST, SYN, ACK, (URG ignored), text, FIN. Choices where the RFCs leave room, following Linux:
 * - delayed ACK: an ACK goes out at once for every second full-sized segment (RFC 5681 4.2),
 *   for out-of-order data and for data that fills a gap (RFC 5681 4.2), for a FIN, and for a
 *   window update after the application read, and for the last segment of a burst of two or
 *   more (`endBatch`, config.ackPerBatch); otherwise after `delayedAckTimeout`. PSH does not
 *   force an ACK.
 * - `close()` with unread received data sends RST (RFC 9293 3.10.4, RFC 2525 2.17) and ends with
 *   reason `aborted`; so does data arriving after `close()` (an orphan cannot deliver it).
 * - retransmission, keepalive and user timeouts end the connection without sending RST.
 * - loss recovery (recovery.ts) as Linux's default: RACK-TLP (RFC 8985) and RFC 6675 SACK
 *   recovery paced by PRR (RFC 6937), NewReno (RFC 6582) for a peer without SACK, undo of
 *   spurious reductions (D-SACK, timestamps, F-RTO); unlike Linux, the tail loss probe runs in
 *   recovery and after a first timeout too (config.probeInRecovery, as FreeBSD's RACK stack).
 *   After a timeout, retransmission starts at SND.UNA and skips what the peer SACKed; SND.NXT
 *   (`info().sndNxt`) stays one past the highest sequence number sent, and pure ACKs carry it.
 * - RST in SYN_RECV ends a passive open with `reset` (the listener in stack/ stays, as on Linux)
 *   and an active (simultaneous) one with `refused`; RST in TIME_WAIT is ignored (RFC 1337).
 * - `close()`/`shutdown()` before ESTABLISHED queue the FIN; FIN_WAIT1 follows the handshake.
 * - segments without timestamps on a timestamp connection are accepted (Linux, FreeBSD's
 *   default), not dropped as RFC 7323 3.2 suggests; URG data is delivered as ordinary data.
 * - `send()`, `read()` and `configure()` take no time: timers they imply are armed by the next
 *   `pollTransmit(now)`, which the call order requires anyway.
 *
 * Events: `state` for every transition (cause: `connect()`, `rcv SYN,ACK`, `2MSL timer`, …),
 * `readable` (coalesced; returned before other queued events), `end` (peer FIN), `writable`
 * (after a `send()` that could not take everything, once ACKs free space), then `closed` with
 * its CloseReason, always last.
 */

import type { TcpState } from '../state/states.js';
import type { Cause } from '../state/transitions.js';
import { seqAdd, seqDiff } from '../wire/seq.js';
import type { TcpSegment } from '../wire/types.js';
import { NOT_ECT, reduceForEcn } from './ecn.js';
import { TcbInput } from './input.js';
import type { ConnectionOptions } from './tcb.js';
import { nextDeadline, nextTimer, STOPPED, TIMER_KINDS, Timer } from './timer-table.js';
import {
  type ConnectionConfig,
  type ConnectionEvent,
  TcpUsageError,
  type TimerKind,
} from './types.js';

export type { ConnectionOptions } from './tcb.js';

/** A tcp_info-like view for snapshots, tests and the packetdrill runner. */
export interface ConnectionInfo {
  state: TcpState;
  iss: number;
  irs: number;
  sndUna: number;
  /** RFC 9293 SND.NXT: one past the highest sequence number sent, also while retransmitting. */
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  /** RCV.WND: the window we advertised last, from RCV.NXT. */
  rcvWnd: number;
  sndWndScale: number;
  rcvWndScale: number;
  mss: number;
  srtt: number | undefined;
  rttvar: number | undefined;
  rto: number;
  cwnd: number;
  ssthresh: number;
  /** The congestion controller in use (config.congestionControl). */
  congestionControl: string;
  /** Loss recovery's state, as Linux's tcp_info ca_state: open, recovery (fast), loss (after RTO). */
  caState: 'open' | 'recovery' | 'loss';
  retransmits: number;
  /** Window reductions undone as spurious (stats.undos). */
  undos: number;
  sackPermitted: boolean;
  timestamps: boolean;
  /** Buffer sizes in bytes (SO_RCVBUF, SO_SNDBUF), after any MSS rounding. */
  receiveBufferSize: number;
  sendBufferSize: number;
  /** ECN (RFC 3168) agreed with the peer, and whether a CE mark has arrived. */
  ecnOk: boolean;
  ecnSeen: boolean;
  /** RFC 7323 TS.Recent (for the stack's TIME_WAIT reuse test, RFC 6191); undefined without timestamps. */
  tsRecent?: number | undefined;
  /** The path MTU in use (tcp_info's tcpi_pmtu; RFC 1191, RFC 8201); undefined while none is known. */
  pmtu?: number | undefined;
  /** Segments delivered (stats.delivered). */
  delivered: number;
  /** The MSS our SYN offered (config.mss; Linux's tcpi_advmss). */
  advMss: number;
  /** When data last arrived, or the handshake ended (ms). */
  lastDataAt: number;
  /** The scoreboard: bytes SACKed, deemed lost, and retransmitted still in flight. */
  sackedBytes: number;
  lostBytes: number;
  retransInFlightBytes: number;
}

export class Connection extends TcbInput {
  private constructor(now: number, opts: ConnectionOptions, passive: boolean) {
    super(now, opts, passive);
  }

  /** Active open: sends SYN, state CLOSED -> SYN_SENT (cause `connect()`). */
  static connect(now: number, opts: ConnectionOptions): Connection {
    const c = new Connection(now, opts, false);
    c.synPending = true;
    c.setState(now, 'SYN_SENT', 'connect()');
    c.updateTimers(now);
    return c;
  }

  /**
   * Passive open completed by a SYN that a listener (stack/) accepted: state LISTEN -> SYN_RECV
   * (cause `rcv SYN`), SYN,ACK queued. Data on the SYN is not kept (the peer sends it again),
   * unless a Fast Open cookie made it acceptable (opts.acceptSynData).
   */
  static acceptSyn(now: number, syn: TcpSegment, opts: ConnectionOptions): Connection {
    const c = new Connection(now, opts, true);
    c.st = 'LISTEN';
    c.stats.segmentsIn++;
    c.takePeerSyn(syn);
    // RFC 7413 4.2.2: with a valid Fast Open cookie the SYN's data is delivered at once.
    if (opts.acceptSynData && syn.payload.byteLength > 0) {
      c.onData(now, c.rcvNxt, syn.payload);
      c.ackNow = false;
    }
    c.synPending = true;
    c.setState(now, 'SYN_RECV', 'rcv SYN');
    c.updateTimers(now);
    return c;
  }

  get state(): TcpState {
    return this.st;
  }

  /** config.ackPerBatch: the stack tells the end of each batch of segments (endBatch). */
  get acksPerBatch(): boolean {
    return this.config.ackPerBatch !== false;
  }

  /**
   * The last of a batch of segments that arrived together was handed in (config.ackPerBatch;
   * the Stack calls it when its caller polls after handing it packets). No-op otherwise.
   */
  endBatch(): void {
    this.settleAck();
  }

  /** `seg.payload` may be kept as a view until read: its bytes must not be written again. */
  handleSegment(now: number, seg: TcpSegment, ipEcn = NOT_ECT): void {
    this.stats.segmentsIn++;
    if (seg.flags.syn && seg.flags.fin && this.config.dropSynFin) {
      this.drop();
      return;
    }
    if (this.isSynchronized()) {
      // Any segment from the peer shows it is alive: keepalive starts over.
      this.timers[Timer.keepalive] = STOPPED;
      this.keepaliveProbes = 0;
    }
    switch (this.st) {
      case 'CLOSED':
        this.segmentInClosed(seg);
        break;
      case 'LISTEN':
        this.drop();
        break;
      case 'SYN_SENT':
        this.segmentInSynSent(now, seg);
        break;
      default:
        this.segmentInSynchronized(now, seg);
    }
    // RFC 3168 6.1.2: an ECE reduces the window once per window of data, as a loss would.
    if (this.ecn.onReceive(seg, ipEcn, this.sndUna, this.sndNxt) && this.caState === 'open') {
      reduceForEcn(this.cc, this.flight(), now);
    }
    if (this.ecn.ackNow) {
      this.ecn.ackNow = false;
      this.ackNow = true;
    }
    this.updateTimers(now);
  }

  /**
   * The path MTU towards the peer is now `mtu` bytes: the stack checked an ICMP fragmentation
   * needed (RFC 1191) or ICMPv6 packet too big (RFC 8201) against SND.UNA..SND.NXT (RFC 5927
   * 4.1) and the family's floor (stack/pmtu.ts), or a learned PMTU expired and `mtu` is the
   * link's again. The send MSS becomes the PMTU less the IP and TCP headers (less the
   * timestamps option, as always); segments in flight that no longer fit are retransmitted at
   * once in smaller ones (recovery.ts mtuRetransmit). Returns the effective send MSS.
   */
  pathMtuChanged(now: number, mtu: number): number {
    if (this.st === 'CLOSED' || this.st === 'LISTEN' || !(mtu > 0)) return this.effSndMss();
    const before = this.mtuMss;
    this.setPathMtu(mtu);
    this.cc.setMss(this.effSndMss());
    if (this.mtuMss < before) this.mtuRetransmit();
    this.updateTimers(now);
    return this.effSndMss();
  }

  /** Serves the timers expired at `now`, in the fixed order of timer-table.ts. */
  handleTimeout(now: number): void {
    if (this.st === 'CLOSED') return;
    this.fireExpired(now);
    if (this.isClosed()) return;
    this.updateTimers(now);
  }

  /** Queues data; returns how many bytes fit in the send buffer. Throws TcpUsageError when sending is not allowed. */
  send(data: Uint8Array): number {
    switch (this.st) {
      case 'CLOSED':
        throw new TcpUsageError('ECLOSED', 'send(): the connection is closed');
      case 'LISTEN':
        throw new TcpUsageError('ENOTCONN', 'send(): the connection is not open');
      case 'SYN_SENT':
      case 'SYN_RECV':
      case 'ESTABLISHED':
      case 'CLOSE_WAIT':
        if (this.fin.kind !== 'none') {
          throw new TcpUsageError('EPIPE', 'send(): the sending side was shut down');
        }
        break;
      default:
        throw new TcpUsageError('EPIPE', 'send(): the sending side was shut down');
    }
    const n = this.sendBuf.write(data);
    if (n < data.byteLength) this.writeBlocked = true;
    return n;
  }

  /** Takes up to `max` bytes of in-order received data (empty when none). */
  read(max = Number.POSITIVE_INFINITY): Uint8Array {
    if (!(max >= 0)) throw new TcpUsageError('EINVAL', 'read(): max must be a number >= 0');
    const before = this.advertisableWindow();
    const out = this.recvBuf.read(max);
    if (out.byteLength > 0 && this.isSynchronized() && this.peerFin.kind === 'none') {
      // Send a window update when reading opened the window by the RFC 9293 3.8.6.2.2
      // threshold and the window we advertised last is less than that threshold away.
      const curWnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
      const after = this.advertisableWindow();
      const threshold = this.rcvSwsThreshold();
      if (
        after - curWnd >= threshold &&
        after > before &&
        curWnd < this.config.receiveBufferSize / 2
      ) {
        this.ackNow = true;
      }
    }
    return out;
  }

  /** Closes the sending side (FIN after queued data); receiving goes on. */
  shutdown(now: number): void {
    this.startClose(now, 'shutdown()');
  }

  /**
   * Full close: like shutdown, and the application will read no more (an orphan). With unread
   * data, or data arriving later, the connection is reset instead (RFC 9293 3.10.4).
   */
  close(now: number): void {
    if (this.st === 'CLOSED') throw new TcpUsageError('ECLOSED', 'close(): already closed');
    if (this.orphan) throw new TcpUsageError('ECLOSED', 'close(): already called');
    this.closeOrphan(now);
  }

  private closeOrphan(now: number): void {
    this.orphan = true;
    if (this.recvBuf.readable > 0 && this.isSynchronized()) {
      this.resetAndFinish(now, 'aborted', 'close()');
      return;
    }
    if (this.st === 'SYN_SENT') {
      this.finish(now, 'aborted', 'close()');
      return;
    }
    if (this.fin.kind === 'none') this.startClose(now, 'close()');
    // RFC 9293 3.10.4 leaves an orphan in FIN_WAIT2 forever; Linux's tcp_fin_timeout bounds it.
    if (this.st === 'FIN_WAIT2') this.timers[Timer.finWait2] = now + this.config.finWait2Timeout;
    this.updateTimers(now);
  }

  /** Sends RST (in SYN_RECV and the synchronized states that still hold a peer) and goes to CLOSED with reason `aborted`. */
  abort(now: number): void {
    if (this.st === 'CLOSED') throw new TcpUsageError('ECLOSED', 'abort(): already closed');
    // RFC 9293 3.10.5: no RST from SYN_SENT (nothing synchronized) nor from CLOSING, LAST_ACK
    // and TIME_WAIT (the peer has closed).
    const sendsRst = ['SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT'].includes(
      this.st,
    );
    if (sendsRst) this.resetAndFinish(now, 'aborted', 'abort()');
    else this.finish(now, 'aborted', 'abort()');
  }

  /** Changes settings that real sockets can change later (nagle, keepalive, userTimeout, …). */
  configure(patch: Partial<ConnectionConfig>): void {
    const next: ConnectionConfig = { ...this.config, ...patch };
    if (patch.keepalive) next.keepalive = { ...this.config.keepalive, ...patch.keepalive };
    this.validateConfig(next);
    const keepaliveWasOn = this.config.keepalive.enabled;
    this.config = next;
    this.rtt.reconfigure(next.minRto, next.maxRto);
    // SO_SNDBUF after connect (a socket may grow or shrink its buffer at any time).
    if (patch.sendBufferSize !== undefined) this.sendBuf.capacity = next.sendBufferSize;
    if (next.keepalive.enabled && !keepaliveWasOn) this.timers[Timer.keepalive] = STOPPED;
    if (!next.keepalive.enabled) this.timers[Timer.keepalive] = STOPPED;
    this.syncUserTimeout();
  }

  /** Ends TIME_WAIT early (the stack accepted a new SYN for this 4-tuple): TIME_WAIT -> CLOSED. */
  endTimeWait(now: number, cause: Cause): void {
    if (this.st !== 'TIME_WAIT') {
      throw new TcpUsageError('EINVAL', `endTimeWait(): state is ${this.st}, not TIME_WAIT`);
    }
    this.finish(now, 'normal', cause);
  }

  pollTransmit(now: number): TcpSegment | undefined {
    const ctl = this.controlQueue.shift();
    if (ctl !== undefined) return this.count(ctl);
    let seg: TcpSegment | undefined;
    switch (this.st) {
      case 'CLOSED':
      case 'LISTEN':
        return undefined;
      case 'SYN_SENT':
      case 'SYN_RECV':
        if (this.synPending) seg = this.buildSyn(now);
        // A Fast Open child sends data before the handshake completes (RFC 7413 4.2.2).
        else if (this.fastOpenChild) seg = this.buildData(now);
        if (seg === undefined && this.ackNow && this.st === 'SYN_RECV') {
          seg = this.buildAck(now, this.sndNxt);
        }
        break;
      default:
        seg = this.buildData(now);
        if (seg === undefined && this.keepaliveProbePending) {
          this.keepaliveProbePending = false;
          this.stats.keepaliveProbes++;
          // Linux's probe: an old sequence number (SND.NXT - 1) with no data forces an ACK.
          seg = this.buildAck(now, seqAdd(this.sndNxt, -1));
        }
        // A pure ACK carries SND.NXT, not the go-back-N rewind point: a peer that has that
        // data would find an older one unacceptable, and two rewound peers would trade ACKs
        // forever.
        if (seg === undefined && this.ackNow) seg = this.buildAck(now, this.sndNxt);
    }
    this.updateTimers(now);
    return seg;
  }

  /** The IP header's ECN field for a segment pollTransmit returned (RFC 3168: ECT(0) on new data). */
  ecnCodepoint(seg: TcpSegment): number {
    return this.ecn.codepoint(seg);
  }

  pollTimeout(): number | undefined {
    return nextDeadline(this.timers);
  }

  pollEvent(): ConnectionEvent | undefined {
    if (this.readablePending) {
      this.readablePending = false;
      // Keep 'readable' before any 'end' or 'closed' queued in the same step.
      return { type: 'readable' };
    }
    const e = this.events.shift();
    // Drained: drop the backing store shift() leaves behind (an idle connection's memory).
    if (e !== undefined && this.events.length === 0) this.events.length = 0;
    return e;
  }

  /** Bytes sent but not acknowledged, plus bytes queued (netstat Send-Q). */
  get sendQueue(): number {
    return this.sendBuf.length;
  }

  /** Bytes received in order and not yet read (netstat Recv-Q). */
  get recvQueue(): number {
    return this.recvBuf.readable;
  }

  /** The timer that fires next, for netstat-style snapshots. */
  activeTimer(): { kind: TimerKind; deadline: number } | undefined {
    const next = nextTimer(this.timers);
    const deadline = nextDeadline(this.timers);
    if (next === undefined || deadline === undefined) return undefined;
    return { kind: TIMER_KINDS[next], deadline };
  }

  info(): ConnectionInfo {
    return {
      state: this.st,
      iss: this.iss,
      irs: this.irs,
      sndUna: this.sndUna,
      sndNxt: this.sndNxt,
      sndWnd: this.sndWnd,
      rcvNxt: this.rcvNxt,
      rcvWnd: Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt)),
      sndWndScale: this.sndWndScale,
      rcvWndScale: this.wscaleOk ? this.rcvWndScale : 0,
      mss: this.effSndMss(),
      srtt: this.rtt.srtt,
      rttvar: this.rtt.rttvar,
      rto: this.rtt.rto,
      cwnd: this.cc.cwnd,
      ssthresh: this.cc.ssthresh,
      congestionControl: this.cc.kind,
      caState: this.caState,
      retransmits: this.stats.retransmits,
      undos: this.stats.undos,
      sackPermitted: this.sackOk,
      timestamps: this.tsOk,
      receiveBufferSize: this.config.receiveBufferSize,
      sendBufferSize: this.config.sendBufferSize,
      ecnOk: this.ecn.ok,
      ecnSeen: this.ecn.seen,
      tsRecent: this.tsOk ? this.tsRecent : undefined,
      pmtu: this.pathMtu,
      delivered: this.stats.delivered,
      advMss: this.advertisedMss(),
      lastDataAt: this.lastRecvAt,
      sackedBytes: this.rv.sent.sackedBytes,
      lostBytes: this.rv.sent.lostBytes,
      retransInFlightBytes: this.rv.sent.rtxBytes,
    };
  }

  private startClose(now: number, cause: Cause): void {
    switch (this.st) {
      case 'CLOSED':
        throw new TcpUsageError('ECLOSED', `${cause}: the connection is closed`);
      case 'LISTEN':
        throw new TcpUsageError('ENOTCONN', `${cause}: the connection is not open`);
      case 'SYN_SENT':
      case 'SYN_RECV':
        // RFC 9293 3.10.4: queue the FIN until ESTABLISHED; FIN_WAIT1 then follows at once.
        this.queueFin(cause);
        return;
      case 'ESTABLISHED':
        this.queueFin(cause);
        this.setState(now, 'FIN_WAIT1', cause);
        break;
      case 'CLOSE_WAIT':
        this.queueFin(cause);
        this.setState(now, 'LAST_ACK', cause);
        break;
      default:
        // Already closing: shutdown() again is a no-op, as shutdown(SHUT_WR) twice on Linux.
        return;
    }
    this.updateTimers(now);
  }
}
