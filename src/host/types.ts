/** The host layer's view of one kernel socket and of a diagnosis; shared by ls, doctor, watch and pasted output. */
import type { Endpoint, TcpState } from '../state/states.js';

export type HostTimerKind = 'off' | 'retransmit' | 'keepalive' | 'time-wait' | 'zero-window-probe';

export interface HostTimer {
  kind: HostTimerKind;
  /** Milliseconds left until it fires. */
  remainingMs: number;
  /** Retransmissions or unanswered probes so far. */
  retries: number;
}

/**
 * The kernel's struct tcp_info for one socket (include/uapi/linux/tcp.h), the fields `ss -ti`
 * shows, from sock_diag's INET_DIAG_INFO (and INET_DIAG_CONG for the algorithm).
 */
export interface HostTcpInfo {
  /** Smoothed RTT and its variation, ms (the kernel keeps microseconds). */
  rttMs: number;
  rttVarMs: number;
  /** Congestion window and slow-start threshold, in segments (ssthresh ≥ 2^31-1: not set). */
  cwnd: number;
  ssthresh: number | null;
  /** Segments now being retransmitted, and all retransmitted in the connection's life. */
  retrans: number;
  totalRetrans: number;
  /** Segments sent and not yet acknowledged. */
  unacked: number;
  bytesAcked: number;
  bytesReceived: number;
  /** Bytes per second, the latest delivery-rate sample (RFC 9293 says nothing; Linux BBR's). */
  deliveryRate: number;
  pmtu: number;
  rtoMs: number;
  /** e.g. cubic, bbr, reno; null when the kernel did not say. */
  congestion: string | null;
}

export interface HostSocket {
  state: TcpState;
  family: 4 | 6;
  local: Endpoint;
  remote: Endpoint;
  /** Bytes not yet read by the application; for LISTEN, the accept queue length. */
  recvQ: number;
  /** Bytes not yet acknowledged by the peer; for LISTEN, the backlog. */
  sendQ: number;
  /**
   * True for a LISTEN socket read from /proc/net/tcp, which does not carry the backlog (sendQ is
   * then 0 and means "unknown"); netlink sock_diag gives it.
   */
  backlogUnknown?: boolean;
  timer?: HostTimer;
  uid?: number;
  inode?: number;
  pid?: number;
  process?: string;
  fd?: number;
  /** tcp_info, when asked for (`ls --info`) and read through sock_diag. */
  info?: HostTcpInfo;
}

export type FindingKind =
  | 'close-wait-leak'
  | 'time-wait-pileup'
  | 'syn-flood-or-backlog'
  | 'fin-wait2-stuck'
  | 'orphans'
  | 'retransmitting';

export interface Finding {
  kind: FindingKind;
  severity: 'info' | 'warning' | 'critical';
  /** One line: what was found. */
  title: string;
  /** The facts behind it (counts, sockets, processes, counters). */
  evidence: string[];
  /** What to do about it. */
  advice: string[];
  /** Machine-readable details for --json. */
  data: Record<string, unknown>;
}

/** `/proc/net/sockstat` TCP line (counts of sockets; `mem` in pages). */
export interface SockstatTcp {
  inuse: number;
  orphan: number;
  tw: number;
  alloc: number;
  mem: number;
}

/**
 * What `diagnose` may know about the host beyond its socket list. Every field is optional so that
 * pasted `netstat`/`ss` output (which has sockets only) can be diagnosed too; a finding that
 * needs a missing field is simply not made, or made with less evidence.
 */
export interface DiagnoseContext {
  /** net.ipv4.ip_local_port_range: the ports the kernel picks for outgoing connections. */
  ephemeralPorts?: { low: number; high: number };
  /** net.ipv4.tcp_fin_timeout, seconds. */
  finTimeoutSec?: number;
  /** net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (the default since Linux 4.19). */
  twReuse?: number;
  /** net.core.somaxconn: the cap on any listen() backlog. */
  somaxconn?: number;
  /** net.ipv4.tcp_max_syn_backlog. */
  maxSynBacklog?: number;
  /** net.ipv4.tcp_max_orphans. */
  maxOrphans?: number;
  /** net.ipv4.tcp_max_tw_buckets. */
  maxTwBuckets?: number;
  /** `TcpExt` counters of /proc/net/netstat (ListenOverflows, ListenDrops, …), since boot. */
  tcpExt?: Record<string, number>;
  /** `Tcp` counters of /proc/net/snmp (RetransSegs, OutSegs, …), since boot. */
  snmpTcp?: Record<string, number>;
  sockstat?: SockstatTcp;
  /**
   * The same counters read `seconds` before the others: their difference says what is happening
   * now, where counters alone only say what happened since boot.
   */
  earlier?: {
    seconds: number;
    tcpExt?: Record<string, number>;
    snmpTcp?: Record<string, number>;
  };
  /**
   * Sockets whose owning process could not be read (other users' processes without root).
   * Lets findings say "owner unknown" honestly instead of blaming nobody.
   */
  unreadableOwners?: boolean;
}
