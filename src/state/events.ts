/**
 * The one transition event of tcpstate. The stack, the simulator, the TUN trace, the drill trace
 * and the host watcher all report state changes in this shape, and every `--json` / `--trace`
 * output writes it with `transitionJson`.
 */
import type { Endpoint, FourTuple, TcpState } from './states.js';
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

/**
 * The JSON form of a transition, one object per line in `--json` and `--trace` outputs. Sources
 * may add their own fields after these (the host watcher adds pid, process, ms, …); these keep
 * their names and meaning everywhere.
 */
export interface TransitionJson {
  type: 'transition';
  /** Milliseconds, as in TransitionEvent. */
  time: number;
  side?: string;
  local: Endpoint;
  remote: Endpoint;
  from: TcpState;
  to: TcpState;
  cause?: Cause;
}

export function transitionJson(e: TransitionEvent): TransitionJson {
  const j: TransitionJson = {
    type: 'transition',
    time: e.time,
    local: { address: e.connection.local.address, port: e.connection.local.port },
    remote: { address: e.connection.remote.address, port: e.connection.remote.port },
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
