/**
 * net-tools `netstat -tan[p][e][o]`:
 *   `tcp   0   0 0.0.0.0:22   0.0.0.0:*   LISTEN   1234/sshd`
 *   `tcp6  0   0 :::22        :::*        LISTEN   -`
 * With -e, `User Inode` come before PID/Program; with -o, a timer like `off (0.00/0/0)` ends it.
 */

import { parseColonEndpoint } from './endpoint.js';
import { localizedState } from './localized.js';
import { count, type ParsedRow } from './row.js';

const PID_PROGRAM = /^(\d+)\/(.+)$/;
/** `-o` appends the timer, e.g. `keepalive (7190.12/0/0)`, after the program. */
const TIMER_TAIL = /\s+(on|off|keepalive|timewait|probe|unkn-\d+)\s+\([^)]*\)$/;

export function parseLinuxNetstatRow(t: readonly string[]): ParsedRow | undefined {
  if (t.length < 6 || (t[0] !== 'tcp' && t[0] !== 'tcp6')) return undefined;
  const recvQ = count(t[1]);
  const sendQ = count(t[2]);
  const hint = t[0] === 'tcp6' ? 6 : 4;
  const local = parseColonEndpoint(t[3], hint);
  const remote = parseColonEndpoint(t[4], hint);
  const state = localizedState(t[5]);
  if (recvQ === undefined || sendQ === undefined || !local || !remote || !state) return undefined;
  const row: ParsedRow = {
    format: 'linux-netstat',
    stateText: t[5],
    socket: {
      state,
      family: t[0] === 'tcp6' ? 6 : local.family,
      local: { address: local.address, port: local.port },
      remote: { address: remote.address, port: remote.port },
      recvQ,
      sendQ,
    },
  };
  // Plain /proc numbers: on LISTEN, Send-Q is the backlog only in ss, never in netstat.
  if (state === 'LISTEN') row.socket.backlogUnknown = true;
  // The program name may hold spaces ("sshd: /usr/sbin/sshd"): it runs to the end of the row.
  const at = t.findIndex((token, i) => i >= 6 && PID_PROGRAM.test(token));
  if (at >= 0) {
    const owner = PID_PROGRAM.exec(t.slice(at).join(' ').replace(TIMER_TAIL, ''));
    if (owner) {
      row.socket.pid = Number(owner[1]);
      row.socket.process = owner[2].trim();
    }
  }
  return row;
}
