/**
 * The system calls of packetdrill scripts on top of tcpstate's Stack: a table of file
 * descriptors with BSD socket semantics (non-blocking flags, SO_ERROR, accept queues, EOF),
 * answering each call with the return value and errno a kernel would give.
 */

import {
  type Listener,
  type Stack,
  type StackConnection,
  StackError,
  type StackEvent,
} from '../stack/stack.js';
import { type CloseReason, type ConnectionConfig, TcpUsageError } from '../tcp/types.js';

export interface Socket {
  fd: number;
  nonblocking: boolean;
  reuseAddr: boolean;
  /** SO_RCVBUF / SO_SNDBUF before there is a connection to ask. */
  rcvbuf: number;
  sndbuf: number;
  noDelay: boolean;
  /** TCP_FASTOPEN: on a listener its queue length (0 = off); on a client, Fast Open on. */
  fastOpen: number;
  /** Linux's TCP_FASTOPEN_CONNECT: connect() defers the SYN to the first write. */
  fastOpenConnect: boolean;
  /** TCP_NOOPT (FreeBSD): no options on the SYN. */
  noOpt: boolean;
  /** Per-socket settings (TCP_MAXSEG, keepalive, SO_LINGER, …) for its connection. */
  settings: Partial<ConnectionConfig>;
  /** SO_KEEPALIVE and the TCP_KEEP* values as getsockopt reads them back (seconds, count). */
  keep: { on: boolean; idle: number; intvl: number; cnt: number; init: number };
  linger: { on: boolean; secs: number };
  boundPort?: number;
  listener?: Listener;
  conn?: StackConnection;
  /** SO_ERROR: the errno of how the connection ended, until read once. */
  pendingError?: string;
  /** A blocking connect() is waiting for the handshake. */
  blockedConnect?: boolean;
  /** Bytes a blocking Fast Open sendto() queued, returned once the handshake is over. */
  pendingWrite?: number;
  /** The connection's SYN went out with Fast Open (a cookie request or data). */
  fastOpenSyn?: boolean;
  /** TCP_FASTOPEN_CONNECT: connect() returned 0; the first write opens with Fast Open. */
  deferredConnect?: boolean;
  /** Why the connection reached CLOSED, once it has. */
  closed?: CloseReason;
  /** shutdown(SHUT_RD) was called: reads see EOF once the queued data is read. */
  shutRd?: boolean;
  /** Bytes a blocking write() has queued so far (it returns once all are). */
  writeProgress?: number;
}

/** What a call returned: a value, or -1 with an errno name. */
export type CallResult = { value: number; errno?: string; out?: number | string };

/** A call that would block on a blocking socket: the runner retries it as time passes. */
export const WOULD_BLOCK = Symbol('would block');

export class CallUnsupported extends Error {}

const ERRNO_OF: Readonly<Record<CloseReason, string | undefined>> = {
  normal: undefined,
  reset: 'ECONNRESET',
  refused: 'ECONNREFUSED',
  timeout: 'ETIMEDOUT',
  aborted: undefined,
};

/** net.core.wmem_max and rmem_max's default (SK_WMEM_MAX, 212992 on 64-bit). */
const LINUX_CORE_MEM_MAX = 212992;

export class SocketTable {
  private readonly sockets = new Map<number, Socket>();
  private readonly byConn = new Map<StackConnection, Socket>();

  /** FreeBSD's net.inet.tcp.keepinit in seconds (getsockopt TCP_KEEPINIT of a new socket). */
  keepInit = 75;
  /** The address listen() binds (the stack's default: `::` on an IPv6 host, else `0.0.0.0`). */
  listenAddress: string | undefined = undefined;

  /**
   * Linux's SO_SNDBUF/SO_RCVBUF: the kernel keeps twice the value asked for (to cover its
   * bookkeeping), capped by net.core.wmem_max/rmem_max (212992), and getsockopt reads the
   * doubled value back (sock_setsockopt in net/core/sock.c; socket(7)).
   */
  linuxBuffers = false;
  /** Linux: write() in SYN_SENT waits for the handshake rather than queueing. */
  linuxSendWait = false;

