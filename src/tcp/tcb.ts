/**
 * The transmission control block (RFC 9293 3.3.1) of one connection: its variables, buffers,
 * estimators and timer table (timer-table.ts), and the small helpers every part of the state
 * machine shares (state changes, RST and challenge ACK, the receive window). Every field of the
 * connection is declared here; the layers above add only methods, one concern per file:
 * output.ts (segments to send), timers.ts (arming and expiry), input.ts (segment arrival),
 * connection.ts (the API).
 */

import type { Endpoint, TcpState } from '../state/states.js';
import type { Cause } from '../state/transitions.js';
import { emptyFlags } from '../wire/flags.js';
import { seqAdd, seqDiff, seqGt } from '../wire/seq.js';
import type { TcpOption, TcpSegment } from '../wire/types.js';
import type { CongestionController } from './cc.js';
import { makeController } from './cc-factory.js';
import type { FastOpenOffer } from './fastopen.js';
import { MAX_WSCALE } from './options.js';
import { RecoveryVars } from './recovery-vars.js';
import { RecvBuffer } from './recv-buffer.js';
import { RttEstimator } from './rtt.js';
import { SackScoreboard } from './sack-scoreboard.js';
import { SendBuffer } from './send-buffer.js';
import { newTimerTable, STOPPED, Timer, type TimerTable } from './timer-table.js';
import {
  type CloseReason,
  type ConnectionConfig,
  type ConnectionEvent,
  type ConnectionStats,
  DEFAULT_CONFIG,
  TcpUsageError,
} from './types.js';

export interface ConnectionOptions {
  local: Endpoint;
  remote: Endpoint;
  /** Initial send sequence number (the stack computes it per RFC 6528). */
  iss: number;
  config?: Partial<ConnectionConfig>;
  /** TCP Fast Open on an active open (fastopen.ts): the cookie offered, data to carry. */
  fastOpen?: FastOpenOffer;
  /** An option for our SYN,ACK: a passive open's Fast Open cookie (fastopen.ts). */
  synAckOption?: TcpOption;
  /** A passive open whose SYN had a valid Fast Open cookie: its data is taken (RFC 7413 4.2.2). */
  acceptSynData?: boolean;
  /**
   * The path MTU towards the peer as the stack knows it (its link's MTU, or less where an earlier
   * connection learned less, RFC 1191 / RFC 8201): it bounds the MSS our SYN offers and the send
   * MSS. Absent: only the config's MSS bounds them.
   */
  pathMtu?: number;
}

/**
 * Our FIN (RFC 9293 3.10.4). shutdown() or close() queue it at the sequence number after the
 * last queued byte (send() takes no more); it goes out once the data before it has, and is sent
 * again with it; the peer's ACK past `seq` acknowledges it. `cause` is the user call, for the
 * FIN_WAIT1 that follows ESTABLISHED when the FIN was queued during the handshake.
 */
export type OurFin =
  | { readonly kind: 'none' }
  | { readonly kind: 'queued'; readonly seq: number; readonly cause: Cause }
  | { readonly kind: 'acked'; readonly seq: number };

/**
 * The peer's FIN at `seq`: `seen` once a segment carried it (possibly out of order, data beyond
 * it is ignored), `received` once RCV.NXT reached it and moved past it (RFC 9293 3.10.7.4, eighth).
 */
export type PeerFin =
  | { readonly kind: 'none' }
  | { readonly kind: 'seen'; readonly seq: number }
  | { readonly kind: 'received'; readonly seq: number };

/** No RST queued: shared by every connection, never written (shift() on it changes nothing). */
const NO_CONTROL: TcpSegment[] = [];

/** No FIN yet, either way; one object shared by every connection. */
const NO_FIN = Object.freeze({ kind: 'none' } as const);

/** RFC 9293 3.7.1: the send MSS when the peer sent no MSS option. */
export const DEFAULT_SEND_MSS = 536;
/** The TCP header without options. */
const TCP_HEADER_BYTES = 20;

/**
 * The IP header under a connection's segments, from its local address as the stack names it:
 * 40 bytes for IPv6 (RFC 8200), 20 for IPv4, also written IPv4-mapped (`::ffff:a.b.c.d`).
 */
