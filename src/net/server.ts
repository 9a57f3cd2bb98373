/**
 * A `net.Server` look-alike over a Listener of our Stack: `listen`, `address`, `close`,
 * `getConnections`, and events `listening`, `connection`, `close`, `error`.
 */
import { EventEmitter } from 'node:events';
import { type Listener, StackError } from '../stack/stack.js';
import { netError, netErrorFromStack } from './errors.js';
import { familyOf, type Socket } from './socket.js';
import { validatePort } from './validate.js';

export interface ServerOptions {
  allowHalfOpen?: boolean;
  /** setNoDelay(true) on every accepted socket. */
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** Accepted sockets start paused: nothing is read until resume() (as node:net). */
  pauseOnConnect?: boolean;
  highWaterMark?: number;
}

export interface ListenOptions {
  port?: number;
  host?: string;
  backlog?: number;
  /** As node:net's: an IPv6 server on `::` that takes no IPv4 connections (IPV6_V6ONLY). */
  ipv6Only?: boolean;
}

/** What a server needs from the NetStack that owns it. */
export interface ServerHost {
  readonly address: string;
  /** Every address of the host (one of each family at most). */
  readonly addresses?: readonly string[];
  listen(
    server: Server,
    port: number,
    backlog: number,
    bind?: { address?: string; ipv6Only?: boolean },
  ): Listener;
  unlisten(server: Server): void;
  newSocket(opts: { allowHalfOpen: boolean; highWaterMark?: number }): Socket;
  now(): number;
  schedule(): void;
  holdOpen(holder: object, on: boolean): void;
}

const DEFAULT_BACKLOG = 511;

export class Server extends EventEmitter {
  /** Unset (undefined) until the application sets it, as in node:net, whose typings say number. */
  maxConnections = undefined as unknown as number;
  private listener: Listener | undefined;
  private readonly sockets = new Set<Socket>();
  private closing = false;
  /** unref() may come before listen() (node:net remembers it). */
  private refed = true;
  /** The host listen() was given, if any. */
  private boundHost: string | undefined;

  constructor(
    private readonly host: ServerHost,
    private readonly opts: ServerOptions = {},
    connectionListener?: (socket: Socket) => void,
  ) {
    super();
    if (connectionListener) this.on('connection', connectionListener);
  }

  get listening(): boolean {
    return this.listener !== undefined;
  }

  listen(port?: number, host?: string, backlog?: number, callback?: () => void): this;
  listen(port?: number, host?: string, callback?: () => void): this;
  listen(port?: number, backlog?: number, callback?: () => void): this;
  listen(port?: number, callback?: () => void): this;
  listen(path: string, backlog?: number, callback?: () => void): this;
  listen(path: string, callback?: () => void): this;
  listen(options: ListenOptions, callback?: () => void): this;
  listen(handle: unknown, backlog?: number, callback?: () => void): this;
  listen(handle: unknown, callback?: () => void): this;
  listen(...args: unknown[]): this {
    const callback = typeof args.at(-1) === 'function' ? (args.pop() as () => void) : undefined;
    const first = args[0];
    if (typeof first === 'string' && !/^\d+$/.test(first)) {
      // A Unix socket path: this stack has none (node:net would create one).
      process.nextTick(() =>
        this.emit('error', netError('EAFNOSUPPORT', 'listen', { address: first })),
      );
      return this;
    }
    const rest = args.slice(1);
    const opts: ListenOptions =
      typeof first === 'object' && first !== null
        ? (first as ListenOptions)
        : {
            port: first as number | undefined,
            host: typeof rest[0] === 'string' ? (rest.shift() as string) : undefined,
            backlog: typeof rest[0] === 'number' ? (rest[0] as number) : undefined,
          };
    const port = opts.port === undefined ? 0 : validatePort(opts.port, 'options.port');
    if (callback) this.once('listening', callback);
    if (this.listener) throw netError('EINVAL', 'listen');
    const addresses = this.host.addresses ?? [this.host.address];
    const mapped = addresses.map((a) => `::ffff:${a}`);
    if (
      opts.host &&
      opts.host !== '0.0.0.0' &&
      opts.host !== '::' &&
      !addresses.includes(opts.host) &&
      !mapped.includes(opts.host)
    ) {
      process.nextTick(() =>
        this.emit('error', netError('EADDRNOTAVAIL', 'listen', { address: opts.host ?? '', port })),
      );
      return this;
    }
    this.boundHost = opts.host || undefined;
    try {
      this.listener = this.host.listen(this, port, opts.backlog ?? DEFAULT_BACKLOG, {
        ...(opts.host ? { address: opts.host } : {}),
        ...(opts.ipv6Only === undefined ? {} : { ipv6Only: opts.ipv6Only }),
      });
    } catch (e) {
      if (!(e instanceof StackError)) throw e;
      const err = netErrorFromStack(e, 'listen', { address: this.host.address, port });
      process.nextTick(() => this.emit('error', err));
      return this;
    }
    this.closing = false;
    if (this.refed) this.host.holdOpen(this, true);
    const listener = this.listener;
    // As node:net: no 'listening' if close() came first, in the same tick.
    process.nextTick(() => {
      if (this.listener === listener) this.emit('listening');
    });
    return this;
  }