  constructor(
    private readonly stack: Stack,
    private readonly config: () => Partial<ConnectionConfig>,
    /** Where connect() goes. */
    private readonly remoteAddress: string,
    /** packetdrill's --bind_port and --connect_port (8080 unless the script says). */
    private readonly ports: { bind: number; connect: number },
    /** The flow the runner plays: set by bind/listen/connect. */
    private readonly onFlow: (localPort: number, remotePort: number | undefined) => void,
  ) {}

  get open(): Socket[] {
    return [...this.sockets.values()];
  }

  /** An event of the stack: a socket's connection that closed keeps its errno for SO_ERROR. */
  onEvent(e: StackEvent): void {
    if (e.type !== 'closed') return;
    const sock = this.byConn.get(e.conn);
    if (sock === undefined) return;
    sock.closed = e.reason;
    // An ICMP hard error (stack icmpError) gives its own errno.
    const errno = this.stack.icmpErrors.get(e.conn) ?? ERRNO_OF[e.reason];
    if (errno !== undefined) sock.pendingError = errno;
  }

  /**
   * The number of a new descriptor: `want`, the number the script gives it (packetdrill names
   * descriptors by the script's numbers and maps them to the kernel's; a socket the script
   * left open under that number is shadowed, as the newest socket comes first in packetdrill's
   * list), else the lowest free one.
   */
  private scriptFd(want: number | undefined): number {
    return want !== undefined && want >= 0 ? want : this.lowestFreeFd();
  }

  /** A new socket, numbered by scriptFd. */
  socket(want?: number): number {
    const fd = this.scriptFd(want);
    const c = this.config();
    this.sockets.set(fd, {
      fd,
      nonblocking: false,
      reuseAddr: false,
      rcvbuf: c.receiveBufferSize ?? 0,
      sndbuf: c.sendBufferSize ?? 0,
      noDelay: false,
      fastOpen: 0,
      fastOpenConnect: false,
      noOpt: false,
      settings: {},
      keep: {
        on: false,
        idle: Math.round((c.keepalive?.idle ?? 7_200_000) / 1000),
        intvl: Math.round((c.keepalive?.interval ?? 75_000) / 1000),
        cnt: c.keepalive?.count ?? 9,
        init: this.keepInit,
      },
      linger: { on: false, secs: 0 },
    });
    return fd;
  }

  /** The socket of the latest call, whose TCP_INFO a Python block reads (as packetdrill's). */
  lastUsed: Socket | undefined;

  get(fd: number): Socket | undefined {
    const sock = this.sockets.get(fd);
    if (sock !== undefined) this.lastUsed = sock;
    return sock;
  }

  bind(sock: Socket): CallResult {
    if (sock.boundPort !== undefined) return { value: -1, errno: 'EINVAL' };
    sock.boundPort = this.ports.bind;
    this.onFlow(sock.boundPort, undefined);
    return { value: 0 };
  }

  listen(sock: Socket, backlog: number): CallResult {
    if (sock.conn !== undefined) return { value: -1, errno: 'EINVAL' };
    if (sock.listener !== undefined) return { value: 0 };
    const port = sock.boundPort ?? this.ports.bind;
    sock.boundPort = port;
    try {
      sock.listener = this.stack.listen(port, {
        backlog: Math.max(1, backlog),
        config: this.socketConfig(sock),
        ...(this.listenAddress === undefined ? {} : { address: this.listenAddress }),
      });
    } catch (e) {
      if (e instanceof StackError) return { value: -1, errno: e.code };
      throw e;
    }
    if (sock.fastOpen > 0) this.stack.fastOpen.listenerQueues.set(port, sock.fastOpen);
    this.onFlow(port, undefined);
    return { value: 0 };
  }

  accept(sock: Socket, want?: number): CallResult | typeof WOULD_BLOCK {
    if (sock.listener === undefined) return { value: -1, errno: 'EINVAL' };
    const conn = sock.listener.accept();
    if (conn === undefined) {
      return sock.nonblocking ? { value: -1, errno: 'EAGAIN' } : WOULD_BLOCK;
    }
    const fd = this.scriptFd(want);
    const child: Socket = { ...sock, fd, listener: undefined, conn, nonblocking: sock.nonblocking };
    this.sockets.set(fd, child);
    // packetdrill's TCP_INFO follows the accepted socket from here on.
    this.lastUsed = child;
    this.byConn.set(conn, child);
    child.closed = conn.closeReason;
    child.pendingError = undefined;
    // Reset before accept(): the socket comes out dead with its error (sk_err) still to read.
    if (conn.closeReason !== undefined) {
      child.pendingError = this.stack.icmpErrors.get(conn) ?? ERRNO_OF[conn.closeReason];
    }
    return { value: fd };
  }

