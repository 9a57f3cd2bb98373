/**
 * `ls` filters, in the spirit of `ss`: states by any spelling parseState accepts plus ss's state
 * groups, ports (local or remote), pids, process names, address family.
 */
import { parseState } from '../state/aliases.js';
import { TCP_STATES, type TcpState } from '../state/states.js';
import type { HostSocket } from './types.js';

const BUCKET: readonly TcpState[] = ['TIME_WAIT', 'SYN_RECV'];
const CONNECTED: readonly TcpState[] = TCP_STATES.filter((s) => s !== 'LISTEN' && s !== 'CLOSED');

/** ss(8) state groups (see `ss --help`, "STATE-FILTER"). */
export const STATE_GROUPS: Readonly<Record<string, readonly TcpState[]>> = {
  all: TCP_STATES,
  connected: CONNECTED,
  synchronized: CONNECTED.filter((s) => s !== 'SYN_SENT' && s !== 'SYN_RECV'),
  bucket: BUCKET,
  big: TCP_STATES.filter((s) => !BUCKET.includes(s)),
};

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** The set of states the given names mean; throws FilterError naming the bad one. */
export function parseStateFilter(names: readonly string[]): Set<TcpState> {
  const states = new Set<TcpState>();
  for (const name of names) {
    const group = STATE_GROUPS[name.trim().toLowerCase()];
    const single = group ? undefined : parseState(name);
    if (!group && !single) {
      throw new FilterError(
        `unknown state "${name}": use a state (listen, established, time-wait, close-wait, …) or a group (${Object.keys(STATE_GROUPS).join(', ')})`,
      );
    }
    for (const state of group ?? [single as TcpState]) states.add(state);
  }
  return states;
}

export interface SocketFilter {
  states?: ReadonlySet<TcpState>;
  /** Matches the local or the remote port. */
  ports?: readonly number[];
  pids?: readonly number[];
  /** Case-insensitive part of the process name. */
  process?: string;
  family?: 4 | 6;
}

export function matches(socket: HostSocket, filter: SocketFilter): boolean {
  if (filter.states && !filter.states.has(socket.state)) return false;
  if (filter.family !== undefined && socket.family !== filter.family) return false;
  if (
    filter.ports &&
    !filter.ports.includes(socket.local.port) &&
    !filter.ports.includes(socket.remote.port)
  ) {
    return false;
  }
  if (filter.pids && (socket.pid === undefined || !filter.pids.includes(socket.pid))) return false;
  if (filter.process !== undefined) {
    const name = socket.process?.toLowerCase();
    if (name === undefined || !name.includes(filter.process.toLowerCase())) return false;
  }
  return true;
}

export function filterSockets(sockets: readonly HostSocket[], filter: SocketFilter): HostSocket[] {
  return sockets.filter((s) => matches(s, filter));
}

/** A port number from user text, or a FilterError. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new FilterError(`"${text}" is not a port number (0-65535)`);
  }
  return port;
}

export function parsePid(text: string): number {
  const pid = Number(text);
  if (!/^\d+$/.test(text.trim()) || pid < 1) throw new FilterError(`"${text}" is not a pid`);
  return pid;
}

/** Order for display: the state's place in the lifecycle, then local port, then remote. */
export function sortSockets(sockets: HostSocket[]): HostSocket[] {
  const rank = new Map<TcpState, number>(TCP_STATES.map((s, i) => [s, i]));
  // Plain code-unit comparison: localeCompare is ~50x slower, and addresses have no locale.
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return sockets.sort(
    (a, b) =>
      (rank.get(a.state) ?? 0) - (rank.get(b.state) ?? 0) ||
      a.local.port - b.local.port ||
      text(a.local.address, b.local.address) ||
      text(a.remote.address, b.remote.address) ||
      a.remote.port - b.remote.port,
  );
}

/** The filter options as a command line gives them (strings, repeatable lists). */
export interface FilterArgs {
  state?: readonly string[];
  port?: readonly string[];
  pid?: readonly string[];
  process?: string;
  ipv4?: boolean;
  ipv6?: boolean;
}

/** A SocketFilter from command-line text; throws FilterError naming what is wrong. */
export function buildSocketFilter(args: FilterArgs): SocketFilter {
  if (args.ipv4 && args.ipv6) throw new FilterError('-4 and -6 together match nothing; pick one');
  const states = args.state ?? [];
  const ports = args.port ?? [];
  const pids = args.pid ?? [];
  return {
    ...(states.length > 0 ? { states: parseStateFilter(states) } : {}),
    ...(ports.length > 0 ? { ports: ports.map(parsePort) } : {}),
    ...(pids.length > 0 ? { pids: pids.map(parsePid) } : {}),
    ...(args.process !== undefined ? { process: args.process } : {}),
    ...(args.ipv4 ? { family: 4 as const } : args.ipv6 ? { family: 6 as const } : {}),
  };
}
