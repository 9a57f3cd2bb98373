/**
 * The few libc calls a TUN device needs, bound through koffi (an FFI library that ships
 * prebuilt binaries). Loaded lazily with a dynamic import so that nothing outside Linux, and no
 * browser bundle, ever loads the native module.
 */
import { TunError } from './errors.js';

export interface Libc {
  open(path: string, flags: number): number;
  close(fd: number): number;
  ioctl(fd: number, request: number, arg: Uint8Array): number;
  /** ioctl(2) whose argument is an integer passed by value (TUNSETOFFLOAD). */
  ioctlInt(fd: number, request: number, arg: number): number;
  read(fd: number, buf: Uint8Array, count: number): number;
  write(fd: number, buf: Uint8Array, count: number): number;
  eventfd(initval: number, flags: number): number;
  /** poll(2) on an array of `struct pollfd`; the async form runs on koffi's worker thread. */
  poll(fds: Uint8Array, nfds: number, timeout: number): number;
  pollAsync(
    fds: Uint8Array,
    nfds: number,
    timeout: number,
    done: (err: unknown, result: number) => void,
  ): void;
  errno(): number;
}

// Linux x86_64/arm64 values from <fcntl.h>, <sys/eventfd.h>, <poll.h>.
export const O_RDWR = 0o2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
export const POLLIN = 0x1;
export const EAGAIN = 11;
export const EINTR = 4;
export const EPERM = 1;
export const EACCES = 13;
export const ENOENT = 2;
export const EBUSY = 16;
export const EINVAL = 22;

let cached: Libc | undefined;

export async function loadLibc(): Promise<Libc> {
  if (cached) return cached;
  let koffi: typeof import('koffi').default;
  try {
    koffi = (await import('koffi')).default;
  } catch (err) {
    throw new TunError(
      'ENOFFI',
      `cannot load the FFI library koffi (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load('libc.so.6');
  } catch (err) {
    throw new TunError(
      'ENOFFI',
      `cannot load libc.so.6 (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const open = lib.func('int open(const char *path, int flags)');
  const close = lib.func('int close(int fd)');
  // ioctl is variadic in glibc; on the Linux ABIs we support a pointer third argument is passed
  // exactly like a fixed one, which koffi's fixed prototype does.
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, _Inout_ uint8_t *arg)');
  const ioctlInt = lib.func('int ioctl(int fd, unsigned long request, unsigned long arg)');
  const read = lib.func('long read(int fd, _Out_ uint8_t *buf, size_t count)');
  const write = lib.func('long write(int fd, const uint8_t *buf, size_t count)');
  const eventfd = lib.func('int eventfd(unsigned int initval, int flags)');
  const poll = lib.func('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)');
  cached = {
    open: (path, flags) => open(path, flags) as number,
    close: (fd) => close(fd) as number,
    ioctl: (fd, request, arg) => ioctl(fd, request, arg) as number,
    ioctlInt: (fd, request, arg) => ioctlInt(fd, request, arg) as number,
    read: (fd, buf, count) => Number(read(fd, buf, count)),
    write: (fd, buf, count) => Number(write(fd, buf, count)),
    eventfd: (initval, flags) => eventfd(initval, flags) as number,
    poll: (fds, nfds, timeout) => poll(fds, nfds, timeout) as number,
    pollAsync: (fds, nfds, timeout, done) => poll.async(fds, nfds, timeout, done),
    errno: () => koffi.errno(),
  };
  return cached;
}