  /**
   * sendto() on a socket not yet connected, with Fast Open (FreeBSD's TCP_FASTOPEN on the
   * socket, Linux's MSG_FASTOPEN flag): the connect and the data in one call (RFC 7413 3). The
   * data goes on the SYN with a cached cookie, after the handshake otherwise; the call returns
   * what was queued (FreeBSD), or on Linux what went on the SYN, EINPROGRESS when none did on a
   * non-blocking socket, and waits for the handshake on a blocking one.
   */
  sendto(
    now: number,
    sock: Socket,
    length: number,
    fastOpen: boolean,
    linux: boolean,
  ): CallResult | typeof WOULD_BLOCK {
    if (sock.conn !== undefined) {
      const queued = sock.pendingWrite;
      // tcp_sendmsg_fastopen: another Fast Open is in progress (our SYN asked or carried).
      const opening = sock.conn.state === 'SYN_SENT' && sock.fastOpenSyn === true;
      if (queued === undefined && linux && fastOpen && opening) {
        return { value: -1, errno: 'EALREADY' };
      }
      if (queued === undefined) return this.write(sock, length);
      // A blocking Linux sendto() waits for the handshake; its data is already queued.
      const st = sock.conn.state;
      if (st === 'SYN_SENT' || st === 'SYN_RECV') return WOULD_BLOCK;
      sock.pendingWrite = undefined;
      sock.blockedConnect = false;
      if (st === 'CLOSED') return this.takeError(sock) ?? { value: -1, errno: 'ECONNREFUSED' };
      return { value: queued };
    }
    sock.deferredConnect = false;
    if (!fastOpen) return { value: -1, errno: linux ? 'EPIPE' : 'ENOTCONN' };
    // A blocking Linux sendto() waits for the handshake and then writes the rest as write()
    // does (tcp_sendmsg_fastopen, then tcp_sendmsg_locked): all of it is queued at once.
    // A non-blocking one without a cookie sends a bare SYN asking for one and copies nothing
    // (tcp_send_syn_data falls back; the call fails with EINPROGRESS).
    const synOnly = linux && sock.nonblocking;
    const data = new Uint8Array(
      Math.min(length, sock.sndbuf, synOnly ? this.linuxSynRoom(sock) : length),
    );
    const started = this.connect(now, sock, data);
    if (typeof started === 'object' && started.errno !== 'EINPROGRESS' && started.value < 0) {
      return started;
    }
    if (!linux) return { value: data.byteLength };
    const info = (sock.conn as StackConnection | undefined)?.info();
    const onSyn = info === undefined ? 0 : Math.max(0, info.sndNxt - info.iss - 1);
    // The rest was queued; Linux counts only what its SYN carried.
    if (onSyn > 0 && sock.nonblocking) {
      sock.blockedConnect = false;
      return { value: onSyn };
    }
    if (sock.nonblocking) return { value: -1, errno: 'EINPROGRESS' };
    sock.pendingWrite = data.byteLength;
    return WOULD_BLOCK;
  }

  /**
   * Linux's tcp_send_syn_data copies onto the SYN only what fits there, and sendto() takes no
   * more when a cookie is cached: the MSS (TCP_MAXSEG, and the server's MSS cached with the
   * cookie) less the timestamps and the 40-byte option space. Without a cookie, all of it.
   */
  private linuxSynRoom(sock: Socket): number {
    const offer = this.stack.fastOpen.offer(this.remoteAddress);
    if (offer === undefined || (offer.cookie.length === 0 && !offer.withoutCookie)) {
      return sock.nonblocking ? 0 : Number.POSITIVE_INFINITY;
    }
    const c = this.socketConfig(sock);
    const mss = Math.min(c.mss ?? 536, offer.maxSynData ?? Number.POSITIVE_INFINITY);
    return Math.max(0, mss - (c.timestamps ? 12 : 0) - 40);
  }

