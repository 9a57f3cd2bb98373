/**
 * Turns a stream of per-socket state changes into watch events (with the time spent in the old
 * state) and connection lifetimes (like bcc's tcplife). Pure bookkeeping: times come in as
 * arguments. A change is either a transition (the one TransitionEvent of state/events.ts) or a
 * socket polling found already in some state (`seen`), whose lifetime began before the watch.
 *
 * Sockets are identified by their kernel address (skaddr) where the trace gives it, else by
 * family and 4-tuple, as the event prints them. Neither is a connection: the kernel reuses a
 * freed socket's memory for the next socket, and a 4-tuple for the next connection. So a
 * connection's identity starts at its birth, a change that only begins a connection
 * (CLOSED -> SYN_SENT from connect(), CLOSED -> LISTEN, LISTEN -> SYN_RECV for a listener's
 * child), or at a new 4-tuple on a known skaddr, and ends at CLOSED (or where the kernel hands it
 * to a time-wait socket); time in a state is never counted across that line.
 * connect() needs care: CLOSE -> SYN_SENT is reported before the local port is chosen (sport 0),
 * so without skaddr that socket waits, keyed by its destination, for the SYN_SENT -> x change
 * that carries the port (oldest first when several connect to the same destination at once).
 */
import type { TransitionEvent } from '../state/events.js';
import type { Endpoint, FourTuple, TcpState } from '../state/states.js';

/** Where watch events come from: the kernel's tracepoint, or polling /proc/net/tcp{,6}. */
export type WatchSource = 'tracefs' | 'poll';

/** What the host knows of the socket beside its connection. */
export interface HostSocketInfo {
  family: 4 | 6;
  /** The task running when the state changed (tracefs), or the socket's owner (polling). */
  pid?: number;
  process?: string;
  /** The socket's kernel address (tracefs with the `fields` option); identifies it exactly. */
  skaddr?: string;
}

/**
 * A state change of one of the host's sockets: the one transition event (time in Unix epoch
 * ms), with what the host knows of the socket. `cause` stays unset: the kernel's event does not
 * say what made the change.
 */
export interface HostTransition extends TransitionEvent, HostSocketInfo {
  kind: 'transition';
  /**
   * What the kernel's event said when `to` was corrected (CLOSED, for a socket that /proc shows
   * went to TIME_WAIT); absent when `to` is exactly what was reported.
   */
  reported?: TcpState;
}

/**
 * A socket polling found in some state without having seen it before: not a transition, since
 * the state it came from is unknown.
 */
export interface HostSeen extends HostSocketInfo {
  kind: 'seen';
  /** Unix epoch milliseconds. */
  time: number;
  connection: FourTuple;
  state: TcpState;
}

/** What the watch's sources report, one socket at a time. */
export type HostChange = HostTransition | HostSeen;

/** A transition as the watch reports it, with the time its socket spent in `from`. */
export interface WatchTransition extends HostTransition {
  /** Milliseconds spent in `from`; null when this watch did not see the socket enter it. */
  ms: number | null;
}

/** A change as the watch reports it. */
export type WatchEvent = WatchTransition | HostSeen;

export interface Lifetime {
  family: 4 | 6;
  local: Endpoint;
  remote: Endpoint;
  /** Epoch ms of the first change seen. */
  start: number;
  /** Epoch ms of the change to CLOSED; undefined while still open when the watch ended. */
  end?: number;
  /**
   * States passed, in order, without the CLOSED before and after. A lifetime traced by tracefs
   * ends at TIME_WAIT: the kernel reports nothing about the time-wait socket after that.
   */
  states: TcpState[];
  /** Already in its first state when the watch started (its start time is when it was seen). */
  joinedMidway: boolean;
  /**
   * Ended where the kernel handed the connection to a time-wait socket before TIME_WAIT (an
   * orphan in FIN_WAIT2): it goes on there, unseen by the trace.
   */
  handedOff?: boolean;
}

interface Track {
  lifetime: Lifetime;
  lastTime: number;
  key: string;
}

function endpointKey(e: Endpoint): string {
  return `${e.address}|${e.port}`;
}

function tupleKey(family: number, local: Endpoint, remote: Endpoint): string {
  return `${family}|${endpointKey(local)}|${endpointKey(remote)}`;
}

/** A change that only a new connection makes (connect(), listen(), a listener's child). */
function isBirth(change: HostTransition): boolean {
  return change.from === 'CLOSED' || (change.from === 'LISTEN' && change.to === 'SYN_RECV');
}

/**
 * Whether a change on a known socket still belongs to the connection tracked there: same
 * remote, and the same local port once it is chosen (a skaddr reused by a connection whose
 * birth the watch missed shows up as another 4-tuple).
 */
function sameConnection(l: Lifetime, change: HostTransition): boolean {
  const { local, remote } = change.connection;
  if (l.remote.address !== remote.address || l.remote.port !== remote.port) return false;
  return local.port === 0 || l.local.port === 0 || l.local.port === local.port;
}

export interface TrackerOptions {
  /** End a lifetime when it enters TIME_WAIT (tracefs: its end is never reported). */
  endAtTimeWait?: boolean;
  /** Finished lifetimes kept for the summary (default 10,000); older ones are only counted. */
  maxFinished?: number;
}

const DEFAULT_MAX_FINISHED = 10_000;

