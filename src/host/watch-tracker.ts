/**
 * Turns a stream of per-socket state changes into watch events (with the time spent in the old
 * state) and connection lifetimes (like bcc's tcplife). Pure bookkeeping: times come in as
 * arguments.
 *
 * Sockets are identified by family and 4-tuple, as the event prints them. Two cases need care:
 * - connect(): CLOSE -> SYN_SENT is reported before the local port is chosen (sport 0), so that
 *   socket waits, keyed by its destination, for the SYN_SENT -> x change that carries the port
 *   (oldest first when several connect to the same destination at once);
 * - a tuple used again after CLOSED is a new connection.
 */
import type { Endpoint, TcpState } from '../state/states.js';

/** Where watch events come from: the kernel's tracepoint, or polling /proc/net/tcp{,6}. */
export type WatchSource = 'tracefs' | 'poll';

export interface TransitionInput {
  /** Unix epoch milliseconds. */
  time: number;
  family: 4 | 6;
  local: Endpoint;
  remote: Endpoint;
  /** null: first seen by polling, state before unknown. */
  from: TcpState | null;
  to: TcpState;
  pid?: number;
  process?: string;
  /** The socket's kernel address (tracefs with the `fields` option); identifies it exactly. */
  skaddr?: string;
  /**
   * What the kernel's event said when `to` was corrected (CLOSED, for a socket that /proc shows
   * went to TIME_WAIT); absent when `to` is exactly what was reported.
   */
  reported?: TcpState;
}

export interface WatchEvent extends TransitionInput {
  /** Milliseconds spent in `from`, when this watch saw the socket enter it. */
  ms: number | null;
}

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

  record(input: TransitionInput): WatchEvent {
    const key =
      input.skaddr !== undefined
        ? `sk|${input.skaddr}`
        : tupleKey(input.family, input.local, input.remote);
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
          local: { ...input.local },
          remote: { ...input.remote },
          start: input.time,
          states: !fresh && input.from !== null ? [input.from] : [],
          joinedMidway: !fresh,
        },
      };
      if (
        input.skaddr === undefined &&
        input.from === 'CLOSED' &&
        input.to === 'SYN_SENT' &&
        input.local.port === 0
      ) {
        const dest = tupleKey(input.family, { address: '', port: 0 }, input.remote);
        this.unbound.set(dest, [...(this.unbound.get(dest) ?? []), track]);
      } else {
        this.open.set(key, track);
      }
    }
    track.lastTime = input.time;
    // The local port is chosen after CLOSE -> SYN_SENT; keep the one the socket ends up with.
    if (input.local.port !== 0) track.lifetime.local = { ...input.local };
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

  private adoptUnbound(input: TransitionInput, key: string): Track | undefined {
    if (input.from !== 'SYN_SENT') return undefined;
    const dest = tupleKey(input.family, { address: '', port: 0 }, input.remote);
    const waiting = this.unbound.get(dest);
    const track = waiting?.shift();
    if (!track) return undefined;
    if (waiting && waiting.length === 0) this.unbound.delete(dest);
    track.key = key;
    track.lifetime.local = { ...input.local };
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
