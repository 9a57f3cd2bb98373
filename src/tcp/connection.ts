/**
 * One TCP connection (RFC 9293), sans-IO and deterministic.
 *
 * Methods, by kind:
 * - constructors: `Connection.connect` (active open), `Connection.acceptSyn` (passive open of a
 *   SYN that a listener in stack/ accepted);
 * - inputs: `handleSegment(now, seg)`, `handleTimeout(now)`;
 * - user commands: `send`, `read`, `shutdown`, `close`, `abort`, `configure`, `endTimeWait`;
 * - outputs: `pollTransmit(now)`, `pollEvent()`, `pollTimeout()`;
 * - getters: `state`, `sendQueue`, `recvQueue`, `activeTimer()`, `info()`, `stats`.
 *
 * Call order (all times in ms on the caller's clock, never decreasing, may be fractional):
 * after any input or user command, drain `pollTransmit(now)` until undefined, drain
 * `pollEvent()` until undefined, then re-read `pollTimeout()` and call `handleTimeout(now)` once
 * `now >= pollTimeout()`. A spurious `handleTimeout` is a no-op.
 *
 * Nothing the peer sends makes this class throw: bad segments are counted in `stats` and dropped
 * or answered as RFC 9293 3.10.7 and RFC 5961 say. User misuse throws `TcpUsageError`.
 *
 * Segment arrival follows the order of RFC 9293 3.10.7.4: PAWS (RFC 7323 5), sequence check,
 * RST, SYN, ACK, (URG ignored), text, FIN. Choices where the RFCs leave room, following Linux:
 * - delayed ACK: an ACK goes out at once for every second full-sized segment (RFC 5681 4.2),
 *   for out-of-order data and for data that fills a gap (RFC 5681 4.2), for a FIN, and for a
 *   window update after the application read; otherwise after `delayedAckTimeout`. PSH does
 *   not force an ACK.
 * - `close()` with unread received data sends RST (RFC 9293 3.10.4, RFC 2525 2.17) and ends with
 *   reason `aborted`; so does data arriving after `close()` (an orphan cannot deliver it).
 * - retransmission, keepalive and user timeouts end the connection without sending RST.
 */
import type { Endpoint, TcpState } from '../state/states.js';
import { emptyFlags } from '../wire/flags.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from '../wire/seq.js';
import { tcpOptionsLength } from '../wire/tcp-options.js';
import type { TcpOption, TcpSegment } from '../wire/types.js';
import { NewReno } from './congestion.js';
import {
  MAX_WSCALE,
  maxSackBlocks,
  readSackBlocks,
  readSynOptions,
  readTimestamp,
  segmentOptions,
  synOptions,
} from './options.js';
import { RecvBuffer } from './recv-buffer.js';
import { RttEstimator } from './rtt.js';
import { SackScoreboard } from './sack-scoreboard.js';
import { SendBuffer } from './send-buffer.js';
import {
  type CloseReason,
  type ConnectionConfig,
  type ConnectionEvent,
  type ConnectionStats,
  DEFAULT_CONFIG,
  TcpUsageError,
  type TimerKind,
} from './types.js';

export interface ConnectionOptions {
  local: Endpoint;
  remote: Endpoint;
  /** Initial send sequence number (the stack computes it per RFC 6528). */
  iss: number;
  config?: Partial<ConnectionConfig>;
}

/** A tcp_info-like view for snapshots, tests and the packetdrill runner. */
export interface ConnectionInfo {
  state: TcpState;
  iss: number;
  irs: number;
  sndUna: number;
  sndNxt: number;
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  sndWndScale: number;
  rcvWndScale: number;
  mss: number;
  srtt: number | undefined;
  rttvar: number | undefined;
  rto: number;
  cwnd: number;
  ssthresh: number;
  retransmits: number;
  sackPermitted: boolean;
  timestamps: boolean;
  /** RFC 7323 TS.Recent (for the stack's TIME_WAIT reuse test, RFC 6191); undefined without timestamps. */
  tsRecent?: number | undefined;
}

/** RFC 9293 3.7.1: the send MSS when the peer sent no MSS option. */
const DEFAULT_SEND_MSS = 536;
/** RFC 6298 (5.7): RTO after a timed-out SYN when no RTT sample exists yet. */
const RTO_AFTER_SYN_TIMEOUT = 3000;
/** RFC 7323 (2.2): the window field of a SYN is never scaled and holds at most 65535. */
const MAX_UNSCALED_WINDOW = 65535;
/** Bytes of one timestamps option with its two NOPs (RFC 7323 appendix A layout). */
const TS_OPTION_BYTES = 12;
/** Linux clamps the persist interval below to 200 ms (TCP_RTO_MIN). */
const MIN_PERSIST = 200;

/** States in which user data and our FIN may be (re)transmitted. */
const SENDING_STATES: ReadonlySet<TcpState> = new Set([
  'ESTABLISHED',
  'CLOSE_WAIT',
  'FIN_WAIT1',
  'CLOSING',
  'LAST_ACK',
]);
/** States in which received text is delivered (RFC 9293 3.10.7.4 "seventh"). */
const RECEIVING_STATES: ReadonlySet<TcpState> = new Set(['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2']);

function newStats(): ConnectionStats {
  return {
    segmentsIn: 0,
    segmentsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    retransmits: 0,
    retransmittedBytes: 0,
    timeouts: 0,
    fastRetransmits: 0,
    dupAcksIn: 0,
    outOfOrder: 0,
    dropped: 0,
    pawsDropped: 0,
    challengeAcksSent: 0,
    challengeAcksSuppressed: 0,
    resetsSent: 0,
    resetsReceived: 0,
    zeroWindowProbes: 0,
    keepaliveProbes: 0,
  };
}

/** The smallest shift that makes `buffer` fit the 16-bit window field (RFC 7323 2.3). */
function shiftFor(buffer: number): number {
  let s = 0;
  while (s < MAX_WSCALE && buffer >> s > MAX_UNSCALED_WINDOW) s++;
  return s;
}

export class Connection {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Counters for netstat -s style totals; see ConnectionStats. */
  readonly stats: ConnectionStats = newStats();

  private config: ConnectionConfig;
  private st: TcpState = 'CLOSED';
  private readonly events: ConnectionEvent[] = [];
  /** RSTs built at the moment they were decided (their numbers must not change later). */
  private readonly controlQueue: TcpSegment[] = [];

  // Send sequence space (RFC 9293 3.3.1). sndMax is the highest sequence number sent so far;
  // sndNxt goes back to sndUna when the retransmission timer expires (go-back-N).
  private readonly iss: number;
  private sndUna: number;
  private sndNxt: number;
  private sndMax: number;
  private sndWnd = 0;
  private sndWl1 = 0;
  private sndWl2 = 0;
  /** RFC 5961 (5.2) MAX.SND.WND; also the RFC 9293 3.8.6.2.1 Max(SND.WND). */
  private maxSndWnd = 0;
  private sndWndScale = 0;
  /** Send MSS from the peer's MSS option (RFC 9293 3.7.1), before option bytes. */
  private sndMss = DEFAULT_SEND_MSS;

