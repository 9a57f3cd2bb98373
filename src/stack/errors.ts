/**
 * Errors of the stack's own calls (listen, connect, construction), with a stable `code` to
 * switch on; the message is for people only. Misuse of one connection is tcp/'s
 * `TcpUsageError`, which has codes of its own.
 */

export type StackErrorCode =
  /** The port (listen) or the 4-tuple (connect) is taken. */
  | 'EADDRINUSE'
  /** No ephemeral port is free towards that remote endpoint (RFC 6056). */
  | 'EADDRNOTAVAIL'
  /** A bad argument: not an IP address, a port out of range, a bad port range. */
  | 'EINVAL'
  /** connect() to a family this host has no address of (an IPv6 peer from an IPv4-only host). */
  | 'ENETUNREACH';

export class StackError extends Error {
  constructor(
    readonly code: StackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StackError';
  }
}
