/**
 * The `net` module of one Stack: `createServer`, `connect`/`createConnection` and `Socket`,
 * with Node's signatures, over a StackDriver (the stack on the real clock, joined to a link).
 * Code written against `node:net` runs unchanged with `const net = new NetStack(driver)`.
 *
 * Also an EventEmitter of every transition of the stack's connections (`transition`, a
 * TransitionEvent), accepted or not yet, for traces, and of the stack's drops (`drop`, the
 * stack's typed drop event).
 *
 * It reacts to the stack's events only: each connection event goes to the socket of that
 * connection, `acceptable` to the server of that port. No socket is polled.
 */
import { EventEmitter } from 'node:events';
import { type LookupFunction, isIP as nodeIsIP } from 'node:net';
import {
  type Listener,
  type StackConnection,
  StackError,
  type StackEvent,
} from '../stack/stack.js';
import type { Endpoint } from '../state/states.js';
import type { StackDriver } from './driver.js';
import { type ListenOptions, Server, type ServerOptions } from './server.js';
import { Socket, type SocketConnectOptions, type SocketOptions } from './socket.js';

export interface NetStackOptions {
  /**
   * Resolves host names for connect() (dns.lookup's signature): the TUN link can pass Node's own
   * `dns.lookup`, a simulation a hosts table. Without one, a name fails with ENOTFOUND.
   */
  lookup?: LookupFunction;
}

export class NetStack extends EventEmitter {
  private readonly socketOf = new Map<StackConnection, Socket>();
  private readonly servers = new Map<number, Server>();
  private readonly holders = new Set<object>();
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly detach: Array<() => void> = [];

  constructor(
    readonly driver: StackDriver,
    private readonly options: NetStackOptions = {},
  ) {
    super();
    this.detach.push(driver.onEvent((e) => this.onStackEvent(e)));
  }

  get address(): string {
    return this.driver.stack.address;
  }

  /** The stack's IPv6 address, on a host that has one. */
  get address6(): string | undefined {
    return this.driver.stack.address6;
  }

  createServer(connectionListener?: (socket: Socket) => void): Server;
  createServer(options?: ServerOptions, connectionListener?: (socket: Socket) => void): Server;
  createServer(
    a?: ServerOptions | ((socket: Socket) => void),
    b?: (socket: Socket) => void,
  ): Server {
    const opts = typeof a === 'object' ? a : {};
    const listener = typeof a === 'function' ? a : b;
    return new Server(this.serverHost(), opts, listener);
  }

  /** Like net.connect: a Socket already connecting. */
  connect(options: SocketConnectOptions & SocketOptions, listener?: () => void): Socket;
  connect(port: number, host?: string, listener?: () => void): Socket;
  connect(port: number, listener?: () => void): Socket;
  connect(
    a: number | (SocketConnectOptions & SocketOptions),
    b?: string | (() => void),
    c?: () => void,
  ): Socket {
    const socket = this.socket(typeof a === 'object' ? a : {});
    if (typeof a === 'object') return socket.connect(a, typeof b === 'function' ? b : c);
    if (typeof b === 'function') return socket.connect(a, b);
    return socket.connect(a, b, c);
  }

  createConnection(options: SocketConnectOptions & SocketOptions, listener?: () => void): Socket;
  createConnection(port: number, host?: string, listener?: () => void): Socket;
  createConnection(
    a: number | (SocketConnectOptions & SocketOptions),
    b?: string | (() => void),
    c?: () => void,
  ): Socket {
    return typeof a === 'object'
      ? this.connect(a, typeof b === 'function' ? b : c)
      : this.connect(a, b as string | undefined, c);
  }

  /** As node:net's. */
  isIP(input: string): number {
    return nodeIsIP(input);
  }
  isIPv4(input: string): boolean {
    return nodeIsIP(input) === 4;
  }
  isIPv6(input: string): boolean {
    return nodeIsIP(input) === 6;
  }

  /** A new, unconnected Socket of this stack (`new net.Socket()`). */
  socket(opts: SocketOptions = {}): Socket {
    return new Socket(this.socketHost(), opts);
  }

