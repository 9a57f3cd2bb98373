/**
 * Turns a stream of per-socket state changes into watch events (with the time spent in the old
 * state) and connection lifetimes (like bcc's tcplife). Pure bookkeeping: times come in as
 * arguments. A change is either a transition (the one TransitionEvent of state/events.ts) or a
 * socket polling found already in some state (`seen`), whose lifetime began before the watch.
 *
 * Sockets are identified by family and 4-tuple, as the event prints them. Two cases need care:
 * - connect(): CLOSE -> SYN_SENT is reported before the local port is chosen (sport 0), so that
 *   socket waits, keyed by its destination, for the SYN_SENT -> x change that carries the port
 *   (oldest first when several connect to the same destination at once);
 * - a tuple used again after CLOSED is a new connection.
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
    let track =
      this.open.get(key) ??
      (input.skaddr === undefined ? this.adoptUnbound(input, key) : undefined);
    let ms: number | null = null;
    if (track) {
      ms = Math.max(0, input.time - track.lastTime);
    } else {
      // A child socket starts as a copy of its listener (LISTEN -> SYN_RECV); a connect starts
      // from CLOSED. Any other first change means the socket existed before the watch began.
      const fresh = input.from === 'CLOSED' || (input.from === 'LISTEN' && input.to === 'SYN_RECV');
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
    if (input.to !== 'CLOSED') track.lifetime.states.push(input.to);
    if (input.to === 'CLOSED' || (input.to === 'TIME_WAIT' && this.options.endAtTimeWait)) {
      track.lifetime.end = input.time;
      this.open.delete(track.key);
      this.done.push(track.lifetime);
      const max = this.options.maxFinished ?? DEFAULT_MAX_FINISHED;
      if (this.done.length > max * 2) {
        // Trim in batches so that a long watch does not copy the array on every close.
        this.forgotten += this.done.length - max;
        this.done = this.done.slice(-max);
      }
    }
    return { ...input, ms };
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