export function ipHeaderBytes(address: string): number {
  return address.includes(':') && !address.includes('.') ? 40 : 20;
}
/** RFC 6298 (5.7): RTO after a timed-out SYN when no RTT sample exists yet. */
export const RTO_AFTER_SYN_TIMEOUT = 3000;
/** RFC 7323 (2.2): the window field of a SYN is never scaled and holds at most 65535. */
export const MAX_UNSCALED_WINDOW = 65535;
/** Bytes of one timestamps option with its two NOPs (RFC 7323 appendix A layout). */
export const TS_OPTION_BYTES = 12;
/** Linux clamps the persist interval below to 200 ms (TCP_RTO_MIN). */
export const MIN_PERSIST = 200;

/** States in which user data and our FIN may be (re)transmitted. */
export const SENDING_STATES: ReadonlySet<TcpState> = new Set([
  'ESTABLISHED',
  'CLOSE_WAIT',
  'FIN_WAIT1',
  'CLOSING',
  'LAST_ACK',
]);
/** States in which received text is delivered (RFC 9293 3.10.7.4 "seventh"). */
export const RECEIVING_STATES: ReadonlySet<TcpState> = new Set([
  'ESTABLISHED',
  'FIN_WAIT1',
  'FIN_WAIT2',
]);

/**
 * Merged configs, shared by every connection made with the same partial config object (a stack
 * passes one to all its connections): an idle connection then costs no config copy. Safe
 * because a config is never changed in place (configure() builds a new one).
 */
const merged = new WeakMap<Partial<ConnectionConfig>, ConnectionConfig>();

function mergedConfig(
  partial: Partial<ConnectionConfig> | undefined,
  validate: (c: ConnectionConfig) => void,
): ConnectionConfig {
  if (partial === undefined) return DEFAULT_CONFIG as ConnectionConfig;
  const cached = merged.get(partial);
  if (cached !== undefined && sameAs(cached, partial)) return cached;
  const config: ConnectionConfig = { ...DEFAULT_CONFIG, ...partial };
  if (partial?.keepalive) config.keepalive = { ...DEFAULT_CONFIG.keepalive, ...partial.keepalive };
  validate(config);
  merged.set(partial, Object.freeze(config));
  return config;
}

/** The partial object was not changed since `cached` was made from it. */
function sameAs(cached: ConnectionConfig, partial: Partial<ConnectionConfig>): boolean {
  for (const key of Object.keys(partial) as Array<keyof ConnectionConfig>) {
    if (key === 'keepalive') {
      const k = partial.keepalive;
      if (k === undefined) continue;
      const c = cached.keepalive;
      if (k.enabled !== c.enabled || k.idle !== c.idle || k.interval !== c.interval) return false;
      if (k.count !== c.count) return false;
    } else if (cached[key] !== partial[key]) return false;
  }
  return true;
}

export function newStats(): ConnectionStats {
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
    rtoRetransmits: 0,
    lossProbes: 0,
    undos: 0,
    spuriousRtos: 0,
    delivered: 0,
  };
}

/** The smallest shift that makes `buffer` fit the 16-bit window field (RFC 7323 2.3). */
export function shiftFor(buffer: number): number {
  let s = 0;
  while (s < MAX_WSCALE && buffer >> s > MAX_UNSCALED_WINDOW) s++;
  return s;
}

export abstract class Tcb {
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Counters for netstat -s style totals; see ConnectionStats. */
  readonly stats: ConnectionStats = newStats();

  protected config: ConnectionConfig;
  protected st: TcpState = 'CLOSED';
  protected readonly events: ConnectionEvent[] = [];
  /**
   * RSTs built at the moment they were decided (their numbers must not change later): a shared
   * empty list until the first (queueRst gives the connection its own).
   */
  protected controlQueue: TcpSegment[] = NO_CONTROL;

  // Send sequence space (RFC 9293 3.3.1).
  protected readonly iss: number;
  /** SND.UNA: the oldest unacknowledged sequence number. */
  protected sndUna: number;
  /** SND.NXT: the next new sequence number to send (one past the highest sent so far). */
  protected sndNxt: number;
  /** SND.WND: the peer's window in bytes (scaled, RFC 7323 2.3). */
  protected sndWnd = 0;
  /** SND.WL1, SND.WL2: SEG.SEQ and SEG.ACK of the segment that last updated SND.WND. */
  protected sndWl1 = 0;
  protected sndWl2 = 0;
  /** RFC 5961 (5.2) MAX.SND.WND; also the RFC 9293 3.8.6.2.1 Max(SND.WND). */
  protected maxSndWnd = 0;
  protected sndWndScale = 0;
  /** Send MSS from the peer's MSS option (RFC 9293 3.7.1), before option bytes. */
  protected sndMss = DEFAULT_SEND_MSS;
  /**
   * The segment size the path MTU allows (RFC 1191, RFC 8201): the PMTU less the IP and TCP
   * headers, before option bytes; Infinity while no path MTU is known (pathMtuChanged).
   */
  protected mtuMss = Number.POSITIVE_INFINITY;
  /** The SYN goes again because the path MTU fell (pathMtuChanged), not because it timed out. */
  protected pmtuSynRetransmit = false;