  /** Stops driving the stack (timers off); sockets and servers stop moving. */
  close(): void {
    for (const d of this.detach) d();
    this.holders.clear();
    this.updateKeepAlive();
    this.driver.stop();
  }

  // ---------------------------------------------------------------------------------------

  private onStackEvent(event: StackEvent): void {
    switch (event.type) {
      case 'transition': {
        const t = event.event;
        this.emit('transition', t);
        this.socketOf.get(event.conn)?.onTransition(t);
        return;
      }
      case 'readable':
        this.socketOf.get(event.conn)?.onReadable();
        return;
      case 'end':
        this.socketOf.get(event.conn)?.onEnd();
        return;
      case 'writable':
        this.socketOf.get(event.conn)?.onWritable();
        return;
      case 'closed':
        this.socketOf.get(event.conn)?.onClosed(event.reason);
        return;
      case 'acceptable':
        this.servers.get(event.port)?.acceptAll();
        return;
      case 'drop':
        this.emit('drop', event);
        return;
    }
  }

  private holdOpen(holder: object, on: boolean): void {
    if (on) this.holders.add(holder);
    else this.holders.delete(holder);
    this.updateKeepAlive();
  }

  /**
   * The driver's timer never keeps the process alive; this idle interval does while a server
   * listens or a ref'd socket is open, as libuv handles do for node:net.
   */
  private updateKeepAlive(): void {
    if (this.holders.size > 0 && !this.keepAlive) {
      this.keepAlive = setInterval(() => {}, 1 << 30);
    } else if (this.holders.size === 0 && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }

  private socketHost() {
    return {
      now: () => this.driver.now(),
      schedule: () => this.driver.schedule(),
      connect: (socket: Socket, remote: Endpoint, localPort: number | undefined) => {
        const conn = this.driver.stack.connect(
          this.driver.now(),
          remote,
          localPort === undefined ? undefined : { localPort },
        );
        socket.attach(conn);
        return conn;
      },
      register: (socket: Socket, conn: StackConnection) => {
        this.socketOf.set(conn, socket);
      },
      unregister: (socket: Socket, conn: StackConnection) => {
        if (this.socketOf.get(conn) === socket) this.socketOf.delete(conn);
      },
      ref: (socket: Socket) => this.holdOpen(socket, true),
      unref: (socket: Socket) => this.holdOpen(socket, false),
      lookup: this.options.lookup,
      family: this.family(),
    };
  }

  /** The families this stack's addresses give names to look up in (0: either). */
  private family(): 0 | 4 | 6 {
    const { address4, address6 } = this.driver.stack;
    return address6 === undefined ? 4 : address4 === undefined ? 6 : 0;
  }

  private serverHost() {
    const stack = this.driver.stack;
    return {
      address: stack.address,
      addresses: [stack.address4, stack.address6].filter((a) => a !== undefined),
      listen: (
        server: Server,
        port: number,
        backlog: number,
        bind: { address?: string; ipv6Only?: boolean } = {},
      ): Listener => {
        const chosen = port === 0 ? this.freePort() : port;
        const listener = this.driver.stack.listen(chosen, {
          backlog,
          ...(bind.address === undefined ? {} : { address: bind.address }),
          ...(bind.ipv6Only === undefined ? {} : { v6only: bind.ipv6Only }),
        });
        this.servers.set(listener.port, server);
        return listener;
      },
      unlisten: (server: Server) => {
        for (const [port, s] of this.servers) if (s === server) this.servers.delete(port);
      },
      newSocket: (opts: { allowHalfOpen: boolean; highWaterMark?: number }) => this.socket(opts),
      now: () => this.driver.now(),
      schedule: () => this.driver.schedule(),
      holdOpen: (holder: object, on: boolean) => this.holdOpen(holder, on),
    };
  }

  /** listen(0): a free port from the dynamic range (RFC 6335 8.1.2). */
  private freePort(): number {
    for (let port = 49152; port <= 65535; port++) if (!this.servers.has(port)) return port;
    throw new StackError('EADDRINUSE', 'listen(0): no free port in 49152-65535');
  }
}

export type { ListenOptions, ServerOptions, SocketConnectOptions, SocketOptions };
