/**
 * iproute2 `ss -tan[p][e]`:
 *   `ESTAB  0  0  10.0.0.1:22  10.0.0.2:5555  users:(("sshd",pid=1,fd=3))`
 *   `LISTEN 0  128 [::]:22 [::]:*`, `LISTEN 0 511 *:80 *:*`, `127.0.0.53%lo:53`
 * `ss -an` puts a Netid column (`tcp`) first; `ss -tn state established` leaves out State.
 * Extra columns (`-e`, `-o`) are `uid:N`, `ino:N`, `timer:(…)`, `sk:…`; they may follow users.
 */

import { parseColonEndpoint } from './endpoint.js';
import { localizedState } from './localized.js';
import { count, type ParsedRow } from './row.js';

const USERS = /users:\(\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=(\d+)\)/;
const UID = /^uid:(\d+)$/;
const INODE = /^ino:(\d+)$/;

export function parseSsRow(t: readonly string[], line: string): ParsedRow | undefined {
  let i = 0;
  if (t[0] === 'tcp' && t.length > 1 && count(t[1]) === undefined) i = 1;
  if (t.length < i + 5) return undefined;
  const stateText = t[i];
  const state = localizedState(stateText);
  const recvQ = count(t[i + 1]);
  const sendQ = count(t[i + 2]);
  const local = parseColonEndpoint(t[i + 3]);
  const remote = parseColonEndpoint(t[i + 4], local?.family);
  if (!state || recvQ === undefined || sendQ === undefined || !local || !remote) return undefined;
  const row: ParsedRow = {
    format: 'ss',
    stateText,
    socket: {
      state,
      family: local.family,
      local: { address: local.address, port: local.port },
      remote: { address: remote.address, port: remote.port },
      recvQ,
      sendQ,
    },
  };
  const users = USERS.exec(line);
  if (users) {
    row.socket.process = users[1];
    row.socket.pid = Number(users[2]);
    row.socket.fd = Number(users[3]);
  }
  for (const extra of t.slice(i + 5)) {
    const uid = UID.exec(extra);
    if (uid) row.socket.uid = Number(uid[1]);
    const inode = INODE.exec(extra);
    if (inode) row.socket.inode = Number(inode[1]);
  }
  return row;
}
