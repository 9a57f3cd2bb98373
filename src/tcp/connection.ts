/**
 * One TCP connection (RFC 9293), sans-IO. CONTRACT SKELETON: the signatures below are the
 * interface other layers build on; the implementation replaces the bodies.
 *
 * Call order (all times in ms on the caller's clock, never decreasing):
 * - inputs: `handleSegment(now, seg)` for each segment addressed to this connection;
 *   `handleTimeout(now)` when `now >= pollTimeout()` (a spurious call is a no-op);
 *   user commands `send`, `read`, `shutdown`, `close`, `abort`.
 * - outputs, after any input: drain `pollTransmit(now)` until undefined, drain `pollEvent()`
 *   until undefined, then re-read `pollTimeout()` for the next deadline.
 */
import type { Endpoint, TcpState } from '../state/states.js';
import type { TcpSegment } from '../wire/types.js';
import type { ConnectionConfig, ConnectionEvent, TimerKind } from './types.js';

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
}

export class Connection {
  readonly local: Endpoint;
  readonly remote: Endpoint;

  private constructor(_now: number, opts: ConnectionOptions) {
    this.local = opts.local;
    this.remote = opts.remote;
  }

  /** Active open: sends SYN, state CLOSED -> SYN_SENT (cause `connect()`). */
  static connect(now: number, opts: ConnectionOptions): Connection {
    return new Connection(now, opts);
  }

  /**
   * Passive open completed by a SYN that a listener (stack/) accepted: state LISTEN -> SYN_RECV
   * (cause `rcv SYN`), SYN,ACK queued.
   */
  static acceptSyn(now: number, syn: TcpSegment, opts: ConnectionOptions): Connection {
    void syn;
    return new Connection(now, opts);
  }

  get state(): TcpState {
    throw new Error('not implemented');
  }

  handleSegment(_now: number, _seg: TcpSegment): void {
    throw new Error('not implemented');
  }

  handleTimeout(_now: number): void {
    throw new Error('not implemented');
  }

  pollTransmit(_now: number): TcpSegment | undefined {
    throw new Error('not implemented');
  }

  pollTimeout(): number | undefined {
    throw new Error('not implemented');
  }

  pollEvent(): ConnectionEvent | undefined {
    throw new Error('not implemented');
  }

  /** Queues data; returns how many bytes fit in the send buffer. Throws TcpUsageError when sending is not allowed. */
  send(_data: Uint8Array): number {
    throw new Error('not implemented');
  }

  /** Takes up to `max` bytes of in-order received data (empty when none). */
  read(_max?: number): Uint8Array {
    throw new Error('not implemented');
  }

  /** Closes the sending side (FIN after queued data); receiving goes on. */
  shutdown(_now: number): void {
    throw new Error('not implemented');
  }

  /** Full close: like shutdown, and the application will read no more (an orphan). */
  close(_now: number): void {
    throw new Error('not implemented');
  }

  /** Sends RST and goes to CLOSED with reason `aborted`. */
  abort(_now: number): void {
    throw new Error('not implemented');
  }

  /** Changes settings that real sockets can change later (nagle, keepalive, userTimeout, …). */
  configure(_patch: Partial<ConnectionConfig>): void {
    throw new Error('not implemented');
  }

  /** Ends TIME_WAIT early (the stack accepted a new SYN for this 4-tuple): TIME_WAIT -> CLOSED. */
  endTimeWait(_now: number, _cause: string): void {
    throw new Error('not implemented');
  }

  /** Bytes sent but not acknowledged, plus bytes queued (netstat Send-Q). */
  get sendQueue(): number {
    throw new Error('not implemented');
  }

  /** Bytes received in order and not yet read (netstat Recv-Q). */
  get recvQueue(): number {
    throw new Error('not implemented');
  }

  /** The timer that fires next, for netstat-style snapshots. */
  activeTimer(): { kind: TimerKind; deadline: number } | undefined {
    throw new Error('not implemented');
  }

  info(): ConnectionInfo {
    throw new Error('not implemented');
  }
}
