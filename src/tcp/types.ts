/**
 * The public types of one TCP connection (tcp/connection.ts): its configuration, the events it
 * reports, and the reasons a connection ends. Times are milliseconds on the caller's clock.
 */

import type { TcpState } from '../state/states.js';
import type { Cause } from '../state/transitions.js';
import type { CongestionControlKind } from './cc.js';
import type { EcnMode } from './ecn.js';

/** Why a connection ended. */
export type CloseReason =
  /** Both sides closed in order (or the 2MSL / FIN_WAIT2 timer ended it). */
  | 'normal'
  /** The peer sent an acceptable RST in a synchronized state. */
  | 'reset'
  /** The peer answered our SYN with RST. */
  | 'refused'
  /** Retransmission limit, keepalive probes unanswered, or the user timeout. */
  | 'timeout'
  /** The local application called abort() (an RST was sent). */
  | 'aborted';

export type ConnectionEvent =
  | { type: 'state'; time: number; from: TcpState; to: TcpState; cause: Cause }
  /** New in-order data can be read with read(). */
  | { type: 'readable' }
  /** The peer's FIN has been received: after the buffered data, read() returns no more. */
  | { type: 'end' }
  /** Send-buffer space was freed by an ACK (send() will accept more). */
  | { type: 'writable' }
  /** The connection reached CLOSED; no further events follow. */
  | { type: 'closed'; reason: CloseReason };

/** Which timer is armed, for netstat-style snapshots (`timer` column). */
export type TimerKind =
  | 'retransmit'
  | 'persist'
  | 'keepalive'
  | 'delayed-ack'
  | 'time-wait'
  | 'fin-wait2'
  | 'user-timeout';

export interface KeepaliveConfig {
  enabled: boolean;
  /** Idle time before the first probe (Linux tcp_keepalive_time: 7200 s). */
  idle: number;
  /** Time between unanswered probes (Linux tcp_keepalive_intvl: 75 s). */
  interval: number;
  /** Unanswered probes before the connection is aborted (Linux tcp_keepalive_probes: 9). */
  count: number;
}

