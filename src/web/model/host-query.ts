/**
 * The host view's filters in the URL (`?view=host&state=close-wait&port=8080&process=nginx&
 * listening=1&family=6`), read into the SocketFilter of `tcpstate ls` (host/filters.ts): the
 * same spellings, groups and errors.
 */
import { buildSocketFilter, FilterError, type SocketFilter } from '../../host/filters.js';

export interface HostQuery {
  /** States or groups, comma or space separated, as `ls --state` takes them. */
  state: string;
  /** Ports, comma or space separated. */
  port: string;
  process: string;
  listening: boolean;
  family: '' | '4' | '6';
}

export const EMPTY_HOST_QUERY: HostQuery = {
  state: '',
  port: '',
  process: '',
  listening: false,
  family: '',
};

export function hostQueryOf(params: URLSearchParams): HostQuery {
  const family = params.get('family');
  return {
    state: params.get('state') ?? '',
    port: params.get('port') ?? '',
    process: params.get('process') ?? '',
    listening: params.get('listening') === '1',
    family: family === '4' || family === '6' ? family : '',
  };
}

export function hostQueryParams(q: HostQuery): URLSearchParams {
  const p = new URLSearchParams({ view: 'host' });
  if (q.state.trim()) p.set('state', q.state.trim());
  if (q.port.trim()) p.set('port', q.port.trim());
  if (q.process.trim()) p.set('process', q.process.trim());
  if (q.listening) p.set('listening', '1');
  if (q.family) p.set('family', q.family);
  return p;
}

const list = (text: string): string[] => text.split(/[\s,]+/).filter((t) => t !== '');

/** The filter, or the one-line reason the query is wrong (the message `ls` would print). */
export function hostFilterOf(q: HostQuery): { filter: SocketFilter } | { error: string } {
  try {
    return {
      filter: buildSocketFilter({
        state: [...list(q.state), ...(q.listening ? ['listen'] : [])],
        port: list(q.port),
        ...(q.process.trim() ? { process: q.process.trim() } : {}),
        ipv4: q.family === '4',
        ipv6: q.family === '6',
      }),
    };
  } catch (err) {
    if (err instanceof FilterError) return { error: err.message };
    throw err;
  }
}
