/**
 * The TCP state diagram (RFC 9293 section 3.3.2, Figure 5, with the event processing of section
 * 3.10) as data. This table is the single source for the explanations (`tcpstate explain`), the
 * text state diagram, and the tests that check the engine against it: every (from, to, cause) the
 * engine emits must be a row here.
 *
 * `cause` uses the engine's vocabulary (tcp/types.ts ConnectionEvent): a received segment
 * (`rcv SYN`, `rcv SYN,ACK`, `rcv ACK`, `rcv FIN`, `rcv FIN,ACK`, `rcv RST`), a user call
 * (`connect()`, `listen()`, `close()`, `shutdown()`, `abort()`, `send()`) or a timer
 * (`2MSL timer`, `FIN_WAIT2 timer`, `retransmission limit`, `keepalive timeout`, `user timeout`).
 */
import type { TcpState } from './states.js';

export type Cause =
  | 'connect()'
  | 'listen()'
  | 'send()'
  | 'close()'
  | 'shutdown()'
  | 'abort()'
  | 'rcv SYN'
  | 'rcv SYN,ACK'
  | 'rcv ACK'
  | 'rcv FIN'
  | 'rcv FIN,ACK'
  | 'rcv RST'
  | 'rcv data after close()'
  | '2MSL timer'
  | 'FIN_WAIT2 timer'
  | 'retransmission limit'
  | 'keepalive timeout'
  | 'user timeout';

/** What the side that changes state sends as it does ('' = nothing). */
export type Sends = '' | 'SYN' | 'SYN,ACK' | 'ACK' | 'FIN' | 'RST';

export interface Transition {
  from: TcpState;
  to: TcpState;
  cause: Cause;
  sends: Sends;
  /** Where RFC 9293 (or the RFC named) says so. */
  rfc: string;
  /**
   * Set when the two-endpoint simulator cannot show this transition, with the reason; the
   * engine-conformance test requires every other row to be reached by some scenario.
   */
  notInSimulation?: string;
}

const LISTENER =
  'listening sockets are the stack’s listeners, not connections: they emit no state events';

const NO_HANDLE =
  'the application gets a passively opened connection from accept() only once it is ESTABLISHED, so it cannot act on it in SYN_RECV (nor can a Linux application)';
const NO_USER_TIMEOUT_AFTER_FIN =
  'the scenario files set the user timeout on side a only, and a reaches CLOSING or LAST_ACK only with the retransmission limit far shorter than a user timeout';
const SYN_RESETS =
  'the simulated stacks keep RFC 5961 on (config.synChallenge): an in-window SYN gets a challenge ACK, not a reset';
const ALWAYS_READS =
  'the scenario applications always read what arrives, so no data is left unread';

