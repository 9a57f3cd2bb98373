/**
 * Why a TUN device could not be opened or configured. `code` is stable (tests and the CLI
 * match on it); `message` is one line a user can act on.
 */
export type TunErrorCode =
  /** Not Linux: TUN as used here is a Linux interface. */
  | 'ENOTSUP'
  /** /dev/net/tun is missing (module not loaded, or a container without the device). */
  | 'ENOENT'
  /** Opening /dev/net/tun or TUNSETIFF needs root or CAP_NET_ADMIN. */
  | 'EPERM'
  /** The interface name is taken by a device that is not a TUN we may attach to. */
  | 'EBUSY'
  /** A bad argument (interface name, address, MTU). */
  | 'EINVAL'
  /** The FFI library (koffi) or libc could not be loaded. */
  | 'ENOFFI'
  /** `ip` (iproute2) failed or is missing. */
  | 'EIPROUTE'
  /** A read or write on the device failed. */
  | 'EIO';

export class TunError extends Error {
  constructor(
    readonly code: TunErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TunError';
  }
}
