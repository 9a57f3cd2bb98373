/** Text and JSON forms of host sockets, shared by ls, summary and doctor. */
import type { Lang } from '../state/meanings.js';
import type { Endpoint } from '../state/states.js';
import { words } from '../state/words.js';
import { isV4Mapped } from './address.js';
import { formatEndpoint } from './doctor.js';
import type { HostSocket, HostTcpInfo, HostTimer } from './types.js';

/** "200ms", "12s", "2m05s", "1h59m": short, like ss's timer column. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatTimer(timer: HostTimer | undefined, lang: Lang = 'en'): string {
  if (!timer || timer.kind === 'off') return '';
  // Time left first: in a narrow column it is what survives truncation.
  const retries = timer.retries > 0 ? ` ×${timer.retries}` : '';
  return `${formatDuration(timer.remainingMs)} ${words(lang).timer[timer.kind]}${retries}`;
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * Table form of an endpoint. An IPv4-mapped address (an IPv6 socket talking IPv4) shows as the
 * IPv4 address it is, which is what the peer sees and what fits a column; --json keeps the
 * kernel's ::ffff:a.b.c.d.
 */
export function formatTableEndpoint(endpoint: Endpoint): string {
  return isV4Mapped(endpoint.address)
    ? `${endpoint.address.slice('::ffff:'.length)}:${endpoint.port}`
    : formatEndpoint(endpoint);
}

export function formatLocal(socket: HostSocket): string {
  return formatTableEndpoint(socket.local);
}

export function formatRemote(socket: HostSocket): string {
  if (
    socket.state === 'LISTEN' ||
    (isWildcard(socket.remote.address) && socket.remote.port === 0)
  ) {
    return '*';
  }
  return formatTableEndpoint(socket.remote);
}

/** "1234/nginx"; "-" for sockets no process holds (TIME_WAIT, orphans); "?" when not visible. */
export function formatOwner(socket: HostSocket): string {
  if (socket.pid !== undefined) return `${socket.pid}/${socket.process ?? '?'}`;
  return socket.inode ? '?' : '-';
}

export function formatSendQ(socket: HostSocket): string {
  return socket.backlogUnknown ? '?' : String(socket.sendQ);
}

/** The `ls --json` row: exactly these fields, null where unknown. */
export interface SocketJson {
  state: string;
  local: { address: string; port: number };
  remote: { address: string; port: number };
  recvQ: number;
  /** For LISTEN: the backlog; null when unknown (read from /proc). */
  sendQ: number | null;
  timer: { kind: string; remainingMs: number; retries: number } | null;
  uid: number | null;
  inode: number | null;
  pid: number | null;
  process: string | null;
  /** tcp_info (`ls --info`); absent without --info, null for a socket the kernel gave none. */
  info?: HostTcpInfo | null;
}

export function socketJson(socket: HostSocket): SocketJson {
  return {
    state: socket.state,
    local: { address: socket.local.address, port: socket.local.port },
    remote: { address: socket.remote.address, port: socket.remote.port },
    recvQ: socket.recvQ,
    sendQ: socket.backlogUnknown ? null : socket.sendQ,
    timer: socket.timer && socket.timer.kind !== 'off' ? { ...socket.timer } : null,
    uid: socket.uid ?? null,
    inode: socket.inode ?? null,
    pid: socket.pid ?? null,
    process: socket.process ?? null,
    ...(socket.info ? { info: { ...socket.info } } : {}),
  };
}

/** "1 socket", "2 sockets". */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/**
 * socketJson(socket) as JSON text, written directly: on 100k sockets this skips building 300k
 * short-lived objects (half the time `ls --json` spent was the garbage collector). Addresses,
 * states and timer kinds are plain ASCII; the process name is the only free text, so it alone
 * goes through JSON.stringify.
 */
export function socketJsonText(socket: HostSocket): string {
  const timer =
    socket.timer && socket.timer.kind !== 'off'
      ? `{"kind":"${socket.timer.kind}","remainingMs":${socket.timer.remainingMs},"retries":${socket.timer.retries}}`
      : 'null';
  const info = socket.info ? `,"info":${JSON.stringify(socket.info)}` : '';
  return `{"state":"${socket.state}","local":{"address":"${socket.local.address}","port":${socket.local.port}},"remote":{"address":"${socket.remote.address}","port":${socket.remote.port}},"recvQ":${socket.recvQ},"sendQ":${socket.backlogUnknown ? 'null' : socket.sendQ},"timer":${timer},"uid":${socket.uid ?? 'null'},"inode":${socket.inode ?? 'null'},"pid":${socket.pid ?? 'null'},"process":${socket.process === undefined ? 'null' : JSON.stringify(socket.process)}${info}}`;
}