  /** connect(): starts the handshake; a blocking socket waits for its end. */
  connect(now: number, sock: Socket, fastOpenData?: Uint8Array): CallResult | typeof WOULD_BLOCK {
    if (sock.listener !== undefined) return { value: -1, errno: 'EINVAL' };
    if (sock.conn === undefined && sock.fastOpenConnect && fastOpenData === undefined) {
      // Linux's TCP_FASTOPEN_CONNECT (tcp_fastopen_defer_connect): with a cookie cached (or in
      // cookie-less mode), connect() succeeds at once and the SYN waits for data; without one
      // the SYN goes now, asking for a cookie.
      // The deferred socket counts as connected (SS_CONNECTED): connect() again is EISCONN.
      if (sock.deferredConnect) return { value: -1, errno: 'EISCONN' };
      const offer = this.stack.fastOpen.offer(this.remoteAddress);
      if (offer !== undefined && (offer.cookie.length > 0 || offer.withoutCookie === true)) {
        sock.deferredConnect = true;
        return { value: 0 };
      }
      return this.connect(now, sock, new Uint8Array(0));
    }
    if (sock.conn === undefined) {
      try {
        sock.conn = this.stack.connect(
          now,
          { address: this.remoteAddress, port: this.ports.connect },
          {
            localPort: sock.boundPort,
            config: this.socketConfig(sock),
            ...(fastOpenData === undefined ? {} : { fastOpen: { data: fastOpenData } }),
          },
        );
      } catch (e) {
        if (e instanceof StackError) return { value: -1, errno: e.code };
        throw e;
      }
      this.byConn.set(sock.conn, sock);
      sock.fastOpenSyn = fastOpenData !== undefined;
      this.onFlow(sock.conn.local.port, this.ports.connect);
      if (sock.nonblocking) return { value: -1, errno: 'EINPROGRESS' };
      sock.blockedConnect = true;
      return WOULD_BLOCK;
    }
    const state = sock.conn.state;
    if (state === 'SYN_SENT' || state === 'SYN_RECV') {
      return sock.nonblocking ? { value: -1, errno: 'EALREADY' } : WOULD_BLOCK;
    }
    if (state === 'CLOSED') return this.takeError(sock) ?? { value: -1, errno: 'ECONNREFUSED' };
    // The blocking connect() that started the handshake returns 0 once it is over; any other
    // connect() on a connected socket is EISCONN (POSIX).
    if (sock.blockedConnect) {
      sock.blockedConnect = false;
      return { value: 0 };
    }
    return { value: -1, errno: 'EISCONN' };
  }

  read(sock: Socket, max: number): CallResult | typeof WOULD_BLOCK {
    const conn = sock.conn;
    if (conn === undefined) return { value: -1, errno: 'ENOTCONN' };
    const data = conn.read(max);
    if (data.byteLength > 0) return { value: data.byteLength };
    const err = this.takeError(sock);
    if (err !== undefined) return err;
    // The peer's FIN was received: EOF once the data is drained.
    if (conn.ended || sock.closed !== undefined || sock.shutRd) return { value: 0 };
    return sock.nonblocking ? { value: -1, errno: 'EAGAIN' } : WOULD_BLOCK;
  }

  write(sock: Socket, length: number, now = 0): CallResult | typeof WOULD_BLOCK {
    // A deferred TCP_FASTOPEN_CONNECT opens here, and a blocking one waits as sendto() does.
    if ((sock.conn === undefined && sock.deferredConnect) || sock.pendingWrite !== undefined) {
      return this.sendto(now, sock, length, true, true);
    }
    const conn = sock.conn;
    if (conn === undefined) return { value: -1, errno: 'ENOTCONN' };
    const err = this.takeError(sock);
    if (err !== undefined) return err;
    // Linux's tcp_sendmsg_locked waits for the handshake (sk_stream_wait_connect): EAGAIN
    // on a non-blocking socket.
    if (this.linuxSendWait && conn.state === 'SYN_SENT') {
      return sock.nonblocking ? { value: -1, errno: 'EAGAIN' } : WOULD_BLOCK;
    }
    try {
      // Only what can fit is made (a script may ask to write gigabytes).
      const room = Math.max(0, conn.info().sendBufferSize - conn.sendQueue);
      const done = sock.writeProgress ?? 0;
      const n = conn.send(new Uint8Array(Math.min(length - done, room)));
      if (sock.nonblocking)
        return n > 0 || length === 0 ? { value: n } : { value: -1, errno: 'EAGAIN' };
      // A blocking write returns once all of it is queued (tcp_sendmsg waits for room).
      if (done + n < length) {
        sock.writeProgress = done + n;
        return WOULD_BLOCK;
      }
      sock.writeProgress = undefined;
      return { value: length };
    } catch (e) {
      if (e instanceof TcpUsageError) {
        return { value: -1, errno: e.code === 'ENOTCONN' ? 'ENOTCONN' : 'EPIPE' };
      }
      throw e;
    }
  }

