/**
 * Reads a connection's story from its transitions: whether the peer's FIN has arrived, and why
 * it reached CLOSED. The stack reports transitions (`from`, `to`, `cause`); these rules follow
 * RFC 9293's diagram (3.3.2) so they hold whatever words a cause uses for its segment or timer.
 */
import type { TcpState } from '../state/states.js';
import type { CloseReason } from '../tcp/types.js';

/** Transitions that only a received FIN makes (RFC 9293 3.10.7.4, eighth step). */
export function isPeerFin(from: TcpState, to: TcpState): boolean {
  if (to === 'CLOSE_WAIT') return true;
  if (from === 'FIN_WAIT1' && (to === 'CLOSING' || to === 'TIME_WAIT')) return true;
  return from === 'FIN_WAIT2' && to === 'TIME_WAIT';
}

/** States in which the peer's FIN has been received. */
export function peerHasClosed(state: TcpState): boolean {
  return (
    state === 'CLOSE_WAIT' || state === 'LAST_ACK' || state === 'CLOSING' || state === 'TIME_WAIT'
  );
}

/** Why a connection reached CLOSED, from the state it left and the transition's cause. */
export function closeReason(from: TcpState, cause: string): CloseReason {
  const c = cause.toLowerCase();
  if (c.includes('abort') || c.includes('close()') || c.includes('listener')) return 'aborted';
  // TIME_WAIT only ever ends well: 2MSL, or a new SYN reusing the 4-tuple (RFC 9293 3.6.1).
  if (from === 'TIME_WAIT') return 'normal';
  const rst = /\brst\b/.test(c) || c.includes('reset');
  if (from === 'SYN_SENT') return rst || c.startsWith('rcv') ? 'refused' : 'timeout';
  if (rst) return 'reset';
  // An in-window SYN closes a synchronized connection only where RFC 793's answer is kept (RST
  // and close, RFC 5961 4.2 off): the connection was reset.
  if (c === 'rcv syn') return 'reset';
  // A normal end: our FIN acknowledged after theirs, or the orphan FIN_WAIT2 timeout.
  if (from === 'LAST_ACK' || from === 'FIN_WAIT2' || from === 'CLOSING') {
    return c.startsWith('rcv') || c.includes('fin') ? 'normal' : 'timeout';
  }
  return 'timeout';
}