  address(): { address: string; family: string; port: number } | null {
    if (!this.listener) return null;
    const bound = this.listener.address;
    // An IPv4 host's server shows the host's address, as it always has; others, what they bound.
    const address = bound === '0.0.0.0' && !this.boundHost ? this.host.address : bound;
    return { address, family: familyOf(address), port: this.listener.port };
  }

  /** Stops accepting; 'close' follows once every accepted connection has closed. */
  close(callback?: (err?: Error) => void): this {
    if (callback) {
      if (!this.listener) {
        process.nextTick(() =>
          callback(
            Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' }),
          ),
        );
      } else {
        this.once('close', () => callback());
      }
    }
    if (!this.listener) return this;
    this.listener.close(this.host.now());
    this.listener = undefined;
    this.closing = true;
    this.host.unlisten(this);
    this.host.holdOpen(this, false);
    this.host.schedule();
    this.maybeEmitClose();
    return this;
  }

  /** node:net's deprecated count of connections (getConnections() is the supported way). */
  get connections(): number {
    return this.sockets.size;
  }

  /** `await using server = …`: closes the server (node:net's Symbol.asyncDispose). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.listener) return;
    await new Promise<void>((resolve) => this.close(() => resolve()));
  }

  getConnections(callback: (err: Error | null, count: number) => void): this {
    const n = this.sockets.size;
    process.nextTick(() => callback(null, n));
    return this;
  }

  ref(): this {
    this.refed = true;
    if (this.listener) this.host.holdOpen(this, true);
    return this;
  }

  unref(): this {
    this.refed = false;
    this.host.holdOpen(this, false);
    return this;
  }

  /** Takes every connection waiting in the accept queue (called on the stack's `acceptable`). */
  acceptAll(): void {
    const listener = this.listener;
    if (!listener) return;
    for (let conn = listener.accept(); conn; conn = listener.accept()) {
      const socket = this.host.newSocket({
        allowHalfOpen: this.opts.allowHalfOpen ?? false,
        highWaterMark: this.opts.highWaterMark,
      });
      socket.attach(conn);
      const max: number | undefined = this.maxConnections;
      if (max !== undefined && this.sockets.size >= max) {
        socket.destroy();
        this.emit('drop', {
          localAddress: conn.local.address,
          localPort: conn.local.port,
          remoteAddress: conn.remote.address,
          remotePort: conn.remote.port,
          remoteFamily: familyOf(conn.remote.address),
        });
        continue;
      }
      if (this.opts.noDelay) socket.setNoDelay(true);
      if (this.opts.keepAlive) socket.setKeepAlive(true, this.opts.keepAliveInitialDelay);
      this.sockets.add(socket);
      socket.accepted(this, this.opts.pauseOnConnect ?? false, () => {
        this.sockets.delete(socket);
        this.maybeEmitClose();
      });
      this.emit('connection', socket);
    }
  }

  private maybeEmitClose(): void {
    if (this.closing && this.sockets.size === 0) {
      this.closing = false;
      process.nextTick(() => this.emit('close'));
    }
  }
}