  // Receive sequence space (RFC 9293 3.3.1). RCV.WND is rcvAdvEdge - rcvNxt.
  protected irs = 0;
  /** RCV.NXT: the next sequence number expected from the peer. */
  protected rcvNxt = 0;
  /** Right edge of the window we advertised last (RFC 9293 3.8.6.2.2: never moved left). */
  protected rcvAdvEdge = 0;
  protected rcvWndScale = 0;
  /** rcvNxt in the last segment we sent (RFC 7323 Last.ACK.sent; delayed-ACK accounting). */
  protected lastAckSent = 0;
  /** Largest payload seen, the receiver's estimate of the peer's MSS (for delayed ACK). */
  protected rcvMss = DEFAULT_SEND_MSS;

  // Negotiated options.
  protected wscaleOk = false;
  protected tsOk = false;
  protected sackOk = false;
  protected tsRecent = 0;

  protected readonly sendBuf: SendBuffer;
  protected readonly recvBuf = new RecvBuffer();
  /** Sequence number of the first byte in sendBuf. */
  protected bufSeq: number;
  protected readonly scoreboard = new SackScoreboard();

  protected fin: OurFin = NO_FIN;
  /** The application called close(): it reads no more (an orphan, RFC 9293 3.10.4). */
  protected orphan = false;
  protected peerFin: PeerFin = NO_FIN;
  /** Passive open (acceptSyn): an RST in SYN_RECV ends with `reset`, else `refused`. */
  protected readonly passive: boolean;
  /**
   * A passive open whose SYN had a valid Fast Open cookie: it may send data from SYN_RECV,
   * once its SYN,ACK is out (RFC 7413 4.2.2; Linux's tcp_sendmsg for tcp_passive_fastopen).
   */
  protected readonly fastOpenChild: boolean;
  /** When data last arrived (or the handshake ended), ms: Linux's tcpi_last_data_recv. */
  protected lastRecvAt = 0;

  // Output requests, served by pollTransmit.
  protected synPending = false;
  /**
   * Text that came on the peer's SYN in a simultaneous open, kept for ESTABLISHED (RFC 9293
   * 3.10.7.3: "queue them for processing after the ESTABLISHED state has been reached").
   */
  protected synText: { seq: number; data: Uint8Array } | undefined;
  protected ackNow = false;
  /** RFC 2883: the duplicate range the next ACK reports in its first SACK block. */
  protected dsack: readonly [number, number] | undefined;
  /**
   * Loss recovery (recovery.ts), after Linux's tcp_ca_state: `open` (no loss known),
   * `recovery` (fast recovery, RFC 6675 / RFC 6582, paced by PRR), `loss` (after a
   * retransmission timeout, until RecoveryPoint is acknowledged).
   */
  protected caState: 'open' | 'recovery' | 'loss' = 'open';
  /**
   * The RTO's deadline (RFC 6298). The retransmit slot of the timer table holds the earliest of
   * it, the tail loss probe and the RACK reorder timer (RFC 8985; recovery-vars.ts), as Linux's
   * icsk_pending shares one timer among them.
   */
  protected rtoAt = Number.POSITIVE_INFINITY;
  /**
   * The rest of loss recovery's state (recovery-vars.ts), made when the connection first sends
   * data: an idle connection does not carry it.
   */
  protected rvObj: RecoveryVars | undefined;
  protected probePending = false;
  /** The persist timer's SWS override (RFC 9293 3.8.6.2.1): send the next small segment. */
  protected forceSmall = false;
  /** End of the last small (sub-MSS) segment sent, for Nagle-Minshall. */
  protected sndSml = 0;
  protected keepaliveProbePending = false;
  protected writeBlocked = false;
  protected readablePending = false;

