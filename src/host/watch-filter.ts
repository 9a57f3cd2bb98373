/** Which watch events a user asked for (`tcpstate watch --state/--port/--pid/--process/-4/-6`). */
import type { TcpState } from '../state/states.js';
import type { TransitionInput } from './watch-tracker.js';

export interface WatchFilter {
  /** An event matches when its old or new state is in the set. */
  states?: ReadonlySet<TcpState>;
  /** Local or remote port. */
  ports?: readonly number[];
  pids?: readonly number[];
  /** Case-insensitive part of the process (or, from tracefs, task) name. */
  process?: string;
  family?: 4 | 6;
}

export function eventMatches(event: TransitionInput, filter: WatchFilter): boolean {
  if (
    filter.states &&
    !filter.states.has(event.to) &&
    !(event.from && filter.states.has(event.from))
  )
    return false;
  if (filter.family !== undefined && event.family !== filter.family) return false;
  if (
    filter.ports &&
    !filter.ports.includes(event.local.port) &&
    !filter.ports.includes(event.remote.port)
  )
    return false;
  if (filter.pids && (event.pid === undefined || !filter.pids.includes(event.pid))) return false;
  if (filter.process !== undefined) {
    const name = event.process?.toLowerCase();
    if (name === undefined || !name.includes(filter.process.toLowerCase())) return false;
  }
  return true;
}
