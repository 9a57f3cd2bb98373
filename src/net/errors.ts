/**
 * Errors shaped like the ones Node's own `net` raises (uvException): an `Error` with `code`,
 * a negative `errno`, `syscall`, and for connect errors `address` and `port`, so code written
 * for `net.Socket` handles ours unchanged.
 */
import { constants } from 'node:os';
import type { StackError, StackErrorCode } from '../stack/stack.js';
import type { CloseReason } from '../tcp/types.js';

export type NetErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EPIPE'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'EAFNOSUPPORT'
  | 'ENOENT'
  | 'EINVAL'
  | 'ENETUNREACH';

export interface NetError extends Error {
  code: NetErrorCode;
  errno: number;
  syscall: string;
  address?: string;
  port?: number;
}

export function netError(
  code: NetErrorCode,
  syscall: string,
  where?: { address: string; port?: number },
): NetError {
  const detail = where
    ? ` ${where.address}${where.port === undefined ? '' : `:${where.port}`}`
    : '';
  const err = new Error(`${syscall} ${code}${detail}`) as NetError;
  err.code = code;
  // libuv reports errors as negated errno values; Node copies them into err.errno.
  err.errno = -(constants.errno[code] ?? 0);
  err.syscall = syscall;
  if (where) {
    err.address = where.address;
    if (where.port !== undefined) err.port = where.port;
  }
  return err;
}

/** A host name that could not be resolved, as dns.lookup reports it (getaddrinfo ENOTFOUND). */
export function lookupError(
  hostname: string,
): Error & { code: string; syscall: string; hostname: string } {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as Error & {
    code: string;
    errno: number;
    syscall: string;
    hostname: string;
  };
  err.code = 'ENOTFOUND';
  // c-ares and getaddrinfo's EAI_NONAME, as Node reports it on Linux.
  err.errno = -3008;
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

/** Node's code for each StackError code (a new stack code must say what Node would raise). */
const NODE_CODE_OF: Readonly<Record<StackErrorCode, NetErrorCode>> = {
  EADDRINUSE: 'EADDRINUSE',
  EADDRNOTAVAIL: 'EADDRNOTAVAIL',
  EINVAL: 'EINVAL',
  ENETUNREACH: 'ENETUNREACH',
};

/** A stack call's failure (listen, connect) as node:net reports it. */
export function netErrorFromStack(
  err: StackError,
  syscall: string,
  where?: { address: string; port: number },
): NetError {
  return netError(NODE_CODE_OF[err.code], syscall, where);
}

/** The error a socket is destroyed with when its connection ends for `reason`, if any. */
export function errorForClose(
  reason: CloseReason,
  wasConnecting: boolean,
  remote: { address: string; port: number },
): NetError | undefined {
  switch (reason) {
    case 'refused':
      return netError('ECONNREFUSED', 'connect', remote);
    case 'reset':
      return wasConnecting
        ? netError('ECONNREFUSED', 'connect', remote)
        : netError('ECONNRESET', 'read');
    case 'timeout':
      return wasConnecting
        ? netError('ETIMEDOUT', 'connect', remote)
        : netError('ETIMEDOUT', 'read');
    case 'aborted':
    case 'normal':
      return undefined;
  }
}