  protected readonly timers: TimerTable = newTimerTable();
  /**
   * Which of the two send timers is in use: as in BSD (one slot, tt_rexmt), retransmission and
   * persist exclude each other, and the choice outlives the deadline, so that an ACK or an
   * expiry while probing a zero window goes on probing (timers.ts updateTimers).
   */
  protected sendTimer: 'retransmit' | 'persist' = 'retransmit';
  protected rtxCount = 0;
  protected persistCount = 0;
  /** Zero-window probes sent since the last ACK (RFC 9293 3.8.6.1: probe while ACKs come). */
  protected persistUnanswered = 0;
  protected keepaliveProbes = 0;
  /** When the oldest unacknowledged data was sent (for userTimeout, RFC 5482). */
  protected unackedSince: number | undefined;

  protected readonly rtt: RttEstimator;
  /**
   * The congestion controller, made when first used (the first data sent or acknowledged, or
   * info()): an idle connection does not carry it. `ccConfig` is the config it is made from
   * (the one at open: configure() does not change the controller) and `ccMss` the send MSS it
   * starts from (set where an existing controller's setMss would be called).
   */
  private ccObj: CongestionController | undefined;
  private readonly ccConfig: ConnectionConfig;
  protected ccMss: number;
  /** Karn (RFC 6298 3): the one segment being timed, when timestamps are off. */
  protected rttSeq: number | undefined;
  protected rttStart = 0;
  /**
   * Our TSval when the retransmission timer last expired: a TSecr older than it echoes a
   * segment sent before the timeout, so its "RTT" contains the timeout (RFC 7323 4.3 (3)).
   */
  protected rtoTsVal: number | undefined;
  protected synRetransmitted = false;
  /** SYNs (or SYN,ACKs) sent in the current handshake state. */
  protected synSends = 0;
  /** TCP Fast Open (fastopen.ts): what our first SYN offers, and options for our SYN,ACK. */
  protected readonly tfo: FastOpenOffer | undefined;
  protected readonly synAckOption: TcpOption | undefined;

  protected challengeWindowStart = Number.NEGATIVE_INFINITY;
  protected challengeCount = 0;

  protected constructor(now: number, opts: ConnectionOptions, passive: boolean) {
    this.local = opts.local;
    this.remote = opts.remote;
    this.config = mergedConfig(opts.config, (c) => this.validateConfig(c));
    this.passive = passive;
    this.fastOpenChild = passive && opts.acceptSynData === true;
    this.tfo = opts.fastOpen;
    this.synAckOption = opts.synAckOption;
    this.iss = opts.iss >>> 0;
    this.sndUna = this.iss;
    this.sndNxt = this.iss;
    this.bufSeq = seqAdd(this.iss, 1);
    this.sndSml = this.iss;
    this.sendBuf = new SendBuffer(this.config.sendBufferSize);
    this.rtt = new RttEstimator(this.config.initialRto, this.config.minRto, this.config.maxRto);
    this.rtt.slop = this.config.rtoSlop ?? 0;
    this.ccConfig = this.config;
    this.ccMss = this.effSndMss();
    this.rcvWndScale = this.config.windowScale
      ? (this.config.windowScaleShift ?? shiftFor(this.config.receiveBufferSize))
      : 0;
    if (opts.pathMtu !== undefined) this.setPathMtu(opts.pathMtu);
    void now;
  }

  protected get cc(): CongestionController {
    this.ccObj ??= makeController(
      this.ccConfig.congestionControl,
      this.ccMss,
      this.ccConfig.initialCwndSegments,
    );
    return this.ccObj;
  }

  /** The effective send MSS changed: the controller's setMss (cc.ts), or the MSS it will start from. */
  protected ccSetMss(mss: number): void {
    if (this.ccObj === undefined) this.ccMss = mss;
    else this.ccObj.setMss(mss);
  }

  /** Loss recovery's per-episode state, made on first use. */
  protected get rv(): RecoveryVars {
    this.rvObj ??= new RecoveryVars(this.iss);
    return this.rvObj;
  }

  protected segLen(seg: TcpSegment): number {
    return seg.payload.byteLength + (seg.flags.syn ? 1 : 0) + (seg.flags.fin ? 1 : 0);
  }

