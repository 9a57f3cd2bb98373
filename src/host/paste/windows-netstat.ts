/**
 * Windows `netstat -an` / `-ano`, whose state column follows the display language:
 *   `  TCP    0.0.0.0:135     0.0.0.0:0     LISTENING      1234`
 *   `  TCP    [::]:135        [::]:0        ABHÖREN        1234`
 *   `  TCP    0.0.0.0:135     0.0.0.0:0     À L'ÉCOUTE     1234`   (a state of several words)
 * Windows prints no queues: recvQ and sendQ are 0 and the backlog unknown. `-b` puts the
 * executable on the next line as `[name.exe]` (attached by the caller). `netstat -q` adds
 * BOUND: a socket bound to a port but neither listening nor connected, i.e. CLOSED.
 */
import type { TcpState } from '../../state/states.js';
import { parseColonEndpoint } from './endpoint.js';
import { localizedState } from './localized.js';
import { count, type ParsedRow } from './row.js';

function windowsState(text: string): TcpState | undefined {
  if (text.toUpperCase() === 'BOUND') return 'CLOSED';
  return localizedState(text);
}

export function parseWindowsNetstatRow(t: readonly string[]): ParsedRow | undefined {
  if (t.length < 4 || t[0] !== 'TCP') return undefined;
  const local = parseColonEndpoint(t[1]);
  const remote = parseColonEndpoint(t[2], local?.family);
  if (!local || !remote) return undefined;
  let rest = t.slice(3);
  const pid = rest.length > 1 ? count(rest[rest.length - 1]) : undefined;
  if (pid !== undefined) rest = rest.slice(0, -1);
  const stateText = rest.join(' ');
  const state = windowsState(stateText);
  if (!state) return undefined;
  const row: ParsedRow = {
    format: 'windows-netstat',
    stateText,
    socket: {
      state,
      family: local.family,
      local: { address: local.address, port: local.port },
      remote: { address: remote.address, port: remote.port },
      recvQ: 0,
      sendQ: 0,
      backlogUnknown: true,
    },
  };
  // PID 0 is the "System Idle Process" placeholder Windows gives TIME_WAIT: no owner.
  if (pid !== undefined && pid > 0) row.socket.pid = pid;
  return row;
}

/** `[svchost.exe]` on the line after a row, from `netstat -b`. */
export function windowsExecutable(line: string): string | undefined {
  const m = /^\s*\[([^\]]+)\]\s*$/.exec(line);
  return m ? m[1] : undefined;
}
