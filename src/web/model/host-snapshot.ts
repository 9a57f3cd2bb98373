/**
 * `GET /api/snapshot` (the `ls --json` rows, state/view.ts's SocketJson) read back into the
 * HostSocket that host/filters.ts and host/doctor.ts take, checking each row's shape: the
 * page never trusts a response blindly.
 */
import type { HostSocket } from '../../host/types.js';
import { isTcpState } from '../../state/states.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function endpoint(v: unknown): { address: string; port: number } | undefined {
  if (!isObject(v) || typeof v.address !== 'string' || typeof v.port !== 'number') return undefined;
  return { address: v.address, port: v.port };
}

function socketOf(row: unknown): HostSocket | undefined {
  if (!isObject(row) || typeof row.state !== 'string' || !isTcpState(row.state)) return undefined;
  const local = endpoint(row.local);
  const remote = endpoint(row.remote);
  if (!local || !remote) return undefined;
  const s: HostSocket = {
    state: row.state,
    family: local.address.includes(':') ? 6 : 4,
    local,
    remote,
    recvQ: num(row.recvQ) ?? 0,
    sendQ: num(row.sendQ) ?? 0,
  };
  if (row.sendQ === null && row.state === 'LISTEN') s.backlogUnknown = true;
  const timer = row.timer;
  if (isObject(timer) && typeof timer.kind === 'string') {
    s.timer = {
      kind: timer.kind as NonNullable<HostSocket['timer']>['kind'],
      remainingMs: num(timer.remainingMs) ?? 0,
      retries: num(timer.retries) ?? 0,
    };
  }
  for (const key of ['uid', 'inode', 'pid'] as const) {
    const v = num(row[key]);
    if (v !== undefined) s[key] = v;
  }
  if (typeof row.process === 'string') s.process = row.process;
  return s;
}

/** The snapshot's sockets; a response that is not an array of rows is an error. */
export function socketsOfSnapshot(json: unknown): HostSocket[] {
  if (!Array.isArray(json)) {
    const why = isObject(json) && typeof json.error === 'string' ? json.error : 'not a list';
    throw new Error(`the snapshot could not be read: ${why}`);
  }
  return json.flatMap((row) => socketOf(row) ?? []);
}