  /**
   * Payload bytes per segment: send MSS (the peer's, ours, the path MTU's) less the options
   * every segment carries (RFC 6691, RFC 1191 3).
   */
  protected effSndMss(): number {
    const mss = Math.min(this.sndMss, this.config.mss, this.mtuMss);
    return Math.max(1, mss - (this.tsOk ? TS_OPTION_BYTES : 0));
  }

  /** Our MSS within the path MTU: the most a segment we send may carry, before options. */
  protected pathMss(): number {
    return Math.min(this.config.mss, this.mtuMss);
  }

  /** The MSS our SYN or SYN,ACK offers: ours, or within the path MTU too (config.synMss). */
  protected advertisedMss(): number {
    return this.config.synMss === 'path' ? this.pathMss() : this.config.mss;
  }

  /** Takes `mtu` as the path MTU (RFC 1191 5: the MSS follows it, less the IP and TCP headers). */
  protected setPathMtu(mtu: number): void {
    this.mtuMss = Math.max(1, mtu - ipHeaderBytes(this.local.address) - TCP_HEADER_BYTES);
  }

  /** The path MTU in use (tcp_info's tcpi_pmtu), undefined while none is known. */
  get pathMtu(): number | undefined {
    if (this.mtuMss === Number.POSITIVE_INFINITY) return undefined;
    return this.mtuMss + ipHeaderBytes(this.local.address) + TCP_HEADER_BYTES;
  }

  /** Data may go out now: a sending state, or a Fast Open child's SYN_RECV. */
  protected sendsData(): boolean {
    if (SENDING_STATES.has(this.st)) return true;
    return this.st === 'SYN_RECV' && this.fastOpenChild && !this.synPending;
  }

  protected flight(): number {
    return Math.max(0, seqDiff(this.sndNxt, this.sndUna));
  }

  protected count(seg: TcpSegment): TcpSegment {
    this.stats.segmentsOut++;
    if (seg.flags.rst) this.stats.resetsSent++;
    return seg;
  }

  /** TSval: a millisecond clock (RFC 7323 5.4), offset per connection by config. */
  protected tsVal(now: number): number {
    return (Math.floor(now) + this.config.tsOffset) >>> 0;
  }

  protected rcvSwsThreshold(): number {
    // RFC 9293 3.8.6.2.2: move the right edge only by min(Fr * RCV.BUFF, Eff.snd.MSS), Fr = 1/2.
    return Math.min(this.config.receiveBufferSize / 2, this.rcvMss);
  }

  /** Free receive-buffer space the window could offer now. */
  protected advertisableWindow(): number {
    const free = Math.max(0, this.config.receiveBufferSize - this.recvBuf.readable);
    return Math.min(free, MAX_UNSCALED_WINDOW * 2 ** this.rcvWndScale);
  }

  /**
   * The right edge of the receive window arriving segments are checked against
   * (config.receiveWindow). In 'buffer' mode, as in FreeBSD, only a full connection block
   * counts its free buffer space: a passive SYN_RECV (FreeBSD's syncache entry) and TIME_WAIT
   * (its compressed tcptw) keep just the window they advertised.
   */
  protected rcvCheckEdge(): number {
    if (
      this.config.receiveWindow === 'advertised' ||
      this.st === 'TIME_WAIT' ||
      (this.st === 'SYN_RECV' && this.passive)
    ) {
      return this.rcvAdvEdge;
    }
    const free = Math.max(0, this.config.receiveBufferSize - this.recvBuf.readable);
    const edge = seqAdd(this.rcvNxt, free);
    return seqGt(edge, this.rcvAdvEdge) ? edge : this.rcvAdvEdge;
  }

  /** The window field for a non-SYN segment, applying receiver SWS avoidance. */
  protected windowField(): number {
    const curWnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const candidate = this.advertisableWindow();
    // RFC 9293 3.8.6.2.2: the right edge moves only by a worthwhile amount, so that the window
    // never opens in small steps. A window that is already as large as the field can say is
    // not opening in small steps: it stays full (as Linux and FreeBSD advertise it).
    const full = MAX_UNSCALED_WINDOW * 2 ** this.rcvWndScale;
    const wnd =
      candidate - curWnd >= this.rcvSwsThreshold() || candidate >= full ? candidate : curWnd;
    const field = Math.min(MAX_UNSCALED_WINDOW, Math.floor(wnd / 2 ** this.rcvWndScale));
    const edge = seqAdd(this.rcvNxt, field * 2 ** this.rcvWndScale);
    // Never move the right edge left (RFC 9293 3.8.6.2.2 note on shrinking windows).
    if (seqGt(edge, this.rcvAdvEdge)) this.rcvAdvEdge = edge;
    return field;
  }

