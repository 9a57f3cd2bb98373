/** Text and JSON forms of watch events and connection lifetimes. */
import { isoTime } from '../util/iso-time.js';
import { formatEndpoint } from './doctor.js';
import type { Lifetime, WatchEvent, WatchSource } from './watch-tracker.js';

export interface WatchEventJson {
  type: 'transition';
  /** ISO 8601. */
  time: string;
  /** The task running when the state changed (tracefs), or the socket's owner (polling). */
  pid: number | null;
  process: string | null;
  local: { address: string; port: number };
  remote: { address: string; port: number };
  /** null when first seen by polling. */
  from: string | null;
  to: string;
  /** Milliseconds in `from`; null when the watch did not see the socket enter it. */
  ms: number | null;
  /** The kernel's own report when `to` was corrected from /proc (CLOSED -> TIME_WAIT). */
  reported: string | null;
  /**
   * The socket's kernel address, as tracefs's `fields` option prints it (Linux 6.3+); null from
   * polling or where that option is missing.
   */
  skaddr: string | null;
  source: WatchSource;
}

export function watchEventJson(event: WatchEvent, source: WatchSource): WatchEventJson {
  return {
    type: 'transition',
    time: isoTime(event.time),
    pid: event.pid ?? null,
    process: event.process ?? null,
    local: { ...event.local },
    remote: { ...event.remote },
    from: event.from,
    to: event.to,
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
export function formatLifetime(l: Lifetime): string {
  const remote = l.remote.port === 0 ? '*' : formatEndpoint(l.remote);
  const duration =
    l.end !== undefined ? `${((l.end - l.start) / 1000).toFixed(2)} s` : 'still open';
  const last = l.states[l.states.length - 1];
  const closed = l.end !== undefined && last !== 'TIME_WAIT' ? ' > CLOSED' : '';
  const path = `${l.joinedMidway ? '… > ' : ''}${l.states.join(' > ')}${closed}`;
  return `${formatEndpoint(l.local)} -> ${remote}  ${duration}  ${path}`;
}
