/**
 * The one transition event of tcpstate. The stack, the simulator, the TUN trace, the drill trace
 * and the host watcher all report state changes in this shape, and every `--json` / `--trace`
 * output writes it with `transitionJson`.
 */
import type { FourTuple, TcpState } from './states.js';
import type { Cause } from './transitions.js';

export interface TransitionEvent {
  /**
   * Milliseconds: virtual time for the engine and the simulator, Unix epoch for the host.
   */
  time: number;
  /** The connection as seen from the side that changed state. */
  connection: FourTuple;
  /** Which endpoint changed state where several are shown (`a`/`b` in the simulator, `tcpstate`/`kernel` over TUN). */
  side?: string;
  from: TcpState;
  to: TcpState;
  /**
   * The segment, user call or timer that caused it, from the transitions table. The engine
   * always knows it; the host tracer leaves it out where the kernel does not say.
   */
  cause?: Cause;
}

/** The JSON form of a transition, one object per line in `--json` and `--trace` outputs. */
export interface TransitionJson {
  type: 'transition';
  time: number;
  side?: string;
  local: string;
  remote: string;
  from: TcpState;
  to: TcpState;
  cause?: Cause;
}

/** `address:port`, with IPv6 addresses in brackets (RFC 5952 6). */
export function endpointText(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export function transitionJson(e: TransitionEvent): TransitionJson {
  const j: TransitionJson = {
    type: 'transition',
    time: e.time,
    local: endpointText(e.connection.local),
    remote: endpointText(e.connection.remote),
    from: e.from,
    to: e.to,
  };
  if (e.side !== undefined) j.side = e.side;
  if (e.cause !== undefined) j.cause = e.cause;
  return j;
}

/** The one text form of a transition, for human traces: `ESTABLISHED -> FIN_WAIT1 (close())`. */
export function transitionText(e: TransitionEvent): string {
  return `${e.from} -> ${e.to}${e.cause === undefined ? '' : ` (${e.cause})`}`;
}