  protected queueRst(seq: number, ack: number | undefined): void {
    if (this.controlQueue === NO_CONTROL) this.controlQueue = [];
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
  protected queueRstFor(seg: TcpSegment): void {
    if (seg.flags.ack) this.queueRst(seg.ack, undefined);
    else this.queueRst(0, seqAdd(seg.seq, this.segLen(seg)));
  }

  /** RFC 5961 (7): challenge ACKs, at most `challengeAckLimit` per second. */
  protected challengeAck(now: number): void {
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

  protected drop(): void {
    this.stats.dropped++;
  }

  /** A method call may have closed the connection (TypeScript's narrowing cannot see that). */
  protected isClosed(): boolean {
    return this.st === 'CLOSED';
  }

  protected isSynchronized(): boolean {
    return this.st !== 'CLOSED' && this.st !== 'LISTEN' && this.st !== 'SYN_SENT';
  }

  protected setState(now: number, to: TcpState, cause: Cause): void {
    const from = this.st;
    if (from === to) return;
    this.st = to;
    this.events.push({ type: 'state', time: now, from, to, cause });
  }

  /** Queues our FIN after the last queued byte; called again before ESTABLISHED, it takes the new cause. */
  protected queueFin(cause: Cause): void {
    if (this.fin.kind === 'acked') return;
    const seq =
      this.fin.kind === 'queued' ? this.fin.seq : seqAdd(this.bufSeq, this.sendBuf.length);
    this.fin = { kind: 'queued', seq, cause };
  }

  /** In TIME_WAIT only 2MSL runs (and a delayed ACK armed before). */
  protected enterTimeWait(now: number, cause: Cause): void {
    this.setState(now, 'TIME_WAIT', cause);
    this.clearSendTimers();
    this.timers[Timer.finWait2] = STOPPED;
    this.timers[Timer.keepalive] = STOPPED;
    this.timers[Timer.userTimeout] = STOPPED;
    this.armTimeWait(now);
  }

  /** (Re)starts 2MSL: on entering TIME_WAIT, and for a retransmitted FIN (RFC 9293 3.10.7.4). */
  protected armTimeWait(now: number): void {
    this.timers[Timer.timeWait] = now + 2 * this.config.msl;
  }

  /** Sends RST <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> (as Linux does) and closes. */
  protected resetAndFinish(now: number, reason: CloseReason, cause: Cause): void {
    this.queueRst(this.sndNxt, this.rcvNxt);
    this.finish(now, reason, cause);
  }

  protected finish(now: number, reason: CloseReason, cause: Cause): void {
    this.setState(now, 'CLOSED', cause);
    this.clearSendTimers();
    this.timers.fill(STOPPED);
    this.unackedSince = undefined;
    this.ackNow = false;
    this.synPending = false;
    this.events.push({ type: 'closed', reason });
  }

  protected clearSendTimers(): void {
    this.stopSendTimer();
    if (this.rvObj !== undefined) {
      this.rvObj.forcedRtx = false;
      this.rvObj.tlpPending = false;
    }
    this.probePending = false;
  }

  /** Stops the retransmission or persist timer; which one was in use is kept (sendTimer). */
  protected stopSendTimer(): void {
    this.rtoAt = STOPPED;
    if (this.rvObj !== undefined) {
      this.rvObj.tlpAt = STOPPED;
      this.rvObj.reoAt = STOPPED;
    }
    this.timers[Timer.retransmit] = STOPPED;
    this.timers[Timer.persist] = STOPPED;
  }

  protected validateConfig(c: ConnectionConfig): void {
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
      c.tsoMaxBytes !== undefined &&
      !(Number.isInteger(c.tsoMaxBytes) && c.tsoMaxBytes > 0 && c.tsoMaxBytes <= 65535)
    ) {
      throw new TcpUsageError('EINVAL', 'config.tsoMaxBytes must be an integer in 1..65535');
    }
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
    if (c.congestionControl !== 'newreno' && c.congestionControl !== 'cubic') {
      throw new TcpUsageError('EINVAL', "config.congestionControl must be 'newreno' or 'cubic'");
    }
  }
}
