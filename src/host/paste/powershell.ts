/**
 * PowerShell `Get-NetTCPConnection`, printed as its default table:
 *   `LocalAddress  LocalPort RemoteAddress  RemotePort State       AppliedSetting OwningProcess`
 *   `::            49669     ::             0          Listen                     1040`
 *   `192.168.1.5   50123     52.1.2.3       443        Established Internet       8812`
 * Addresses and ports are separate columns; the state is a value of the MSFT_NetTCPConnection
 * State enumeration (English whatever the display language); AppliedSetting may be blank.
 */
import type { TcpState } from '../../state/states.js';
import { parseAddress } from './endpoint.js';
import { count, type ParsedRow } from './row.js';

/** MSFT_NetTCPConnection.State values (Bound: a bound socket neither listening nor connected). */
const STATES: Readonly<Record<string, TcpState>> = {
  Closed: 'CLOSED',
  Listen: 'LISTEN',
  SynSent: 'SYN_SENT',
  SynReceived: 'SYN_RECV',
  Established: 'ESTABLISHED',
  FinWait1: 'FIN_WAIT1',
  FinWait2: 'FIN_WAIT2',
  CloseWait: 'CLOSE_WAIT',
  Closing: 'CLOSING',
  LastAck: 'LAST_ACK',
  TimeWait: 'TIME_WAIT',
  DeleteTCB: 'CLOSED',
  Bound: 'CLOSED',
};

export function parsePowershellRow(t: readonly string[]): ParsedRow | undefined {
  if (t.length < 5 || t.length > 7) return undefined;
  const local = parseAddress(t[0]);
  const localPort = count(t[1]);
  const remote = parseAddress(t[2], local?.family);
  const remotePort = count(t[3]);
  const state = Object.hasOwn(STATES, t[4]) ? STATES[t[4]] : undefined;
  if (!local || !remote || !state || localPort === undefined || remotePort === undefined) {
    return undefined;
  }
  if (localPort > 65535 || remotePort > 65535) return undefined;
  const pid = count(t[t.length - 1]);
  const row: ParsedRow = {
    format: 'windows-powershell',
    stateText: t[4],
    socket: {
      state,
      family: local.family,
      local: { address: local.address, port: localPort },
      remote: { address: remote.address, port: remotePort },
      recvQ: 0,
      sendQ: 0,
      backlogUnknown: true,
    },
  };
  if (t.length > 5 && pid !== undefined && pid > 0) row.socket.pid = pid;
  return row;
}