/** RFC 9293 3.10.7.2-3.10.7.4 and 3.10.4 (CLOSE), 3.10.5 (ABORT), 3.10.8 (timeouts). */
export const TRANSITIONS: readonly Transition[] = [
  // Opening (3.10.1 OPEN, 3.10.7.2 LISTEN, 3.10.7.3 SYN-SENT).
  {
    from: 'CLOSED',
    to: 'LISTEN',
    cause: 'listen()',
    sends: '',
    rfc: '3.10.1',
    notInSimulation: LISTENER,
  },
  { from: 'CLOSED', to: 'SYN_SENT', cause: 'connect()', sends: 'SYN', rfc: '3.10.1' },
  { from: 'LISTEN', to: 'SYN_RECV', cause: 'rcv SYN', sends: 'SYN,ACK', rfc: '3.10.7.2' },
  {
    from: 'LISTEN',
    to: 'SYN_SENT',
    cause: 'send()',
    sends: 'SYN',
    rfc: '3.10.2',
    notInSimulation:
      'RFC 9293 allows SEND on a listening socket to turn it into an active open; Linux and the BSD socket API do not offer it, and neither does this engine',
  },
  {
    from: 'LISTEN',
    to: 'CLOSED',
    cause: 'close()',
    sends: '',
    rfc: '3.10.4',
    notInSimulation: LISTENER,
  },
  { from: 'SYN_SENT', to: 'ESTABLISHED', cause: 'rcv SYN,ACK', sends: 'ACK', rfc: '3.10.7.3' },
  // Simultaneous open: both SYNs cross (3.10.7.3, fourth check; Figure 7).
  { from: 'SYN_SENT', to: 'SYN_RECV', cause: 'rcv SYN', sends: 'SYN,ACK', rfc: '3.10.7.3' },
  // A RST,ACK that acknowledges our SYN: "connection refused" (3.10.7.3, first check).
  { from: 'SYN_SENT', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.3' },
  { from: 'SYN_SENT', to: 'CLOSED', cause: 'close()', sends: '', rfc: '3.10.4' },
  { from: 'SYN_SENT', to: 'CLOSED', cause: 'abort()', sends: '', rfc: '3.10.5' },
  { from: 'SYN_SENT', to: 'CLOSED', cause: 'retransmission limit', sends: '', rfc: '3.8.3' },
  { from: 'SYN_SENT', to: 'CLOSED', cause: 'user timeout', sends: '', rfc: '3.10.8' },
  { from: 'SYN_RECV', to: 'ESTABLISHED', cause: 'rcv ACK', sends: '', rfc: '3.10.7.4' },
  // Simultaneous open: each side, in SYN-RECEIVED, gets the other's SYN,ACK (Figure 8).
  { from: 'SYN_RECV', to: 'ESTABLISHED', cause: 'rcv SYN,ACK', sends: '', rfc: '3.10.7.4' },
  // A FIN arriving in SYN-RECEIVED (3.10.7.4, eighth check: "SYN-RECEIVED STATE, ESTABLISHED
  // STATE: Enter the CLOSE-WAIT state").
  {
    from: 'SYN_RECV',
    to: 'CLOSE_WAIT',
    cause: 'rcv FIN',
    sends: 'ACK',
    rfc: '3.10.7.4',
    notInSimulation:
      'a FIN from the peer comes with an ACK of our SYN, which takes the engine to ESTABLISHED first',
  },
  {
    from: 'SYN_RECV',
    to: 'FIN_WAIT1',
    cause: 'close()',
    sends: 'FIN',
    rfc: '3.10.4',
    notInSimulation: NO_HANDLE,
  },
  // RFC 9293 returns a passively opened connection to LISTEN on RST; a stack with a listener
  // and one connection per SYN (Linux, this one) simply drops the embryonic connection.
  { from: 'SYN_RECV', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.4' },
  {
    from: 'SYN_RECV',
    to: 'CLOSED',
    cause: 'abort()',
    sends: 'RST',
    rfc: '3.10.5',
    notInSimulation: NO_HANDLE,
  },
  { from: 'SYN_RECV', to: 'CLOSED', cause: 'retransmission limit', sends: '', rfc: '3.8.3' },
  // Established and closing (3.10.4 CLOSE, 3.10.7.4 eighth: FIN bit).
  { from: 'ESTABLISHED', to: 'FIN_WAIT1', cause: 'close()', sends: 'FIN', rfc: '3.10.4' },
  { from: 'ESTABLISHED', to: 'FIN_WAIT1', cause: 'shutdown()', sends: 'FIN', rfc: '3.10.4' },
  { from: 'ESTABLISHED', to: 'CLOSE_WAIT', cause: 'rcv FIN', sends: 'ACK', rfc: '3.10.7.4' },
  { from: 'ESTABLISHED', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.4' },
  { from: 'ESTABLISHED', to: 'CLOSED', cause: 'abort()', sends: 'RST', rfc: '3.10.5' },
  // close() with received data still unread resets instead of closing (RFC 2525 2.17; Linux).
  {
    from: 'ESTABLISHED',
    to: 'CLOSED',
    cause: 'close()',
    sends: 'RST',
    rfc: 'RFC 2525 2.17',
    notInSimulation: ALWAYS_READS,
  },
  { from: 'ESTABLISHED', to: 'CLOSED', cause: 'retransmission limit', sends: '', rfc: '3.8.3' },
  { from: 'ESTABLISHED', to: 'CLOSED', cause: 'keepalive timeout', sends: '', rfc: '3.8.4' },
  { from: 'ESTABLISHED', to: 'CLOSED', cause: 'user timeout', sends: '', rfc: '3.10.8' },
  { from: 'FIN_WAIT1', to: 'FIN_WAIT2', cause: 'rcv ACK', sends: '', rfc: '3.10.7.4' },
  // Simultaneous close: the peer's FIN arrives before the ACK of ours (Figure 13).
  { from: 'FIN_WAIT1', to: 'CLOSING', cause: 'rcv FIN', sends: 'ACK', rfc: '3.10.7.4' },
  // FIN and the ACK of our FIN in one segment: FIN_WAIT2 is skipped.
  { from: 'FIN_WAIT1', to: 'TIME_WAIT', cause: 'rcv FIN,ACK', sends: 'ACK', rfc: '3.10.7.4' },
  { from: 'FIN_WAIT1', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.4' },
  { from: 'FIN_WAIT1', to: 'CLOSED', cause: 'abort()', sends: 'RST', rfc: '3.10.5' },
  // Data for an application that has called close() cannot be delivered: answer RST (RFC 2525
  // 2.17, Linux's "data after close").
  {
    from: 'FIN_WAIT1',
    to: 'CLOSED',
    cause: 'rcv data after close()',
    sends: 'RST',
    rfc: 'RFC 2525 2.17',
  },
  { from: 'FIN_WAIT1', to: 'CLOSED', cause: 'retransmission limit', sends: '', rfc: '3.8.3' },
  { from: 'FIN_WAIT1', to: 'CLOSED', cause: 'user timeout', sends: '', rfc: '3.10.8' },
  { from: 'FIN_WAIT2', to: 'TIME_WAIT', cause: 'rcv FIN', sends: 'ACK', rfc: '3.10.7.4' },
  // Not in RFC 9293: Linux ends an orphaned FIN_WAIT2 after tcp_fin_timeout (RFC 9293 3.10.7.4
  // leaves FIN-WAIT-2 waiting for ever).
  {
    from: 'FIN_WAIT2',
    to: 'CLOSED',
    cause: 'FIN_WAIT2 timer',
    sends: '',
    rfc: 'Linux tcp_fin_timeout',
  },
  { from: 'FIN_WAIT2', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.4' },
  { from: 'FIN_WAIT2', to: 'CLOSED', cause: 'abort()', sends: 'RST', rfc: '3.10.5' },
  {
    from: 'FIN_WAIT2',
    to: 'CLOSED',
    cause: 'rcv data after close()',
    sends: 'RST',
    rfc: 'RFC 2525 2.17',
  },
  { from: 'FIN_WAIT2', to: 'CLOSED', cause: 'keepalive timeout', sends: '', rfc: '3.8.4' },
  { from: 'CLOSE_WAIT', to: 'LAST_ACK', cause: 'close()', sends: 'FIN', rfc: '3.10.4' },
  { from: 'CLOSE_WAIT', to: 'LAST_ACK', cause: 'shutdown()', sends: 'FIN', rfc: '3.10.4' },
  { from: 'CLOSE_WAIT', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.4' },
  { from: 'CLOSE_WAIT', to: 'CLOSED', cause: 'abort()', sends: 'RST', rfc: '3.10.5' },
  {
    from: 'CLOSE_WAIT',
    to: 'CLOSED',
    cause: 'close()',
    sends: 'RST',
    rfc: 'RFC 2525 2.17',
    notInSimulation: ALWAYS_READS,
  },
  { from: 'CLOSE_WAIT', to: 'CLOSED', cause: 'retransmission limit', sends: '', rfc: '3.8.3' },
  { from: 'CLOSE_WAIT', to: 'CLOSED', cause: 'keepalive timeout', sends: '', rfc: '3.8.4' },
  { from: 'CLOSE_WAIT', to: 'CLOSED', cause: 'user timeout', sends: '', rfc: '3.10.8' },
  { from: 'CLOSING', to: 'TIME_WAIT', cause: 'rcv ACK', sends: '', rfc: '3.10.7.4' },
  { from: 'CLOSING', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.4' },
  { from: 'CLOSING', to: 'CLOSED', cause: 'retransmission limit', sends: '', rfc: '3.8.3' },
  // 3.10.5: ABORT in CLOSING, LAST-ACK or TIME-WAIT deletes the TCB without sending RST.
  { from: 'CLOSING', to: 'CLOSED', cause: 'abort()', sends: '', rfc: '3.10.5' },
  {
    from: 'CLOSING',
    to: 'CLOSED',
    cause: 'user timeout',
    sends: '',
    rfc: '3.10.8',
    notInSimulation: NO_USER_TIMEOUT_AFTER_FIN,
  },
  { from: 'LAST_ACK', to: 'CLOSED', cause: 'rcv ACK', sends: '', rfc: '3.10.7.4' },
  { from: 'LAST_ACK', to: 'CLOSED', cause: 'rcv RST', sends: '', rfc: '3.10.7.4' },
  { from: 'LAST_ACK', to: 'CLOSED', cause: 'retransmission limit', sends: '', rfc: '3.8.3' },
  {
    from: 'LAST_ACK',
    to: 'CLOSED',
    cause: 'abort()',
    sends: '',
    rfc: '3.10.5',
    notInSimulation: 'the scenario applications do not abort a connection they have closed',
  },
  {
    from: 'LAST_ACK',
    to: 'CLOSED',
    cause: 'user timeout',
    sends: '',
    rfc: '3.10.8',
    notInSimulation: NO_USER_TIMEOUT_AFTER_FIN,
  },
  // Without RFC 5961's challenge ACK, a SYN in the window of a synchronized connection is an
  // error that resets it (RFC 793 3.9, kept in RFC 9293 3.10.7.4 for stacks without RFC 5961;
  // FreeBSD's net.inet.tcp.insecure_syn=1). The packetdrill runner reaches these rows.
  ...(['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK'] as const).map(
    (from): Transition => ({
      from,
      to: 'CLOSED',
      cause: 'rcv SYN',
      sends: 'RST',
      rfc: 'RFC 793 3.9, on stacks without RFC 5961',
      notInSimulation: SYN_RESETS,
    }),
  ),
  // TIME-WAIT lasts 2*MSL (3.10.8, 3.4.2); a retransmitted FIN restarts it without a state change.
  { from: 'TIME_WAIT', to: 'CLOSED', cause: '2MSL timer', sends: '', rfc: '3.10.8' },
  // A new SYN for the same 4-tuple may end TIME-WAIT early (RFC 9293 3.10.7.4 note, RFC 6191).
  { from: 'TIME_WAIT', to: 'CLOSED', cause: 'rcv SYN', sends: '', rfc: '3.10.7.4, RFC 6191' },
  // ABORT in TIME-WAIT deletes the TCB without a segment (3.10.5; `tcpdrop` on FreeBSD).
  {
    from: 'TIME_WAIT',
    to: 'CLOSED',
    cause: 'abort()',
    sends: '',
    rfc: '3.10.5',
    notInSimulation: 'the scenario applications do not abort a connection in TIME_WAIT',
  },
  // RFC 9293 3.10.7.4 closes on RST; RFC 1337 ("TIME-WAIT assassination") advises ignoring it.
  {
    from: 'TIME_WAIT',
    to: 'CLOSED',
    cause: 'rcv RST',
    sends: '',
    rfc: '3.10.7.4, RFC 1337',
    notInSimulation:
      'this engine follows RFC 1337 and ignores RST in TIME_WAIT (Linux does not unless net.ipv4.tcp_rfc1337=1)',
  },
];

export function transitionsFrom(state: TcpState): Transition[] {
  return TRANSITIONS.filter((t) => t.from === state);
}

export function transitionsTo(state: TcpState): Transition[] {
  return TRANSITIONS.filter((t) => t.to === state);
}

/** The row for this (from, to, cause), if the state diagram has it. */
export function findTransition(
  from: TcpState,
  to: TcpState,
  cause: Cause | undefined,
): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to && t.cause === cause);
}

/** Whether the diagram has any edge from `from` to `to`, whatever its cause. */
export function hasEdge(from: TcpState, to: TcpState): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to);
}
