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

export interface HostSocket {
  state: TcpState;
  family: 4 | 6;
  local: Endpoint;
  remote: Endpoint;
  /** Bytes not yet read by the application; for LISTEN, the accept queue length. */
  recvQ: number;
  /** Bytes not yet acknowledged by the peer; for LISTEN, the backlog. */
  sendQ: number;
  timer?: HostTimer;
  uid?: number;
  inode?: number;
  pid?: number;
  process?: string;
  fd?: number;
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