  // Receive sequence space.
  private irs = 0;
  private rcvNxt = 0;
  /** Right edge of the window we advertised last (RFC 9293 3.8.6.2.2: never moved left). */
  private rcvAdvEdge = 0;
  private rcvWndScale = 0;
  /** rcvNxt in the last segment we sent (RFC 7323 Last.ACK.sent; delayed-ACK accounting). */
  private lastAckSent = 0;
  /** Largest payload seen, the receiver's estimate of the peer's MSS (for delayed ACK). */
  private rcvMss = DEFAULT_SEND_MSS;

  // Negotiated options.
  private wscaleOk = false;
  private tsOk = false;
  private sackOk = false;
  private tsRecent = 0;

  private readonly sendBuf: SendBuffer;
  private readonly recvBuf = new RecvBuffer();
  /** Sequence number of the first byte in sendBuf. */
  private bufSeq: number;
  private readonly scoreboard = new SackScoreboard();

  // Our FIN: queued by shutdown/close; its sequence number once the last byte is queued.
  private finQueued = false;
  /** The user call that queued the FIN before ESTABLISHED (cause of the later FIN_WAIT1). */
  private finCause = 'shutdown()';
  private finSeq = 0;
  /** The application called close(): it reads no more (an orphan, RFC 9293 3.10.4). */
  private orphan = false;
  /** The peer's FIN sequence number, once a FIN has been seen (possibly out of order). */
  private peerFinSeq: number | undefined;
  private peerFinDone = false;
  /** Passive open (acceptSyn): an RST in SYN_RECV ends with `reset`, else `refused`. */
  private readonly passive: boolean;

  // Output requests, served by pollTransmit.
  private synPending = false;
  private ackNow = false;
  /** Sequence number to retransmit next (fast retransmit, partial ACK, SACK hole). */
  private rtxSeq: number | undefined;
  private probePending = false;
  private keepaliveProbePending = false;
  private writeBlocked = false;
  private readablePending = false;

  // Timers (absolute deadlines); one retransmit-or-persist timer as in BSD.
  private rtxDeadline: number | undefined;
  private rtxKind: 'retransmit' | 'persist' = 'retransmit';
  private rtxCount = 0;
  private persistCount = 0;
  /** Zero-window probes sent since the last ACK (RFC 9293 3.8.6.1: probe while ACKs come). */
  private persistUnanswered = 0;
  private delAckDeadline: number | undefined;
  private keepaliveDeadline: number | undefined;
  private keepaliveProbes = 0;
  private timeWaitDeadline: number | undefined;
  private finWait2Deadline: number | undefined;
  /** When the oldest unacknowledged data was sent (for userTimeout, RFC 5482). */
  private unackedSince: number | undefined;

  private readonly rtt: RttEstimator;
  private readonly cc: NewReno;
  /** Karn (RFC 6298 3): the one segment being timed, when timestamps are off. */
  private rttSeq: number | undefined;
  private rttStart = 0;
  private synRetransmitted = false;

  private challengeWindowStart = Number.NEGATIVE_INFINITY;
  private challengeCount = 0;

  private constructor(now: number, opts: ConnectionOptions, passive: boolean) {
    this.local = opts.local;
    this.remote = opts.remote;
    this.config = { ...DEFAULT_CONFIG, ...opts.config };
    if (opts.config?.keepalive) {
      this.config.keepalive = { ...DEFAULT_CONFIG.keepalive, ...opts.config.keepalive };
    }
    this.validateConfig(this.config);
    this.passive = passive;
    this.iss = opts.iss >>> 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.sndMax = this.iss;
    this.bufSeq = seqAdd(this.iss, 1);
    this.sndSml = this.iss;
    this.sendBuf = new SendBuffer(this.config.sendBufferSize);
    this.rtt = new RttEstimator(this.config.initialRto, this.config.minRto, this.config.maxRto);
    this.cc = new NewReno(this.effSndMss(), this.config.initialCwndSegments, this.iss);
    this.rcvWndScale = this.config.windowScale
      ? (this.config.windowScaleShift ?? shiftFor(this.config.receiveBufferSize))
      : 0;
    void now;
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
   * (cause `rcv SYN`), SYN,ACK queued. Data on the SYN is not kept (the peer sends it again).
   */
  static acceptSyn(now: number, syn: TcpSegment, opts: ConnectionOptions): Connection {
    const c = new Connection(now, opts, true);
    c.st = 'LISTEN';
    c.stats.segmentsIn++;
    c.takePeerSyn(syn);
    c.synPending = true;
    c.setState(now, 'SYN_RECV', 'rcv SYN');
    c.updateTimers(now);
    return c;
  }

  get state(): TcpState {
    return this.st;
  }

  // ---------------------------------------------------------------- inputs

  handleSegment(now: number, seg: TcpSegment): void {
    this.stats.segmentsIn++;
    if (this.isSynchronized()) {
      // Any segment from the peer shows it is alive: keepalive starts over.
      this.keepaliveDeadline = undefined;
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
    this.updateTimers(now);
  }

  handleTimeout(now: number): void {
    if (this.st === 'CLOSED') return;
    if (this.timeWaitDeadline !== undefined && now >= this.timeWaitDeadline) {
      this.finish(now, 'normal', '2MSL timer');
      return;
    }
    if (this.finWait2Deadline !== undefined && now >= this.finWait2Deadline) {
      this.finish(now, 'normal', 'FIN_WAIT2 timer');
      return;
    }
    const ut = this.userTimeoutDeadline();
    if (ut !== undefined && now >= ut) {
      this.finish(now, 'timeout', 'user timeout');
      return;
    }
    if (this.rtxDeadline !== undefined && now >= this.rtxDeadline) {
      this.rtxDeadline = undefined;
      if (this.rtxKind === 'persist') this.onPersistTimeout(now);
      else this.onRetransmitTimeout(now);
      if (this.isClosed()) return;
    }
    if (this.keepaliveDeadline !== undefined && now >= this.keepaliveDeadline) {
      this.onKeepaliveTimeout(now);
      if (this.isClosed()) return;
    }
    if (this.delAckDeadline !== undefined && now >= this.delAckDeadline) {
      this.delAckDeadline = undefined;
      this.ackNow = true;
    }
    this.updateTimers(now);
  }

  // ---------------------------------------------------------------- user commands

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
        if (this.finQueued) {
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
    if (out.byteLength > 0 && this.isSynchronized() && this.peerFinSeq === undefined) {
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
    this.orphan = true;
    if (this.recvBuf.readable > 0 && this.isSynchronized()) {
      this.resetAndFinish(now, 'aborted', 'close()');
      return;
    }
    if (this.st === 'SYN_SENT') {
      this.finish(now, 'aborted', 'close()');
      return;
    }
    if (!this.finQueued) this.startClose(now, 'close()');
    // RFC 9293 3.10.4 leaves an orphan in FIN_WAIT2 forever; Linux's tcp_fin_timeout bounds it.
    if (this.st === 'FIN_WAIT2') this.finWait2Deadline = now + this.config.finWait2Timeout;
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
    if (next.keepalive.enabled && !keepaliveWasOn) this.keepaliveDeadline = undefined;
    if (!next.keepalive.enabled) this.keepaliveDeadline = undefined;
  }

  /** Ends TIME_WAIT early (the stack accepted a new SYN for this 4-tuple): TIME_WAIT -> CLOSED. */
  endTimeWait(now: number, cause: string): void {
    if (this.st !== 'TIME_WAIT') {
      throw new TcpUsageError('EINVAL', `endTimeWait(): state is ${this.st}, not TIME_WAIT`);
    }
    this.finish(now, 'normal', cause);
  }

  // ---------------------------------------------------------------- outputs

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
        else if (this.ackNow && this.st === 'SYN_RECV') seg = this.buildAck(now, this.sndMax);
        break;
      default:
        seg = this.buildData(now);
        if (seg === undefined && this.keepaliveProbePending) {
          this.keepaliveProbePending = false;
          this.stats.keepaliveProbes++;
          // Linux's probe: an old sequence number (SND.NXT - 1) with no data forces an ACK.
          seg = this.buildAck(now, seqAdd(this.sndMax, -1));
        }
        // A pure ACK carries the highest sequence number sent (RFC 9293 SND.NXT), not the
        // go-back-N rewind point: a peer that has that data would find an older one
        // unacceptable, and two rewound peers would trade ACKs forever.
        if (seg === undefined && this.ackNow) seg = this.buildAck(now, this.sndMax);
    }
    this.updateTimers(now);
    return seg;
  }

  pollTimeout(): number | undefined {
    return this.activeTimer()?.deadline;
  }

  pollEvent(): ConnectionEvent | undefined {
    if (this.readablePending) {
      this.readablePending = false;
      // Keep 'readable' before any 'end' or 'closed' queued in the same step.
      return { type: 'readable' };
    }
    return this.events.shift();
  }

  // ---------------------------------------------------------------- getters

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
    let kind: TimerKind | undefined;
    let deadline = Number.POSITIVE_INFINITY;
    const consider = (k: TimerKind, d: number | undefined): void => {
      if (d !== undefined && d < deadline) {
        kind = k;
        deadline = d;
      }
    };
    consider('time-wait', this.timeWaitDeadline);
    consider('fin-wait2', this.finWait2Deadline);
    consider('user-timeout', this.userTimeoutDeadline());
    consider(this.rtxKind, this.rtxDeadline);
    consider('keepalive', this.keepaliveDeadline);
    consider('delayed-ack', this.delAckDeadline);
    return kind === undefined ? undefined : { kind, deadline };
  }