export class TransitionTracker {
  constructor(private readonly options: TrackerOptions = {}) {}

  private readonly open = new Map<string, Track>();
  /** Destination key -> connects still without a local port, oldest first. */
  private readonly unbound = new Map<string, Track[]>();
  private done: Lifetime[] = [];
  private forgotten = 0;

  /** Finished lifetimes dropped from the summary to bound memory on a long watch. */
  get forgottenLifetimes(): number {
    return this.forgotten;
  }

  record(change: HostTransition): WatchTransition;
  record(change: HostSeen): HostSeen;
  record(change: HostChange): WatchEvent;
  record(change: HostChange): WatchEvent {
    return change.kind === 'seen' ? this.recordSeen(change) : this.recordTransition(change);
  }

  private keyOf(change: HostChange): string {
    return change.skaddr !== undefined
      ? `sk|${change.skaddr}`
      : tupleKey(change.family, change.connection.local, change.connection.remote);
  }

  /** A socket first seen by polling: a lifetime that began before the watch saw it. */
  private recordSeen(seen: HostSeen): HostSeen {
    const key = this.keyOf(seen);
    const known = this.open.get(key);
    if (known) {
      // Same tuple, still open: the same socket as far as the watch can tell.
      known.lastTime = seen.time;
      if (known.lifetime.states.at(-1) !== seen.state) known.lifetime.states.push(seen.state);
      return seen;
    }
    this.open.set(key, {
      key,
      lastTime: seen.time,
      lifetime: {
        family: seen.family,
        local: { ...seen.connection.local },
        remote: { ...seen.connection.remote },
        start: seen.time,
        states: [seen.state],
        joinedMidway: true,
      },
    });
    return seen;
  }

  private recordTransition(input: HostTransition): WatchTransition {
    const { local, remote } = input.connection;
    const key = this.keyOf(input);
    const fresh = isBirth(input);
    let track: Track | undefined = this.open.get(key);
    if (track && (fresh || !sameConnection(track.lifetime, input))) {
      // The socket (or tuple) now carries another connection: the old one ended unseen.
      this.finish(track, track.lastTime);
      track = undefined;
    }
    if (!track && !fresh && input.skaddr === undefined) track = this.adoptUnbound(input, key);
    let ms: number | null = null;
    if (track) {
      ms = Math.max(0, input.time - track.lastTime);
    } else {
      // A child socket starts as a copy of its listener (LISTEN -> SYN_RECV); a connect starts
      // from CLOSED. Any other first change means the socket existed before the watch began.
      track = {
        key,
        lastTime: input.time,
        lifetime: {
          family: input.family,
          local: { ...local },
          remote: { ...remote },
          start: input.time,
          states: fresh ? [] : [input.from],
          joinedMidway: !fresh,
        },
      };
      if (
        input.skaddr === undefined &&
        input.from === 'CLOSED' &&
        input.to === 'SYN_SENT' &&
        local.port === 0
      ) {
        const dest = tupleKey(input.family, { address: '', port: 0 }, remote);
        this.unbound.set(dest, [...(this.unbound.get(dest) ?? []), track]);
      } else {
        this.open.set(key, track);
      }
    }
    track.lastTime = input.time;
    // The local port is chosen after CLOSE -> SYN_SENT; keep the one the socket ends up with.
    if (local.port !== 0) track.lifetime.local = { ...local };
    const states = track.lifetime.states;
    if (input.to !== 'CLOSED' && states.at(-1) !== input.to) states.push(input.to);
    // A change the watch corrected from /proc (`reported`) is the full socket closing while a
    // time-wait socket, which the trace never reports on, carries the connection on.
    const handedOff = this.options.endAtTimeWait && input.reported !== undefined;
    if (
      input.to === 'CLOSED' ||
      handedOff ||
      (input.to === 'TIME_WAIT' && this.options.endAtTimeWait)
    ) {
      if (handedOff && input.to !== 'TIME_WAIT') track.lifetime.handedOff = true;
      this.finish(track, input.time);
    }
    return { ...input, ms };
  }

  private finish(track: Track, end: number): void {
    track.lifetime.end = end;
    this.open.delete(track.key);
    this.done.push(track.lifetime);
    const max = this.options.maxFinished ?? DEFAULT_MAX_FINISHED;
    if (this.done.length > max * 2) {
      // Trim in batches so that a long watch does not copy the array on every close.
      this.forgotten += this.done.length - max;
      this.done = this.done.slice(-max);
    }
  }

  private adoptUnbound(input: HostTransition, key: string): Track | undefined {
    if (input.from !== 'SYN_SENT') return undefined;
    const dest = tupleKey(input.family, { address: '', port: 0 }, input.connection.remote);
    const waiting = this.unbound.get(dest);
    const track = waiting?.shift();
    if (!track) return undefined;
    if (waiting && waiting.length === 0) this.unbound.delete(dest);
    track.key = key;
    track.lifetime.local = { ...input.connection.local };
    this.open.set(key, track);
    return track;
  }

  /** Every connection seen: finished ones in the order they ended, then those still open. */
  lifetimes(): Lifetime[] {
    const stillOpen = [...this.open.values(), ...[...this.unbound.values()].flat()].map(
      (t) => t.lifetime,
    );
    return [...this.done, ...stillOpen.sort((a, b) => a.start - b.start)];
  }
}