  shutdown(now: number, sock: Socket, how: string): CallResult {
    const conn = sock.conn;
    if (conn === undefined || conn.state === 'CLOSED') return { value: -1, errno: 'ENOTCONN' };
    if (how === 'SHUT_RD' || how === 'SHUT_RDWR') sock.shutRd = true;
    if (how === 'SHUT_RD') return { value: 0 };
    if (how !== 'SHUT_WR' && how !== 'SHUT_RDWR') return { value: -1, errno: 'EINVAL' };
    conn.shutdown(now);
    return { value: 0 };
  }

  close(now: number, sock: Socket): CallResult {
    this.sockets.delete(sock.fd);
    if (sock.listener !== undefined) sock.listener.close(now);
    const conn = sock.conn;
    if (conn !== undefined) {
      this.byConn.delete(conn);
      if (conn.state !== 'CLOSED') conn.close(now);
    }
    return { value: 0 };
  }

  getsockopt(sock: Socket, name: string): CallResult {
    switch (name) {
      case 'SO_RCVBUF':
        return { value: 0, out: sock.conn?.info().receiveBufferSize ?? sock.rcvbuf };
      case 'SO_SNDBUF':
        return { value: 0, out: sock.conn?.info().sendBufferSize ?? sock.sndbuf };
      case 'SO_ERROR': {
        const errno = sock.pendingError;
        sock.pendingError = undefined;
        return { value: 0, out: errno ?? 0 };
      }
      case 'SO_REUSEADDR':
        return { value: 0, out: sock.reuseAddr ? 1 : 0 };
      case 'TCP_NODELAY':
        return { value: 0, out: sock.noDelay ? 1 : 0 };
      case 'SO_KEEPALIVE':
        return { value: 0, out: sock.keep.on ? 1 : 0 };
      case 'TCP_KEEPIDLE':
        return { value: 0, out: sock.keep.idle };
      case 'TCP_KEEPINTVL':
        return { value: 0, out: sock.keep.intvl };
      case 'TCP_KEEPCNT':
        return { value: 0, out: sock.keep.cnt };
      case 'TCP_KEEPINIT':
        return { value: 0, out: sock.keep.init };
      case 'TCP_MAXSEG':
        return {
          value: 0,
          out: sock.conn?.info().mss ?? sock.settings.mss ?? this.config().mss ?? 536,
        };
      case 'TCP_FASTOPEN':
        return { value: 0, out: sock.fastOpen };
      case 'TCP_FASTOPEN_CONNECT':
        return { value: 0, out: sock.fastOpenConnect ? 1 : 0 };
      case 'TCP_NOOPT':
        return { value: 0, out: sock.noOpt ? 1 : 0 };
      default:
        throw new CallUnsupported(`getsockopt ${name}`);
    }
  }