  info(): ConnectionInfo {
    return {
      state: this.st,
      iss: this.iss,
      irs: this.irs,
      sndUna: this.sndUna,
      sndNxt: this.sndMax,
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
      retransmits: this.stats.retransmits,
      sackPermitted: this.sackOk,
      timestamps: this.tsOk,
      tsRecent: this.tsOk ? this.tsRecent : undefined,
    };
  }

  // ---------------------------------------------------------------- segment arrival

  /** RFC 9293 3.10.7.1: a segment for a connection that no longer exists. */
  private segmentInClosed(seg: TcpSegment): void {
    this.drop();
    if (seg.flags.rst) return;
    this.queueRstFor(seg);
  }

  /** RFC 9293 3.10.7.3 (SYN-SENT). */
  private segmentInSynSent(now: number, seg: TcpSegment): void {
    const f = seg.flags;
    let ackOk = false;
    if (f.ack) {
      // First: an ACK outside (ISS, SND.NXT] is unacceptable; answer with RST unless RST.
      if (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndMax)) {
        this.drop();
        if (!f.rst) this.queueRst(seg.ack, undefined);
        return;
      }
      ackOk = seqLe(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndMax);
    }
    if (f.rst) {
      // Second: RST counts only when it acknowledges our SYN (RFC 5961 3.2 for SYN-SENT).
      if (ackOk) {
        this.stats.resetsReceived++;
        this.finish(now, 'refused', 'rcv RST');
      } else this.drop();
      return;
    }
    if (!f.syn) {
      this.drop();
      return;
    }
    // Fourth: SYN.
    this.takePeerSyn(seg);
    if (ackOk) {
      this.ackSyn(now, seg.ack);
      this.setState(now, 'ESTABLISHED', 'rcv SYN,ACK');
      if (this.finQueued) this.setState(now, 'FIN_WAIT1', this.finCause);
      this.ackNow = true;
      // RFC 9293 3.10.7.3: continue with data or FIN on the SYN,ACK from the sixth step.
      this.processText(now, { ...seg, seq: seqAdd(seg.seq, 1), flags: { ...f, syn: false } });
    } else {
      // Simultaneous open: answer with SYN,ACK on our original ISS.
      this.setState(now, 'SYN_RECV', 'rcv SYN');
      this.synPending = true;
    }
  }

  /** RFC 9293 3.10.7.4: SYN-RECEIVED and the synchronized states. */
  private segmentInSynchronized(now: number, inSeg: TcpSegment): void {
    let seg = inSeg;
    let f = seg.flags;
    let establishCause = 'rcv ACK';
    if (this.st === 'SYN_RECV' && f.syn && seg.seq === this.irs) {
      if (!f.ack) {
        // The peer's SYN again: our SYN,ACK was lost; send it again.
        if (!f.rst) this.synPending = true;
        return;
      }
      // Simultaneous open: the peer's SYN,ACK. Its SYN is a duplicate; keep the ACK.
      seg = { ...seg, seq: seqAdd(seg.seq, 1), flags: { ...f, syn: false } };
      f = seg.flags;
      establishCause = 'rcv SYN,ACK';
    }
    const ts = this.tsOk ? readTimestamp(seg) : undefined;
    // RFC 7323 (5.3) R1: PAWS, before the sequence check; RSTs are exempt.
    if (ts !== undefined && !f.rst && seqLt(ts.value, this.tsRecent)) {
      this.stats.pawsDropped++;
      this.drop();
      this.ackNow = true;
      return;
    }
    // First: sequence number check (RFC 9293 3.10.7.4 table).
    if (!this.acceptable(seg)) {
      this.drop();
      if (!f.rst) {
        this.ackNow = true;
        // RFC 9293: TIME-WAIT acknowledges a retransmitted FIN and restarts the 2MSL timer.
        if (this.st === 'TIME_WAIT' && f.fin) this.timeWaitDeadline = now + 2 * this.config.msl;
      }
      return;
    }
    // RFC 7323 (4.3): remember the newest timestamp of a segment at or before Last.ACK.sent.
    if (ts !== undefined && seqLe(seg.seq, this.lastAckSent)) {
      this.tsRecent = ts.value;
    }
    // Second: RST (RFC 5961 3.2: only an exact match resets; in-window gets a challenge ACK).
    if (f.rst) {
      this.onRst(now, seg);
      return;
    }
    // Fourth: SYN in a synchronized state (RFC 5961 4): challenge ACK, drop.
    if (f.syn) {
      this.drop();
      this.challengeAck(now);
      return;
    }
    // Fifth: ACK.
    if (!f.ack) {
      this.drop();
      return;
    }
    if (this.st === 'SYN_RECV') {
      if (!(seqLt(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndMax))) {
        this.drop();
        this.queueRst(seg.ack, undefined);
        return;
      }
      this.ackSyn(now, seg.ack);
      this.setState(now, 'ESTABLISHED', establishCause);
      if (this.finQueued) this.setState(now, 'FIN_WAIT1', this.finCause);
    }
    if (!this.processAck(now, seg, ts)) return;
    if (this.st === 'CLOSED') return;
    if (this.st === 'TIME_WAIT') {
      // Only a retransmitted FIN can come here (RFC 9293): ACK it, restart 2MSL.
      if (f.fin) {
        this.ackNow = true;
        this.timeWaitDeadline = now + 2 * this.config.msl;
      }
      return;
    }
    // Sixth (URG) is not implemented: urgent data is delivered as ordinary data.
    // Seventh and eighth: text and FIN.
    this.processText(now, seg);
  }

  /** RFC 9293 3.10.7.4 first check: is any of the segment inside the receive window? */
  private acceptable(seg: TcpSegment): boolean {
    const len = this.segLen(seg);
    const wnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const inWnd = (s: number) => seqLe(this.rcvNxt, s) && seqLt(s, seqAdd(this.rcvNxt, wnd));
    // RFC 9293 3.10.7.4: with a zero window, a segment at RCV.NXT is still taken for its ACK
    // and RST (its text is trimmed away in processText).
    if (wnd === 0) return seg.seq === this.rcvNxt;
    if (len === 0) return inWnd(seg.seq);
    return inWnd(seg.seq) || inWnd(seqAdd(seg.seq, len - 1));
  }

  private segLen(seg: TcpSegment): number {
    return seg.payload.byteLength + (seg.flags.syn ? 1 : 0) + (seg.flags.fin ? 1 : 0);
  }

  private onRst(now: number, seg: TcpSegment): void {
    if (seg.seq !== this.rcvNxt) {
      // RFC 5961 (3.2): in the window but not exact: challenge ACK.
      this.drop();
      this.challengeAck(now);
      return;
    }
    this.stats.resetsReceived++;
    switch (this.st) {
      case 'TIME_WAIT':
        // RFC 1337 (TIME-WAIT assassination, fix 1): ignore RST in TIME-WAIT.
        this.drop();
        return;
      case 'SYN_RECV':
        // RFC 9293: a passive open goes back to LISTEN (the listener in stack/ stays); an
        // active (simultaneous) open was refused.
        this.finish(now, this.passive ? 'reset' : 'refused', 'rcv RST');
        return;
      default:
        this.finish(now, 'reset', 'rcv RST');
    }
  }

  /**
   * RFC 9293 3.10.7.4 fifth step for synchronized states. Returns false when the segment must
   * be dropped here.
   */
  private processAck(
    now: number,
    seg: TcpSegment,
    ts: { value: number; echo: number } | undefined,
  ): boolean {
    const ack = seg.ack;
    // RFC 5961 (5.2): acceptable only if SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT.
    if (seqGt(ack, this.sndMax) || seqLt(ack, seqAdd(this.sndUna, -this.maxSndWnd))) {
      this.drop();
      this.challengeAck(now);
      return false;
    }
    const window = seg.window * 2 ** this.sndWndScale;
    if (seqGt(ack, this.sndUna)) {
      this.onNewAck(now, seg, ts);
    } else if (
      ack === this.sndUna &&
      seg.payload.byteLength === 0 &&
      !seg.flags.fin &&
      window === this.sndWnd &&
      window > 0 &&
      seqGt(this.sndMax, this.sndUna)
    ) {
      // RFC 5681 (2): a duplicate ACK.
      this.stats.dupAcksIn++;
      this.scoreboard.update(readSackBlocks(seg), this.sndUna, this.sndMax);
      if (this.cc.onDupAck(ack, this.sndMax, this.flight())) {
        this.stats.fastRetransmits++;
        this.rtxSeq = this.sndUna;
        this.rttSeq = undefined;
      } else if (this.cc.inRecovery && this.sackOk) {
        this.rtxSeq = this.scoreboard.nextHole(this.rtxHigh(), this.sndMax);
      }
    } else if (this.sackOk) {
      this.scoreboard.update(readSackBlocks(seg), this.sndUna, this.sndMax);
    }
    // RFC 9293 3.10.7.4: update the send window from newer segments only.
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, ack))) {
      this.sndWnd = window;
      this.sndWl1 = seg.seq;
      this.sndWl2 = ack;
      this.maxSndWnd = Math.max(this.maxSndWnd, window);
      if (window > 0) this.persistCount = 0;
      this.persistUnanswered = 0;
    }
    return true;
  }

  /** Highest sequence number retransmitted in this recovery episode, for SACK hole search. */
  private rtxHighMark = 0;
  private rtxHigh(): number {
    return seqMax(this.rtxHighMark, this.sndUna);
  }

  private onNewAck(
    now: number,
    seg: TcpSegment,
    ts: { value: number; echo: number } | undefined,
  ): void {
    const ack = seg.ack;
    const acked = seqDiff(ack, this.sndUna);
    // Bytes of the send buffer covered (the FIN's sequence number is not in the buffer).
    const dataAcked = Math.min(Math.max(0, seqDiff(ack, this.bufSeq)), this.sendBuf.length);
    if (dataAcked > 0) {
      this.sendBuf.consume(dataAcked);
      this.bufSeq = seqAdd(this.bufSeq, dataAcked);
      if (this.writeBlocked) {
        this.writeBlocked = false;
        this.events.push({ type: 'writable' });
      }
    }
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    this.rtxCount = 0;
    this.scoreboard.update(this.sackOk ? readSackBlocks(seg) : [], ack, this.sndMax);
    // RTT sample: TSecr (RFC 7323 4.1) or the timed segment (RFC 6298 3, Karn's rule).
    if (ts !== undefined && ts.echo !== 0) {
      this.rtt.sample(seqDiff(this.tsVal(now), ts.echo));
    } else if (this.rttSeq !== undefined && seqGe(ack, this.rttSeq)) {
      this.rtt.sample(now - this.rttStart);
      this.rttSeq = undefined;
    }
    const partial = this.cc.onNewAck(ack, acked, this.flight());
    if (partial) {
      // RFC 6582 (3.2 step 4): retransmit the first unacknowledged segment.
      this.rtxSeq = this.sndUna;
      this.rttSeq = undefined;
    } else if (!this.cc.inRecovery) {
      this.rtxHighMark = ack;
    }
    // RFC 6298 (5.2, 5.3): stop the timer, or restart it for the remaining data.
    this.rtxDeadline = undefined;
    this.unackedSince = seqGt(this.sndMax, this.sndUna) ? now : undefined;
    const finAcked = this.finQueued && seqGt(ack, this.finSeq);
    if (!finAcked) return;
    switch (this.st) {
      case 'FIN_WAIT1': {
        // FIN and the ACK of our FIN together: FIN_WAIT1 -> TIME_WAIT in the FIN step.
        const finInOrder = seg.flags.fin && seqAdd(seg.seq, seg.payload.byteLength) === this.rcvNxt;
        if (!finInOrder) {
          this.setState(now, 'FIN_WAIT2', 'rcv ACK');
          if (this.orphan) this.finWait2Deadline = now + this.config.finWait2Timeout;
        }
        break;
      }
      case 'CLOSING':
        this.enterTimeWait(now, 'rcv ACK');
        break;
      case 'LAST_ACK':
        this.finish(now, 'normal', 'rcv ACK');
        break;
    }
  }

  /** Seventh and eighth steps: deliver text, then process FIN. */
  private processText(now: number, seg: TcpSegment): void {
    let seq = seg.seq;
    let data = seg.payload;
    let fin = seg.flags.fin;
    if (data.byteLength > 0 || fin) {
      // Trim what we already have and what lies beyond the advertised window.
      const before = seqDiff(this.rcvNxt, seq);
      if (before > 0) {
        data = data.subarray(Math.min(before, data.byteLength));
        seq = this.rcvNxt;
      }
      const room = Math.max(0, seqDiff(this.rcvAdvEdge, seq));
      if (data.byteLength > room) {
        data = data.subarray(0, room);
        fin = false;
        // Part of the segment did not fit: tell the peer where the window ends.
        this.ackNow = true;
      }
    }
    if (fin && this.peerFinSeq === undefined) this.peerFinSeq = seqAdd(seq, data.byteLength);
    if (data.byteLength > 0) {
      if (!RECEIVING_STATES.has(this.st)) {
        // CLOSE_WAIT, CLOSING, LAST_ACK: the peer's FIN came already; data cannot follow it.
        this.drop();
        return;
      }
      if (this.orphan) {
        // Nobody will read it: reset, as Linux does (RFC 9293 3.10.4, RFC 2525 2.17).
        this.resetAndFinish(now, 'aborted', 'rcv data after close()');
        return;
      }
      this.onData(now, seq, data);
    }
    if (this.peerFinSeq !== undefined && !this.peerFinDone && this.rcvNxt === this.peerFinSeq) {
      this.onFin(now, seg.flags.fin);
    }
  }

  private onData(now: number, seq: number, data: Uint8Array): void {
    this.stats.bytesIn += data.byteLength;
    this.rcvMss = Math.max(this.rcvMss, data.byteLength);
    // Copy: the caller's buffer may be a view of a link buffer that is reused.
    const own = data.slice();
    if (seq === this.rcvNxt) {
      const hadGap = this.recvBuf.hasOoo;
      this.recvBuf.push(own);
      this.rcvNxt = seqAdd(this.rcvNxt, own.byteLength);
      if (hadGap) {
        this.rcvNxt = this.recvBuf.drainOoo(this.rcvNxt);
        // RFC 5681 (4.2): ACK at once when a gap is filled.
        this.ackNow = true;
      }
      this.readablePending = true;
      if (!this.config.delayedAck || seqDiff(this.rcvNxt, this.lastAckSent) >= 2 * this.rcvMss) {
        this.ackNow = true;
      } else if (this.delAckDeadline === undefined) {
        this.delAckDeadline = now + this.config.delayedAckTimeout;
      }
    } else {
      // RFC 5681 (4.2): out-of-order data gets an immediate (duplicate) ACK, with SACK blocks.
      this.stats.outOfOrder++;
      this.recvBuf.insertOoo(seq, own);
      this.ackNow = true;
    }
  }

  private onFin(now: number, withSegment: boolean): void {
    this.peerFinDone = true;
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.ackNow = true;
    this.events.push({ type: 'end' });
    const cause = 'rcv FIN';
    void withSegment;
    switch (this.st) {
      case 'SYN_RECV':
      case 'ESTABLISHED':
        this.setState(now, 'CLOSE_WAIT', cause);
        break;
      case 'FIN_WAIT1':
        if (seqGt(this.sndUna, this.finSeq) && this.finQueued) {
          this.enterTimeWait(now, 'rcv FIN,ACK');
        } else {
          this.setState(now, 'CLOSING', cause);
        }
        break;
      case 'FIN_WAIT2':
        this.finWait2Deadline = undefined;
        this.enterTimeWait(now, cause);
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- helpers: handshake

  /** Reads the peer's SYN: its ISN, window and options (negotiated only if we offer too). */
  private takePeerSyn(seg: TcpSegment): void {
    this.irs = seg.seq;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.lastAckSent = this.rcvNxt;
    this.rcvAdvEdge = seqAdd(
      this.rcvNxt,
      Math.min(this.config.receiveBufferSize, MAX_UNSCALED_WINDOW),
    );
    const o = readSynOptions(seg);
    this.sndMss = o.mss ?? DEFAULT_SEND_MSS;
    // RFC 7323 (2.2, 3.2): window scaling and timestamps only when both SYNs carry them.
    // In SYN_SENT we offered according to config; in LISTEN we answer only what we offer.
    this.wscaleOk = this.config.windowScale && o.wscale !== undefined;
    this.sndWndScale = this.wscaleOk ? (o.wscale ?? 0) : 0;
    if (!this.wscaleOk) this.rcvWndScale = 0;
    this.tsOk = this.config.timestamps && o.tsValue !== undefined;
    if (this.tsOk) this.tsRecent = o.tsValue ?? 0;
    // RFC 2018 (2): SACK-permitted only in SYNs.
    this.sackOk = this.config.sack && o.sackPermitted;
    // RFC 9293 3.10.7.3: the SYN's window is never scaled.
    this.sndWnd = seg.window;
    this.maxSndWnd = seg.window;
    this.sndWl1 = seg.seq;
    this.sndWl2 = seg.ack;
    this.rcvMss = Math.min(this.config.mss, DEFAULT_SEND_MSS);
    this.cc.setMss(this.effSndMss(), this.config.initialCwndSegments);
  }

  /** Our SYN was acknowledged (SYN_SENT on SYN,ACK, SYN_RECV on ACK). */
  private ackSyn(now: number, ack: number): void {
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    this.rtxDeadline = undefined;
    this.rtxCount = 0;
    if (this.rttSeq !== undefined && seqGe(ack, this.rttSeq)) {
      this.rtt.sample(now - this.rttStart);
      this.rttSeq = undefined;
    }
    this.unackedSince = undefined;
    if (this.synRetransmitted) this.rtt.resetAfterSynTimeout(RTO_AFTER_SYN_TIMEOUT);
    // RFC 5681 (3.1): after a retransmitted SYN the initial window is one segment.
    if (this.synRetransmitted) this.cc.cwnd = this.effSndMss();
  }

  private buildSyn(now: number): TcpSegment {
    this.synPending = false;
    const synAck = this.st === 'SYN_RECV';
    const retransmit = seqGt(this.sndMax, this.iss);
    // In a SYN,ACK, offer only what the peer's SYN offered (RFC 7323 1.3, RFC 2018 2).
    const offerWscale = synAck ? this.wscaleOk : this.config.windowScale;
    const offerTs = synAck ? this.tsOk : this.config.timestamps;
    const offerSack = synAck ? this.sackOk : this.config.sack;
    const options = synOptions(this.config.synOptionLayout, {
      mss: this.config.mss,
      wscale: offerWscale ? this.rcvWndScale : undefined,
      sackPermitted: offerSack,
      ts: offerTs ? { value: this.tsVal(now), echo: synAck ? this.tsRecent : 0 } : undefined,
    });
    const seg: TcpSegment = {
      srcPort: this.local.port,
      dstPort: this.remote.port,
      seq: this.iss,
      ack: synAck ? this.rcvNxt : 0,
      flags: { ...emptyFlags(), syn: true, ack: synAck },
      window: Math.min(this.config.receiveBufferSize, MAX_UNSCALED_WINDOW),
      urgentPointer: 0,
      options,
      payload: new Uint8Array(0),
    };
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndMax = this.sndNxt;
    this.unackedSince ??= now;
    if (retransmit) {
      this.synRetransmitted = true;
      this.stats.retransmits++;
    } else {
      this.rttSeq = this.sndNxt;
      this.rttStart = now;
    }
    if (synAck) this.noteAckSent();
    return this.count(seg);
  }

  // ---------------------------------------------------------------- helpers: sending

  /** Payload bytes per segment: send MSS less the options every segment carries (RFC 6691). */
  private effSndMss(): number {
    const mss = Math.min(this.sndMss, this.config.mss);
    return Math.max(1, mss - (this.tsOk ? TS_OPTION_BYTES : 0));
  }

  private flight(): number {
    return Math.max(0, seqDiff(this.sndMax, this.sndUna));
  }

  /** Data (and FIN) the send side may put out now; undefined when nothing is due. */
  private buildData(now: number): TcpSegment | undefined {
    if (!SENDING_STATES.has(this.st)) return undefined;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    const mss = this.effSndMss();
    if (this.rtxSeq !== undefined) {
      // Fast retransmit, partial ACK or a SACK hole: one segment, not past a SACKed block.
      const seq = seqMax(this.rtxSeq, this.sndUna);
      this.rtxSeq = undefined;
      if (seqLt(seq, this.sndMax)) {
        const limit = this.scoreboard.nextSacked(seq) ?? this.sndMax;
        const len = Math.max(0, Math.min(mss, seqDiff(dataEnd, seq), seqDiff(limit, seq)));
        if (len > 0 || (this.finQueued && seq === this.finSeq)) {
          this.rtxHighMark = seqAdd(seq, len);
          return this.buildSegment(now, seq, len);
        }
      }
    }
    if (this.probePending) {
      this.probePending = false;
      if (seqLt(this.sndUna, dataEnd)) {
        // RFC 9293 3.8.6.1: a zero-window probe carries one byte beyond the window.
        this.stats.zeroWindowProbes++;
        return this.buildSegment(now, this.sndUna, 1);
      }
    }
    const unsent = seqDiff(dataEnd, this.sndNxt);
    if (unsent > 0) {
      // RFC 5681 (3.2) / RFC 3042 limited transmit: the first and second duplicate ACKs may
      // each release one new segment beyond cwnd.
      const limited = this.cc.inRecovery ? 0 : Math.min(this.cc.dupAcks, 2) * mss;
      const wnd = Math.min(this.sndWnd, this.cc.cwnd + limited);
      const usable = seqDiff(seqAdd(this.sndUna, wnd), this.sndNxt);
      const len = Math.min(unsent, mss, usable);
      if (len > 0 && this.mayTransmit(len, unsent, mss)) {
        return this.buildSegment(now, this.sndNxt, len);
      }
      return undefined;
    }
    if (this.finQueued && this.sndNxt === this.finSeq) {
      return this.buildSegment(now, this.finSeq, 0);
    }
    return undefined;
  }

  /** Sender SWS avoidance (RFC 9293 3.8.6.2.1) and Nagle (RFC 896, RFC 9293 3.7.4). */
  private mayTransmit(len: number, unsent: number, mss: number): boolean {
    if (len >= mss) return true;
    // Go-back-N after a timeout resends what was already sent: no reason to hold it.
    if (seqLt(this.sndNxt, this.sndMax)) return true;
    if (this.forceSmall) {
      this.forceSmall = false;
      return true;
    }
    if (len === unsent) {
      if (!this.config.nagle || this.finQueued) return true;
      // Nagle with Minshall's refinement (as Linux): a small segment may go when no earlier
      // small segment is unacknowledged.
      return seqLe(this.sndSml, this.sndUna);
    }
    // Limited by the window: only a sizeable fraction of the largest window seen (Fs = 1/2).
    return len >= this.maxSndWnd / 2;
  }

  /** Builds a data/FIN segment at `seq` with `len` payload bytes and advances sndNxt. */
  private buildSegment(now: number, seq: number, wanted: number): TcpSegment {
    const options = this.segmentOptions(now);
    // SACK blocks beyond the timestamps take room from the payload so that header, options
    // and data stay within the peer's MSS + 40 (RFC 6691), i.e. within the path MTU.
    const extra = tcpOptionsLength(options) - (this.tsOk ? TS_OPTION_BYTES : 0);
    const len = extra > 0 ? Math.min(wanted, Math.max(1, this.effSndMss() - extra)) : wanted;
    const offset = seqDiff(seq, this.bufSeq);
    const payload = this.sendBuf.peek(offset, len);
    const end = seqAdd(seq, payload.byteLength);
    const fin = this.finQueued && end === this.finSeq;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    const retransmit = seqLt(seq, this.sndMax);
    const seg: TcpSegment = {
      srcPort: this.local.port,
      dstPort: this.remote.port,
      seq,
      ack: this.rcvNxt,
      flags: {
        ...emptyFlags(),
        ack: true,
        fin,
        // PSH on the segment that empties the send queue (end of a write burst).
        psh: payload.byteLength > 0 && end === dataEnd,
      },
      window: this.windowField(),
      urgentPointer: 0,
      options,
      payload,
    };
    const segEnd = seqAdd(end, fin ? 1 : 0);
    if (payload.byteLength < this.effSndMss() && seqGt(end, this.sndSml)) this.sndSml = end;
    if (seqGt(segEnd, this.sndNxt)) this.sndNxt = segEnd;
    if (seqGt(segEnd, this.sndMax)) {
      if (this.sndMax === this.sndUna) this.unackedSince = now;
      this.sndMax = segEnd;
    }
    if (retransmit) {
      this.stats.retransmits++;
      this.stats.retransmittedBytes += payload.byteLength;
      if (this.rttSeq !== undefined && seqLt(seq, this.rttSeq)) this.rttSeq = undefined;
    } else {
      this.stats.bytesOut += payload.byteLength;
      if (this.rttSeq === undefined && !this.tsOk) {
        this.rttSeq = segEnd;
        this.rttStart = now;
      }
    }
    this.noteAckSent();
    return this.count(seg);
  }

  private buildAck(now: number, seq: number): TcpSegment {
    const seg: TcpSegment = {
      srcPort: this.local.port,
      dstPort: this.remote.port,
      seq,
      ack: this.rcvNxt,
      flags: { ...emptyFlags(), ack: true },
      window: this.windowField(),
      urgentPointer: 0,
      options: this.segmentOptions(now),
      payload: new Uint8Array(0),
    };
    this.noteAckSent();
    return this.count(seg);
  }

  private segmentOptions(now: number): TcpOption[] {
    const ts = this.tsOk ? { value: this.tsVal(now), echo: this.tsRecent } : undefined;
    const sack = this.sackOk ? this.recvBuf.sackBlocks(maxSackBlocks(this.tsOk)) : [];
    return segmentOptions(ts, sack);
  }

  /** Every segment we send carries ACK = rcvNxt: clear the pending-ACK state. */
  private noteAckSent(): void {
    this.ackNow = false;
    this.delAckDeadline = undefined;
    this.lastAckSent = this.rcvNxt;
  }

  private count(seg: TcpSegment): TcpSegment {
    this.stats.segmentsOut++;
    if (seg.flags.rst) this.stats.resetsSent++;
    return seg;
  }

  /** TSval: a millisecond clock (RFC 7323 5.4), offset per connection by config. */
  private tsVal(now: number): number {
    return (Math.floor(now) + this.config.tsOffset) >>> 0;
  }

  // ---------------------------------------------------------------- helpers: receive window

  private rcvSwsThreshold(): number {
    // RFC 9293 3.8.6.2.2: move the right edge only by min(Fr * RCV.BUFF, Eff.snd.MSS), Fr = 1/2.
    return Math.min(this.config.receiveBufferSize / 2, this.rcvMss);
  }

  /** Free receive-buffer space the window could offer now. */
  private advertisableWindow(): number {
    const free = Math.max(0, this.config.receiveBufferSize - this.recvBuf.readable);
    return Math.min(free, MAX_UNSCALED_WINDOW * 2 ** this.rcvWndScale);
  }

  /** The window field for a non-SYN segment, applying receiver SWS avoidance. */
  private windowField(): number {
    const curWnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const candidate = this.advertisableWindow();
    const wnd = candidate - curWnd >= this.rcvSwsThreshold() ? candidate : curWnd;
    const field = Math.min(MAX_UNSCALED_WINDOW, Math.floor(wnd / 2 ** this.rcvWndScale));
    const edge = seqAdd(this.rcvNxt, field * 2 ** this.rcvWndScale);
    // Never move the right edge left (RFC 9293 3.8.6.2.2 note on shrinking windows).
    if (seqGt(edge, this.rcvAdvEdge)) this.rcvAdvEdge = edge;
    return field;
  }

  // ---------------------------------------------------------------- helpers: RST, challenge ACK

  private queueRst(seq: number, ack: number | undefined): void {
    this.controlQueue.push({
      srcPort: this.local.port,
      dstPort: this.remote.port,
      seq,
      ack: ack ?? 0,
      flags: { ...emptyFlags(), rst: true, ack: ack !== undefined },
      window: 0,
      urgentPointer: 0,
      options: [],
      payload: new Uint8Array(0),
    });
  }

  /** RFC 9293 3.10.7.1: the reset for a segment that has no connection. */
  private queueRstFor(seg: TcpSegment): void {
    if (seg.flags.ack) this.queueRst(seg.ack, undefined);
    else this.queueRst(0, seqAdd(seg.seq, this.segLen(seg)));
  }

  /** RFC 5961 (7): challenge ACKs, at most `challengeAckLimit` per second. */
  private challengeAck(now: number): void {
    if (now - this.challengeWindowStart >= 1000) {
      this.challengeWindowStart = now;
      this.challengeCount = 0;
    }
    if (this.challengeCount >= this.config.challengeAckLimit) {
      this.stats.challengeAcksSuppressed++;
      return;
    }
    this.challengeCount++;
    this.stats.challengeAcksSent++;
    this.ackNow = true;
  }

  private drop(): void {
    this.stats.dropped++;
  }

  // ---------------------------------------------------------------- helpers: state changes

  /** A method call may have closed the connection (TypeScript's narrowing cannot see that). */
  private isClosed(): boolean {
    return this.st === 'CLOSED';
  }

  private isSynchronized(): boolean {
    return this.st !== 'CLOSED' && this.st !== 'LISTEN' && this.st !== 'SYN_SENT';
  }

  private setState(now: number, to: TcpState, cause: string): void {
    const from = this.st;
    if (from === to) return;
    this.st = to;
    this.events.push({ type: 'state', time: now, from, to, cause });
  }

  private startClose(now: number, cause: string): void {
    switch (this.st) {
      case 'CLOSED':
        throw new TcpUsageError('ECLOSED', `${cause}: the connection is closed`);
      case 'LISTEN':
        throw new TcpUsageError('ENOTCONN', `${cause}: the connection is not open`);
      case 'SYN_SENT':
      case 'SYN_RECV':
        // RFC 9293 3.10.4: queue the FIN until ESTABLISHED; FIN_WAIT1 then follows at once.
        this.queueFin();
        this.finCause = cause;
        return;
      case 'ESTABLISHED':
        this.queueFin();
        this.setState(now, 'FIN_WAIT1', cause);
        break;
      case 'CLOSE_WAIT':
        this.queueFin();
        this.setState(now, 'LAST_ACK', cause);
        break;
      default:
        // Already closing: shutdown() again is a no-op, as shutdown(SHUT_WR) twice on Linux.
        return;
    }
    this.updateTimers(now);
  }

  private queueFin(): void {
    if (this.finQueued) return;
    this.finQueued = true;
    this.finSeq = seqAdd(this.bufSeq, this.sendBuf.length);
  }

  private enterTimeWait(now: number, cause: string): void {
    this.setState(now, 'TIME_WAIT', cause);
    this.clearSendTimers();
    this.finWait2Deadline = undefined;
    this.keepaliveDeadline = undefined;
    this.timeWaitDeadline = now + 2 * this.config.msl;
  }

  /** Sends RST <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> (as Linux does) and closes. */
  private resetAndFinish(now: number, reason: CloseReason, cause: string): void {
    this.queueRst(this.sndMax, this.rcvNxt);
    this.finish(now, reason, cause);
  }

  private finish(now: number, reason: CloseReason, cause: string): void {
    this.setState(now, 'CLOSED', cause);
    this.clearSendTimers();
    this.delAckDeadline = undefined;
    this.keepaliveDeadline = undefined;
    this.timeWaitDeadline = undefined;
    this.finWait2Deadline = undefined;
    this.unackedSince = undefined;
    this.ackNow = false;
    this.synPending = false;
    this.events.push({ type: 'closed', reason });
  }

  private clearSendTimers(): void {
    this.rtxDeadline = undefined;
    this.rtxSeq = undefined;
    this.probePending = false;
  }

  // ---------------------------------------------------------------- timers

  private userTimeoutDeadline(): number | undefined {
    if (this.config.userTimeout <= 0 || this.unackedSince === undefined) return undefined;
    if (!SENDING_STATES.has(this.st) && this.st !== 'SYN_SENT' && this.st !== 'SYN_RECV') {
      return undefined;
    }
    return this.unackedSince + this.config.userTimeout;
  }

  /** Arms or stops timers after any change (RFC 6298 5.1-5.3, persist, keepalive). */
  private updateTimers(now: number): void {
    if (this.st === 'CLOSED' || this.st === 'TIME_WAIT') return;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    const pending = SENDING_STATES.has(this.st) && seqLt(this.sndUna, dataEnd);
    if (pending && this.sndWnd === 0 && (this.flight() === 0 || this.rtxKind === 'persist')) {
      // RFC 9293 3.8.6.1: zero window: probe with the persist timer.
      if (this.rtxDeadline === undefined || this.rtxKind !== 'persist') {
        this.rtxKind = 'persist';
        this.rtxDeadline = now + this.persistInterval();
      }
    } else if (seqGt(this.sndMax, this.sndUna)) {
      // RFC 6298 (5.1): data outstanding: the retransmission timer runs.
      if (this.rtxDeadline === undefined || this.rtxKind !== 'retransmit') {
        this.rtxKind = 'retransmit';
        this.rtxDeadline = now + this.rtt.rto;
      }
    } else if (pending && seqLt(this.sndNxt, dataEnd)) {
      // Data held back by sender SWS avoidance: the override timeout (RFC 9293 3.8.6.2.1).
      if (this.rtxDeadline === undefined || this.rtxKind !== 'persist') {
        this.rtxKind = 'persist';
        this.rtxDeadline = now + this.persistInterval();
      }
    } else {
      // RFC 6298 (5.2): all data acknowledged.
      this.rtxDeadline = undefined;
      this.rtxKind = 'retransmit';
    }
    const ka = this.config.keepalive;
    // Linux keeps keepalive in every synchronized state but TIME_WAIT; FIN_WAIT2 after
    // shutdown() would otherwise wait forever for a vanished peer.
    const kaStates =
      this.st === 'ESTABLISHED' || this.st === 'CLOSE_WAIT' || this.st === 'FIN_WAIT2';
    if (ka.enabled && kaStates) {
      if (this.keepaliveDeadline === undefined) this.keepaliveDeadline = now + ka.idle;
    } else {
      this.keepaliveDeadline = undefined;
    }
  }

  private persistInterval(): number {
    const base = Math.max(MIN_PERSIST, this.rtt.rto);
    return Math.min(this.config.maxRto, base * 2 ** this.persistCount);
  }

  private onRetransmitTimeout(now: number): void {
    this.stats.timeouts++;
    this.rtxCount++;
    const handshake = this.st === 'SYN_SENT' || this.st === 'SYN_RECV';
    const limit = handshake ? this.config.synRetries : this.config.dataRetries;
    if (this.rtxCount > limit) {
      this.finish(now, 'timeout', 'retransmission limit');
      return;
    }
    // RFC 6298 (5.5, 5.6): back off, restart; Karn: the timed segment is void.
    this.rtt.backoff();
    this.rttSeq = undefined;
    if (handshake) {
      this.synPending = true;
      return;
    }
    this.cc.onTimeout(this.flight(), this.sndMax);
    // RFC 2018 (8): after a timeout, SACK information is not trusted.
    this.scoreboard.clear();
    this.rtxSeq = undefined;
    this.sndNxt = this.sndUna;
    this.rtxHighMark = this.sndUna;
    if (this.sndWnd === 0) {
      // The window is closed: probe it rather than count retransmissions (as BSD's tcp_output
      // falls back to the persist timer when nothing may be sent).
      this.rtxKind = 'persist';
      this.rtxCount = 0;
    }
  }

  private onPersistTimeout(now: number): void {
    this.persistCount++;
    this.persistUnanswered++;
    if (this.persistUnanswered > this.config.dataRetries) {
      this.finish(now, 'timeout', 'retransmission limit');
      return;
    }
    if (this.sndWnd === 0) this.probePending = true;
    else {
      // SWS override: send what the window allows even if small.
      this.rtxSeq = undefined;
      this.forceSmall = true;
    }
  }

  private forceSmall = false;
  /** End of the last small (sub-MSS) segment sent, for Nagle-Minshall. */
  private sndSml = 0;

  private onKeepaliveTimeout(now: number): void {
    const ka = this.config.keepalive;
    if (seqGt(this.sndMax, this.sndUna)) {
      // Data outstanding: the retransmission timer watches the peer.
      this.keepaliveDeadline = now + ka.idle;
      return;
    }
    if (this.keepaliveProbes >= ka.count) {
      this.finish(now, 'timeout', 'keepalive timeout');
      return;
    }
    this.keepaliveProbes++;
    this.keepaliveProbePending = true;
    this.keepaliveDeadline = now + ka.interval;
  }

  private validateConfig(c: ConnectionConfig): void {
    const positive: Array<keyof ConnectionConfig> = [
      'mss',
      'sendBufferSize',
      'receiveBufferSize',
      'initialRto',
      'minRto',
      'maxRto',
      'initialCwndSegments',
    ];
    for (const k of positive) {
      const v = c[k];
      if (typeof v !== 'number' || !(v > 0)) {
        throw new TcpUsageError('EINVAL', `config.${k} must be a positive number`);
      }
    }
    if (c.mss > 65535) throw new TcpUsageError('EINVAL', 'config.mss must be at most 65535');
    if (
      c.windowScaleShift !== undefined &&
      !(
        Number.isInteger(c.windowScaleShift) &&
        c.windowScaleShift >= 0 &&
        c.windowScaleShift <= MAX_WSCALE
      )
    ) {
      throw new TcpUsageError('EINVAL', 'config.windowScaleShift must be an integer in 0..14');
    }
    if (c.minRto > c.maxRto) throw new TcpUsageError('EINVAL', 'config.minRto exceeds maxRto');
  }
}
