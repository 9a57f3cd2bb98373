/** Text and JSON forms of watch events and connection lifetimes. */

import { type TransitionJson, transitionJson } from '../state/events.js';
import type { Endpoint, TcpState } from '../state/states.js';
import { type Words, words } from '../state/words.js';
import { isoTime } from '../util/iso-time.js';
import { formatEndpoint } from './doctor.js';
import type { HostSeen, Lifetime, WatchEvent, WatchSource } from './watch-tracker.js';

/** The host's fields, after those of the one form; null where the source does not know. */
interface HostJsonFields {
  /** ISO 8601 text of `time`, for people reading the lines. */
  date: string;
  /** The task running when the state changed (tracefs), or the socket's owner (polling). */
  pid: number | null;
  process: string | null;
  source: WatchSource;
}

/** A transition: the one JSON form (state/events.ts), time in Unix epoch ms, then the host's. */
export interface WatchTransitionJson extends TransitionJson, HostJsonFields {
  /** Milliseconds in `from`; null when the watch did not see the socket enter it. */
  ms: number | null;
  /** The kernel's own report when `to` was corrected from /proc (CLOSED -> TIME_WAIT). */
  reported: TcpState | null;
  /**
   * The socket's kernel address, as tracefs's `fields` option prints it (Linux 6.3+); null from
   * polling or where that option is missing.
   */
  skaddr: string | null;
}

/** A socket polling found already in `state`: no transition, its previous state is unknown. */
export interface WatchSeenJson extends HostJsonFields {
  type: 'seen';
  /** Unix epoch milliseconds, as in a transition. */
  time: number;
  local: Endpoint;
  remote: Endpoint;
  state: TcpState;
}

export type WatchEventJson = WatchTransitionJson | WatchSeenJson;

/** The host's fields every line has, besides `source`. */
function hostFields(event: WatchEvent): Pick<HostJsonFields, 'date' | 'pid' | 'process'> {
  return { date: isoTime(event.time), pid: event.pid ?? null, process: event.process ?? null };
}

function seenJson(event: HostSeen, source: WatchSource): WatchSeenJson {
  return {
    type: 'seen',
    time: event.time,
    local: { ...event.connection.local },
    remote: { ...event.connection.remote },
    state: event.state,
    ...hostFields(event),
    source,
  };
}

export function watchEventJson(event: WatchEvent, source: WatchSource): WatchEventJson {
  if (event.kind === 'seen') return seenJson(event, source);
  return {
    ...transitionJson(event),
    ...hostFields(event),
    ms: event.ms,
    reported: event.reported ?? null,
    skaddr: event.skaddr ?? null,
    source,
  };
}

export function lifetimeJson(l: Lifetime) {
  return {
    local: { ...l.local },
    remote: { ...l.remote },
    start: isoTime(l.start),
    end: l.end !== undefined ? isoTime(l.end) : null,
    durationMs: l.end !== undefined ? l.end - l.start : null,
    states: l.states,
    open: l.end === undefined,
    joinedMidway: l.joinedMidway,
  };
}

/** `10.0.0.1:5000 -> 10.0.0.2:80  1.23 s  SYN_SENT > ESTABLISHED > FIN_WAIT1 > FIN_WAIT2`. */
export function formatLifetime(l: Lifetime, w: Words = words('en')): string {
  const remote = l.remote.port === 0 ? '*' : formatEndpoint(l.remote);
  const duration = l.end !== undefined ? `${((l.end - l.start) / 1000).toFixed(2)} s` : w.stillOpen;
  const last = l.states[l.states.length - 1];
  const closed =
    l.end === undefined || last === 'TIME_WAIT'
      ? ''
      : l.handedOff
        ? ` > ${w.timeWaitSocket}`
        : ' > CLOSED';
  const path = `${l.joinedMidway ? '… > ' : ''}${l.states.join(' > ')}${closed}`;
  return `${formatEndpoint(l.local)} -> ${remote}  ${duration}  ${path}`;
}
