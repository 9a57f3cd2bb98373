/**
 * macOS / BSD `netstat -an -p tcp`:
 *   `tcp4  0  0  192.168.1.5.52345  17.57.146.20.5223  ESTABLISHED`
 *   `tcp46 0  0  *.80               *.*                LISTEN`
 *   `tcp6  0  0  fe80::1%lo0.631    *.*                LISTEN`
 * The port follows the last dot. tcp46 is one dual-stack IPv6 socket. `-v` adds columns
 * (rhiwat shiwat pid epid …) after the state; only the first six are read.
 */

import { parseDotEndpoint } from './endpoint.js';
import { localizedState } from './localized.js';
import { count, type ParsedRow } from './row.js';

const PROTOS = new Set(['tcp4', 'tcp6', 'tcp46', 'tcp']);

export function parseMacosNetstatRow(t: readonly string[]): ParsedRow | undefined {
  if (t.length < 6 || !PROTOS.has(t[0])) return undefined;
  const hint = t[0] === 'tcp4' ? 4 : t[0] === 'tcp' ? undefined : 6;
  const recvQ = count(t[1]);
  const sendQ = count(t[2]);
  const local = parseDotEndpoint(t[3], hint);
  const remote = parseDotEndpoint(t[4], hint ?? local?.family);
  const state = localizedState(t[5]);
  if (recvQ === undefined || sendQ === undefined || !local || !remote || !state) return undefined;
  const socket = {
    state,
    family: hint ?? local.family,
    local: { address: local.address, port: local.port },
    remote: { address: remote.address, port: remote.port },
    recvQ,
    sendQ,
  };
  return {
    format: 'macos-netstat',
    stateText: t[5],
    socket: state === 'LISTEN' ? { ...socket, backlogUnknown: true } : socket,
  };
}
