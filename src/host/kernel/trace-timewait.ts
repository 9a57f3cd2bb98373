/**
 * The kernel's event never shows a socket entering TIME_WAIT: tcp_time_wait() hands the
 * connection to a small time-wait socket and sets the full socket to CLOSE, so the trace says
 * FIN_WAIT2 -> CLOSE (or CLOSING -> CLOSE, or FIN_WAIT1 -> CLOSE). /proc/net/tcp lists the
 * time-wait socket (inode 0, state TIME_WAIT, or FIN_WAIT2 for an orphan whose FIN_WAIT2 is
 * being timed out by a time-wait socket), so looking the 4-tuple up there right after tells
 * which it was. A connection in another network namespace is not in our /proc and stays CLOSED.
 */
import type { TcpState } from '../../state/states.js';
import type { HostSocket } from '../types.js';
import type { HostTransition } from '../watch-tracker.js';
import { readProcSockets } from './snapshot.js';

const CLOSING_STATES: ReadonlySet<TcpState> = new Set(['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING']);
const TIME_WAIT_SOCKET_STATES: ReadonlySet<TcpState> = new Set(['TIME_WAIT', 'FIN_WAIT2']);

/** A change to CLOSED that may really be the start of TIME_WAIT. */
export function mayBeTimeWait(input: HostTransition): boolean {
  return input.to === 'CLOSED' && CLOSING_STATES.has(input.from);
}

function tupleKey(family: number, la: string, lp: number, ra: string, rp: number): string {
  return `${family}|${la}|${lp}|${ra}|${rp}`;
}

/** 4-tuple -> state of every time-wait socket (inode 0) in /proc/net/tcp and tcp6. */
export function readTimeWaitSockets(procNet = '/proc/net'): Map<string, TcpState> {
  const out = new Map<string, TcpState>();
  let sockets: HostSocket[];
  try {
    sockets = readProcSockets(procNet);
  } catch {
    return out;
  }
  for (const s of sockets) {
    if (s.inode !== 0 || !TIME_WAIT_SOCKET_STATES.has(s.state)) continue;
    out.set(
      tupleKey(s.family, s.local.address, s.local.port, s.remote.address, s.remote.port),
      s.state,
    );
  }
  return out;
}

/** The change with `to` corrected from the time-wait sockets found, or unchanged. */
export function correctTimeWait(
  input: HostTransition,
  timeWait: ReadonlyMap<string, TcpState>,
): HostTransition {
  if (!mayBeTimeWait(input)) return input;
  const { local, remote } = input.connection;
  const found = timeWait.get(
    tupleKey(input.family, local.address, local.port, remote.address, remote.port),
  );
  return found ? { ...input, to: found, reported: input.to } : input;
}
