/**
 * The lines of `GET /api/events` (`tcpstate watch --json`), checked, and matched against the
 * view's filter with the watch's own matcher (host/watch-filter.ts): a transition matches when
 * its old or new state does, as `tcpstate watch --state` has it.
 */
import type { SocketFilter } from '../../host/filters.js';
import { eventMatches } from '../../host/watch-filter.js';
import type { HostChange } from '../../host/watch-tracker.js';
import type { WatchEventJson } from '../../host/watch-view.js';
import { isTcpState } from '../../state/states.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const isEndpoint = (v: unknown) =>
  isObject(v) && typeof v.address === 'string' && typeof v.port === 'number';
const isState = (v: unknown) => typeof v === 'string' && isTcpState(v);

/** The event a `data:` line holds, or undefined for anything else. */
export function watchEventOf(text: string): WatchEventJson | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(v) || typeof v.time !== 'number' || !isEndpoint(v.local) || !isEndpoint(v.remote))
    return undefined;
  if (v.type === 'seen' && isState(v.state)) return v as unknown as WatchEventJson;
  if (v.type === 'transition' && isState(v.from) && isState(v.to)) {
    return v as unknown as WatchEventJson;
  }
  return undefined;
}

function changeOf(e: WatchEventJson): HostChange {
  const info = {
    family: e.local.address.includes(':') ? (6 as const) : (4 as const),
    ...(e.pid !== null ? { pid: e.pid } : {}),
    ...(e.process !== null ? { process: e.process } : {}),
  };
  const connection = { local: e.local, remote: e.remote };
  return e.type === 'seen'
    ? { kind: 'seen', time: e.time, connection, state: e.state, ...info }
    : { kind: 'transition', time: e.time, connection, from: e.from, to: e.to, ...info };
}

export function watchEventMatches(e: WatchEventJson, filter: SocketFilter): boolean {
  return eventMatches(changeOf(e), filter);
}
