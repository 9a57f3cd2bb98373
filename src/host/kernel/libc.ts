/**
 * The libc calls host inspection needs (netlink sockets, setns), bound through koffi. Loaded
 * lazily with a dynamic import so that nothing outside Linux ever loads the native module, and
 * so that its absence only costs the fast path (/proc remains).
 */
import { HostError } from '../errors.js';

export interface HostLibc {
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  open(path: string, flags: number): number;
  close(fd: number): number;
  setns(fd: number, nstype: number): number;
  errno(): number;
}

// Linux values from <sys/socket.h>, <linux/netlink.h>, <sched.h>, <fcntl.h>.
export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const NETLINK_SOCK_DIAG = 4;
export const CLONE_NEWNET = 0x40000000;
export const O_RDONLY = 0;
export const O_CLOEXEC = 0o2000000;
export const EINTR = 4;

let cached: Promise<HostLibc> | undefined;

export function loadHostLibc(): Promise<HostLibc> {
  cached ??= load();
  return cached;
}

async function load(): Promise<HostLibc> {
  if (process.platform !== 'linux') {
    throw new HostError('ENOFFI', 'netlink and setns exist only on Linux');
  }
  let koffi: typeof import('koffi').default;
  try {
    koffi = (await import('koffi')).default;
  } catch (err) {
    throw new HostError('ENOFFI', `cannot load koffi (${(err as Error).message})`);
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load('libc.so.6');
  } catch (err) {
    throw new HostError('ENOFFI', `cannot load libc.so.6 (${(err as Error).message})`);
  }
  // `void *` lets koffi hand a Buffer's own memory to C: no copy for the large dump buffer.
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const send = lib.func('long send(int fd, void *buf, size_t len, int flags)');
  const recv = lib.func('long recv(int fd, void *buf, size_t len, int flags)');
  const open = lib.func('int open(const char *path, int flags)');
  const close = lib.func('int close(int fd)');
  const setns = lib.func('int setns(int fd, int nstype)');
  return {
    socket: (d, t, p) => socket(d, t, p) as number,
    send: (fd, buf, len, flags) => Number(send(fd, buf, len, flags)),
    recv: (fd, buf, len, flags) => Number(recv(fd, buf, len, flags)),
    open: (path, flags) => open(path, flags) as number,
    close: (fd) => close(fd) as number,
    setns: (fd, nstype) => setns(fd, nstype) as number,
    errno: () => koffi.errno(),
  };
}