  setsockopt(sock: Socket, name: string, value: number): CallResult {
    switch (name) {
      case 'SO_REUSEADDR':
      case 'SO_REUSEPORT':
        sock.reuseAddr = value !== 0;
        return { value: 0 };
      case 'SO_RCVBUF':
        sock.rcvbuf = this.bufferSize(value);
        return { value: 0 };
      case 'SO_SNDBUF':
        sock.sndbuf = this.bufferSize(value);
        sock.conn?.configure({ sendBufferSize: sock.sndbuf });
        return { value: 0 };
      case 'TCP_NODELAY':
        sock.noDelay = value !== 0;
        sock.conn?.configure({ nagle: !sock.noDelay });
        return { value: 0 };
      case 'SO_KEEPALIVE':
        sock.keep.on = value !== 0;
        return this.keepalive(sock);
      case 'TCP_KEEPIDLE':
      case 'TCP_KEEPINTVL':
      case 'TCP_KEEPCNT': {
        if (value <= 0) return { value: -1, errno: 'EINVAL' };
        const field = name === 'TCP_KEEPIDLE' ? 'idle' : name === 'TCP_KEEPINTVL' ? 'intvl' : 'cnt';
        sock.keep[field] = value;
        return this.keepalive(sock);
      }
      case 'TCP_KEEPINIT':
        // FreeBSD: the time a handshake may take, in seconds (the runner's timer).
        if (value < 0) return { value: -1, errno: 'EINVAL' };
        sock.keep.init = value;
        return { value: 0 };
      case 'TCP_MAXSEG':
        // The MSS our SYN offers and our segments use at most (Linux's user_mss).
        if (value < 88 && value !== 0) return { value: -1, errno: 'EINVAL' };
        if (value !== 0) sock.settings.mss = value;
        // On a listener: the MSS its SYN,ACKs offer from now on (Linux copies user_mss).
        if (value !== 0) sock.listener?.configure({ mss: value });
        return { value: 0 };
      case 'TCP_SYNCNT':
        // Linux: SYN retransmissions of this socket, 1 to MAX_TCP_SYNCNT (127).
        if (value < 1 || value > 127) return { value: -1, errno: 'EINVAL' };
        sock.settings.synRetries = value;
        sock.conn?.configure({ synRetries: value });
        return { value: 0 };
      case 'TCP_USER_TIMEOUT':
        sock.settings.userTimeout = value;
        sock.conn?.configure({ userTimeout: value });
        return { value: 0 };
      case 'TCP_FASTOPEN':
        sock.fastOpen = value;
        if (sock.listener !== undefined)
          this.stack.fastOpen.listenerQueues.set(sock.listener.port, value);
        return { value: 0 };
      case 'TCP_FASTOPEN_CONNECT':
        // Linux's do_tcp_setsockopt: only with client Fast Open on, only before connect().
        if (value < 0 || value > 1) return { value: -1, errno: 'EINVAL' };
        if (!this.stack.fastOpen.clientEnabled) return { value: -1, errno: 'EOPNOTSUPP' };
        if (sock.conn !== undefined) return { value: -1, errno: 'EINVAL' };
        sock.fastOpenConnect = value !== 0;
        return { value: 0 };
      case 'TCP_NOOPT':
        sock.noOpt = value !== 0;
        return { value: 0 };
      default:
        throw new CallUnsupported(`setsockopt ${name}`);
    }
  }

  private bufferSize(value: number): number {
    return this.linuxBuffers ? Math.max(2 * Math.min(value, LINUX_CORE_MEM_MAX), 4608) : value;
  }

  /** POSIX: a new descriptor is the lowest one not open (0-2 are stdin, stdout, stderr). */
  private lowestFreeFd(): number {
    let fd = 3;
    while (this.sockets.has(fd)) fd++;
    return fd;
  }

  private socketConfig(sock: Socket): Partial<ConnectionConfig> {
    const noOpt = sock.noOpt
      ? { windowScale: false, timestamps: false, sack: false, noSynOptions: true }
      : {};
    return {
      ...this.config(),
      receiveBufferSize: sock.rcvbuf,
      sendBufferSize: sock.sndbuf,
      nagle: !sock.noDelay,
      ...this.keepConfig(sock),
      ...noOpt,
      ...sock.settings,
    };
  }

  private keepConfig(sock: Socket): Partial<ConnectionConfig> {
    const k = sock.keep;
    return {
      keepalive: { enabled: k.on, idle: k.idle * 1000, interval: k.intvl * 1000, count: k.cnt },
    };
  }

  private keepalive(sock: Socket): CallResult {
    sock.conn?.configure(this.keepConfig(sock));
    return { value: 0 };
  }

  private takeError(sock: Socket): CallResult | undefined {
    const errno = sock.pendingError;
    if (errno === undefined) return undefined;
    sock.pendingError = undefined;
    return { value: -1, errno };
  }
}
