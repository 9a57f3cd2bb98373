/** Which watch events a user asked for (`tcpstate watch --state/--port/--pid/--process/-4/-6`). */
import type { TcpState } from '../state/states.js';
import type { HostChange } from './watch-tracker.js';

export interface WatchFilter {
  /** A transition matches when its old or new state is in the set; a seen socket, its state. */
  states?: ReadonlySet<TcpState>;
  /** Local or remote port. */
  ports?: readonly number[];
  pids?: readonly number[];
  /** Case-insensitive part of the process (or, from tracefs, task) name. */
  process?: string;
  family?: 4 | 6;
}

function statesOf(event: HostChange): TcpState[] {
  return event.kind === 'seen' ? [event.state] : [event.from, event.to];
}

export function eventMatches(event: HostChange, filter: WatchFilter): boolean {
  const { states } = filter;
  if (states && !statesOf(event).some((s) => states.has(s))) return false;
  if (filter.family !== undefined && event.family !== filter.family) return false;
  const { local, remote } = event.connection;
  if (filter.ports && !filter.ports.includes(local.port) && !filter.ports.includes(remote.port))
    return false;
  if (filter.pids && (event.pid === undefined || !filter.pids.includes(event.pid))) return false;
  if (filter.process !== undefined) {
    const name = event.process?.toLowerCase();
    if (name === undefined || !name.includes(filter.process.toLowerCase())) return false;
  }
  return true;
}