export interface ConnectionConfig {
  /** MSS we advertise (RFC 9293 3.7.1); 1460 for Ethernet-sized IPv4. */
  mss: number;
  /**
   * The send MSS when the peer's SYN carries no MSS option: 536 for IPv4 (RFC 9293 3.7.1), 1220
   * for IPv6 (the 1280-byte minimum MTU less 60, RFC 8200 5); the stack sets it per family.
   */
  defaultSendMss?: number;
  /**
   * Segmentation offload (TSO): the link cuts a segment into MSS-sized ones itself (a TUN
   * device with a virtio-net header), so new data may leave as one segment of up to this many
   * payload bytes (as many whole send MSS as fit), while the connection is out of loss recovery and
   * the peer's MSS is no smaller than ours. Unset (the default): every segment fits the MSS.
   */
  tsoMaxBytes?: number;
  sendBufferSize: number;
  receiveBufferSize: number;
  /** Offer window scaling (RFC 7323 2); the shift is derived from receiveBufferSize unless set. */
  windowScale: boolean;
  windowScaleShift?: number;
  /** Offer timestamps (RFC 7323 3). */
  timestamps: boolean;
  /** Offer SACK-permitted and send SACK blocks (RFC 2018). */
  sack: boolean;
  /**
   * With SACK, report a duplicate segment in a D-SACK block (RFC 2883), as Linux does
   * (net.ipv4.tcp_dsack=1); on by default.
   */
  dsack: boolean;
  /** Nagle's algorithm (RFC 9293 3.7.4, RFC 896); on by default. */
  nagle: boolean;
  /** Delayed ACKs (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2); on by default. */
  delayedAck: boolean;
  delayedAckTimeout: number;
  /** RFC 6298 (2.1) initial RTO of 1 s. */
  initialRto: number;
  /** RFC 6298 (2.4) says 1 s; Linux uses 200 ms. */
  minRto: number;
  /** RFC 6298 (2.5) allows an upper bound of at least 60 s; Linux uses 120 s. */
  maxRto: number;
  /** Added to each RTO after the initial one (FreeBSD's rexmit_slop: 200 ms); 0 when unset. */
  rtoSlop?: number;
  /** Our SYN carries no options at all, not even MSS (FreeBSD's TCP_NOOPT). */
  noSynOptions?: boolean;
  /**
   * From the third SYN retransmission on, the SYN offers MSS alone (FreeBSD's
   * net.inet.tcp.rexmit_drop_options=1, for paths that drop unknown options).
   */
  dropSynOptions?: boolean;
  /** SYN (and SYN,ACK) retransmissions before giving up (Linux tcp_syn_retries: 6). */
  synRetries: number;
  /** Data retransmissions before giving up (Linux tcp_retries2: 15). */
  dataRetries: number;
  /** Initial congestion window in segments (RFC 6928: 10). */
  initialCwndSegments: number;
  /**
   * ECN (RFC 3168, ecn.ts), as Linux's net.ipv4.tcp_ecn: 'accept' (the default, Linux's 2)
   * agrees when the peer's SYN asks, 'on' also asks on our SYNs, 'off' never.
   */
  ecn?: EcnMode;
  /**
   * Acknowledge the first data segments at once (Linux's tcp_event_data_recv: the first data
   * segment enters quick-ACK mode, up to TCP_MAX_QUICKACKS). Off by default.
   */
  quickAckAtStart?: boolean;
  /**
   * A burst ends with an ACK: when two segments or more arrived in one batch (the packets the
   * Stack's caller hands in before it polls, as a GRO-merged burst in Linux) and the last of
   * them is not yet acknowledged, it is acknowledged at once rather than after the delayed-ACK
   * timer; within the batch an ACK still goes for every second full segment. Linux decides
   * once per GRO-merged burst (__tcp_ack_snd_check), so it never leaves a burst's odd last
   * segment for its timer either. Default true; false decides after each segment alone (the
   * FreeBSD drill profile, whose scripts expect tcp_input's per-segment decision).
   */
  ackPerBatch?: boolean;
  /**
   * Data on a Fast Open SYN: as much as fits beside that SYN's options (default), or 'linux':
   * the MSS less the timestamps and the whole 40-byte option space (tcp_send_syn_data).
   */
  synDataRoom?: 'options' | 'linux';
  /**
   * The MSS our SYN and SYN,ACK offer: from the link (default: the largest segment this host
   * can receive, RFC 9293 3.7.1 MMS_R; FreeBSD's tcp_mssopt), or 'path': also within the path
   * MTU the stack learned for the peer (RFC 1191, RFC 8201), as Linux's tcp_advertise_mss takes
   * the route's advmss, which a learned PMTU lowers.
   */
  synMss?: 'link' | 'path';
  /** Retransmitted SYNs that still ask for ECN: 0 as Linux (tcp_ecn_fallback=1). */
  ecnSynRetries?: number;
  /** The congestion controller (cc.ts, cc-factory.ts): 'cubic' (RFC 9438, as Linux) by default, or 'newreno' (RFC 5681). */
  congestionControl: CongestionControlKind;
  /**
   * RACK-TLP (RFC 8985): time-based loss detection and the tail loss probe, as Linux does by
   * default (net.ipv4.tcp_recovery=1). False: RFC 6675's DupThresh loss detection, with its
   * NextSeg rules 3 and 4 (and no probe).
   */
  rack: boolean;
  /**
   * The tail loss probe also during fast recovery and after a retransmission timeout (once
   * F-RTO is done), not only in the open state as RFC 8985 (7.2) and Linux have it: FreeBSD's
   * RACK stack does so by default (tcp_rack's tlp_in_recovery), and QUIC's probe timeout runs
   * in every state (RFC 9002 6.2). A lost retransmission or a lost last ACK of a small window
   * is then found after 2 SRTT rather than after an RTO and its backoff. Default true; the
   * linux drill profile turns it off.
   */
  probeInRecovery?: boolean;
  /** Maximum segment lifetime; TIME_WAIT lasts 2*MSL (Linux: 60 s in all). */
  msl: number;
  /** How long an orphaned (fully closed) connection waits in FIN_WAIT2 (Linux tcp_fin_timeout: 60 s). */
  finWait2Timeout: number;
  keepalive: KeepaliveConfig;
  /** Abort when sent data stays unacknowledged this long (RFC 9293 3.8.4, RFC 5482); 0 = off. */
  userTimeout: number;
  /** RFC 5961 (7): at most this many challenge ACKs per second per connection. */
  challengeAckLimit: number;
  /** At most one ACK per this many ms for out-of-window segments (Linux tcp_invalid_ratelimit); 0 = each. */
  invalidAckInterval: number;
  /**
   * RFC 5961 (3.2): an RST in the window but not exactly at RCV.NXT gets a challenge ACK. False
   * accepts any in-window RST, as RFC 793 did (FreeBSD's net.inet.tcp.insecure_rst=1).
   */
  rstChallenge: boolean;
  /**
   * RFC 5961 (4.2): a SYN in a synchronized state gets a challenge ACK. False answers an
   * in-window SYN with RST and closes, as RFC 793 did (FreeBSD's net.inet.tcp.insecure_syn=1).
   */
  synChallenge: boolean;
  /** Drop segments carrying both SYN and FIN unseen (FreeBSD's net.inet.tcp.drop_synfin=1). */
  dropSynFin: boolean;
  /**
   * Round both buffers up to a multiple of the MSS once the peer's SYN gives it, as FreeBSD's
   * tcp_mss_update does (SO_RCVBUF 65536 becomes 65700 with an MSS of 1460).
   */
  roundBuffersToMss: boolean;
  /**
   * The right edge a segment is checked against (RFC 9293 3.10.7.4): the one advertised
   * (default), or RCV.NXT plus the free buffer space where that is larger, as FreeBSD does
   * when a buffer above 65535 bytes cannot be advertised without window scaling.
   */
  receiveWindow: 'advertised' | 'buffer';
  /**
   * How TIME_WAIT reads segments: RFC 9293 3.10.7.4 (default), or FreeBSD's tcp_twcheck, which
   * skips the sequence check: RST ignored, a segment without ACK dropped, a duplicate FIN
   * restarting 2MSL, and an ACK for anything but an exact duplicate ACK.
   */
  timeWaitInput: 'rfc9293' | 'freebsd';
  /** Option order on our SYN and SYN,ACK: Linux's (default) or FreeBSD's (packetdrill scripts). */
  synOptionLayout: 'linux' | 'freebsd';
  /**
   * Added to floor(now) to make our TSval (RFC 7323 5.4 suggests a random offset per
   * connection; the default 0 keeps tests predictable).
   */
  tsOffset: number;
}

/**
 * Per-connection counters (`conn.stats`); the stack sums them into netstat -s style totals.
 * Every field only grows.
 */
export interface ConnectionStats {
  segmentsIn: number;
  segmentsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Segments sent again (RTO, fast retransmit, partial ACK, SYN/SYN,ACK retries). */
  retransmits: number;
  retransmittedBytes: number;
  /** Retransmission timer expirations. */
  timeouts: number;
  fastRetransmits: number;
  dupAcksIn: number;
  /** Segments received out of order (queued for reassembly). */
  outOfOrder: number;
  /** Incoming segments dropped (bad sequence, bad ACK, PAWS, …); a subset of segmentsIn. */
  dropped: number;
  /** Dropped by the PAWS test (RFC 7323 5). */
  pawsDropped: number;
  challengeAcksSent: number;
  /** Challenge ACKs not sent because of the rate limit (RFC 5961 7). */
  challengeAcksSuppressed: number;
  resetsSent: number;
  resetsReceived: number;
  zeroWindowProbes: number;
  keepaliveProbes: number;
  /** Segments retransmitted after a retransmission timeout (go-back-N less what was SACKed). */
  rtoRetransmits: number;
  /** Tail loss probes sent (RFC 8985 7). */
  lossProbes: number;
  /** Window reductions undone as spurious (D-SACK, timestamps, F-RTO; Linux TCPFullUndo etc.). */
  undos: number;
  /** Of those, retransmission timeouts found spurious (F-RTO or timestamps; Linux TCPSpuriousRTOs). */
  spuriousRtos: number;
  /**
   * Segments the peer has acknowledged, cumulatively or by SACK, the SYN (with any data on it)
   * counting one (Linux's tp->delivered, tcpi_delivered).
   */
  delivered: number;
}

export const DEFAULT_CONFIG: Readonly<ConnectionConfig> = {
  mss: 1460,
  sendBufferSize: 256 * 1024,
  receiveBufferSize: 256 * 1024,
  windowScale: true,
  timestamps: true,
  sack: true,
  dsack: true,
  nagle: true,
  delayedAck: true,
  delayedAckTimeout: 40,
  initialRto: 1000,
  minRto: 200,
  maxRto: 120_000,
  synRetries: 6,
  dataRetries: 15,
  initialCwndSegments: 10,
  congestionControl: 'cubic',
  rack: true,
  msl: 30_000,
  finWait2Timeout: 60_000,
  keepalive: { enabled: false, idle: 7_200_000, interval: 75_000, count: 9 },
  userTimeout: 0,
  challengeAckLimit: 10,
  invalidAckInterval: 500,
  rstChallenge: true,
  synChallenge: true,
  dropSynFin: false,
  roundBuffersToMss: false,
  receiveWindow: 'advertised',
  timeWaitInput: 'rfc9293',
  synOptionLayout: 'linux',
  tsOffset: 0,
};

/** A local misuse: a user call that is wrong in the connection's current state. */
export class TcpUsageError extends Error {
  constructor(
    readonly code: 'ENOTCONN' | 'EPIPE' | 'EISCONN' | 'ECLOSED' | 'EINVAL',
    message: string,
  ) {
    super(message);
    this.name = 'TcpUsageError';
  }
}
