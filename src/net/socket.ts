/**
 * A `net.Socket` look-alike over one Connection of our Stack: a `stream.Duplex` with Node's
 * events (`connect`, `ready`, `data`, `end`, `close`(hadError), `error`, `timeout`, `drain`),
 * methods and properties, close enough that Node's `http` client and server run over it.
 *
 * Flow control is real: received bytes stay in the connection's receive buffer while the
 * readable side is paused (so our advertised window shrinks), and `write()` returns false once
 * the connection's send buffer and the stream's own buffer are full; `drain` follows.
 *
 * Beyond `net.Socket`: `tcpState` and a `state` event ({ from, to, cause, time }) on every
 * transition of the connection, including those after `close` (FIN_WAIT2, TIME_WAIT, CLOSED).
 *
 * The NetStack hands it the stack's events for its connection (transition, readable, end,
 * writable, closed with its CloseReason); the socket moves data when one arrives, or when the
 * stream asks (`_read`, `_write`), and never polls.
 */

import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import { type StackConnection, StackError } from '../stack/stack.js';
import type { TransitionEvent } from '../state/events.js';
import type { Endpoint, TcpState } from '../state/states.js';
import type { CloseReason, ConnectionConfig } from '../tcp/types.js';
import { DEFAULT_CONFIG, TcpUsageError } from '../tcp/types.js';
import { errorForClose, lookupError, netError, netErrorFromStack } from './errors.js';
import { missingConnectArgs, validatePort, validateTimeout } from './validate.js';

/** What a socket needs from the NetStack that owns it. */
export interface SocketHost {
  now(): number;
  schedule(): void;
  connect(socket: Socket, remote: Endpoint, localPort: number | undefined): StackConnection;
  register(socket: Socket, conn: StackConnection): void;
  unregister(socket: Socket, conn: StackConnection): void;
  ref(socket: Socket): void;
  unref(socket: Socket): void;
  /** The stack's resolver for host names (NetStack's `lookup` option), if it has one. */
  readonly lookup: LookupFunction | undefined;
  /** The address family a name is looked up in: 4, 6, or 0 (either) on a dual-stack host. */
  readonly family?: 0 | 4 | 6;
}

/** A Socket's `'state'` event: the one transition event (state/events.ts), on the driver's clock. */
export type SocketStateChange = TransitionEvent;

export interface SocketOptions {
  allowHalfOpen?: boolean;
  /** Both stream buffers' high-water mark, as for any stream.Duplex (net.Socket passes it on). */
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
}

export interface SocketConnectOptions {
  port?: number | string;
  host?: string;
  /** A Unix socket path: this stack has none, so it fails with ENOENT as node:net would. */
  path?: string;
  /** Resolves a host name (as dns.lookup does); without it the stack's own resolver, if any. */
  lookup?: LookupFunction;
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  timeout?: number;
}

interface PendingWrite {
  data: Uint8Array;
  callback: (err?: Error | null) => void;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIPv4(text: string): boolean {
  const m = IPV4.exec(text);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
}

/** As node:net's isIPv6 (RFC 4291 text; Node also takes a zone, `fe80::1%eth0`). */
export function isIPv6(text: string): boolean {
  return isIP(text) === 6;
}

/** Node's family name for an address: 'IPv6' for any IPv6 text, IPv4-mapped included. */
export function familyOf(address: string): 'IPv4' | 'IPv6' {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}

export class Socket extends Duplex {
  connecting = false;
  bytesRead = 0;
  /** The server that accepted this socket (net.Socket#server). */
  server: unknown = undefined;
  /** Bytes handed to _write (whole chunks, as Node's _bytesDispatched counts them). */
  private dispatched = 0;
  /** Length of the chunk _write is working on (counted in `dispatched` and in writableLength). */
  private inProgress = 0;
  /** The peer's endpoint once known; kept after close, as Node keeps `_peername`. */
  private peer: Endpoint | undefined;
  private conn: StackConnection | undefined;
  private state: TcpState = 'CLOSED';
  private pendingWrite: PendingWrite | undefined;
  private finalCallback: ((err?: Error | null) => void) | undefined;
  private wantRead = false;
  private peerFin = false;
  private endPushed = false;
  private closedReason: CloseReason | undefined;
  private resetOnDestroy = false;
  private idleMs = 0;
  private timeoutSet = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private refed = true;
  private configPatch: Partial<ConnectionConfig> = {};
  /** The accepting server's bookkeeping, run once when this socket is destroyed. */
  private onDestroy: (() => void) | undefined;
  /** The handle was closed by destroy (Node sets `_handle` to null). */
  private closedHandle = false;

  constructor(
    private readonly host: SocketHost,
    opts: SocketOptions = {},
  ) {
    super({
      allowHalfOpen: opts.allowHalfOpen ?? false,
      highWaterMark: opts.highWaterMark,
      readableHighWaterMark: opts.readableHighWaterMark,
      writableHighWaterMark: opts.writableHighWaterMark,
      // 'close' carries hadError, as net.Socket's does: emitted by _destroy below.
      emitClose: false,
      autoDestroy: true,
      decodeStrings: true,
    });
    // As node:net: once the peer's FIN is read on a socket that is not half-open, the socket
    // ends itself, and a later write fails with EPIPE ("ended by the other party").
    this.on('end', () => {
      if (!this.allowHalfOpen) this.write = this.writeAfterFin;
    });
  }

  private writeAfterFin(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    if (!this.writableEnded) {
      return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb as () => void);
    }
    const callback = typeof encoding === 'function' ? encoding : cb;
    const err = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
    });
    if (typeof callback === 'function') process.nextTick(callback as (e: Error) => void, err);
    this.destroy(err);
    return false;
  }

  // --- Node's properties -----------------------------------------------------------------

  /** The connection's current state (CLOSED before connect and after the end). */
  get tcpState(): TcpState {
    return this.state;
  }

  /** Everything written so far, sent or still buffered (Node counts both). */
  get bytesWritten(): number {
    return this.dispatched + this.writableLength - this.inProgress;
  }

  /** Bytes buffered in the stream and not yet taken by the connection (net.Socket#bufferSize). */
  get bufferSize(): number {
    return this.writableLength;
  }

  get pending(): boolean {
    return !this.handleOpen() || this.connecting;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  // As node:net: the peer is known from the connect on (and kept after close); the local end
  // only while the handle is open and not connecting.
  get remoteAddress(): string | undefined {
    return this.peer?.address;
  }
  get remotePort(): number | undefined {
    return this.peer?.port;
  }
  get remoteFamily(): string | undefined {
    return this.peer ? familyOf(this.peer.address) : undefined;
  }
  get localAddress(): string | undefined {
    return this.localEnd()?.address;
  }
  get localPort(): number | undefined {
    return this.localEnd()?.port;
  }
  get localFamily(): string | undefined {
    const local = this.localEnd();
    return local ? familyOf(local.address) : undefined;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    const local = this.localEnd();
    if (!local) return {};
    return { address: local.address, family: familyOf(local.address), port: local.port };
  }

  /** Node's `autoSelectFamilyAttemptedAddresses`: the `addr:port`s tried (one). */
  get autoSelectFamilyAttemptedAddresses(): string[] {
    return this.peer ? [`${this.peer.address}:${this.peer.port}`] : [];
  }

  /** The underlying connection (for tcp_info-like `info()`), once there is one. */
  get connection(): StackConnection | undefined {
    return this.conn;
  }

  // --- Node's methods --------------------------------------------------------------------

  connect(options: SocketConnectOptions, listener?: () => void): this;
  connect(port: number, host?: string, listener?: () => void): this;
  connect(port: number, listener?: () => void): this;
  connect(path: string, listener?: () => void): this;
  connect(
    a: number | string | SocketConnectOptions,
    b?: string | (() => void),
    c?: () => void,
  ): this {
    const opts: SocketConnectOptions =
      typeof a === 'object'
        ? a
        : typeof a === 'string' && !/^\d+$/.test(a)
          ? { path: a }
          : { port: a, host: typeof b === 'string' ? b : undefined };
    const listener = typeof b === 'function' ? b : c;
    // As node:net, a destroyed socket may connect again (Socket#connect undestroys it).
    if (this.destroyed && this.closedHandle) this.reinitialize();
    else if (this.conn || this.connecting) throw netError('EINVAL', 'connect');
    if (opts.path !== undefined) {
      this.connecting = true;
      if (listener) this.once('connect', listener);
      const path = opts.path;
      process.nextTick(() => this.destroy(netError('ENOENT', 'connect', { address: path })));
      return this;
    }
    if (opts.port === undefined) throw missingConnectArgs();
    const port = validatePort(opts.port);
    const host = opts.host ?? '127.0.0.1';
    if (listener) this.once('connect', listener);
    if (opts.noDelay) this.configPatch.nagle = false;
    if (opts.keepAlive) {
      this.configPatch.keepalive = {
        ...DEFAULT_CONFIG.keepalive,
        enabled: true,
        ...(opts.keepAliveInitialDelay ? { idle: opts.keepAliveInitialDelay } : {}),
      };
    }
    if (opts.timeout) this.setTimeout(opts.timeout);
    this.connecting = true;
    if (isIPv4(host)) {
      this.open({ address: host, port }, opts.localPort);
      return this;
    }
    if (isIP(host) === 6) {
      if (host.includes('%')) {
        // A zone (fe80::1%eth0): the stack has one interface and no link-local scope.
        process.nextTick(() =>
          this.destroy(netError('EAFNOSUPPORT', 'connect', { address: host, port })),
        );
        return this;
      }
      this.open({ address: host, port }, opts.localPort);
      return this;
    }
    const lookup = opts.lookup ?? this.host.lookup;
    if (!lookup) {
      // No resolver on this stack: the name cannot be found, as getaddrinfo would say.
      process.nextTick(() => {
        const err = lookupError(host);
        this.emit('lookup', err, undefined, undefined, host);
        this.destroy(err);
      });
      return this;
    }
    lookup(host, { family: this.host.family ?? 4, all: false }, (err, address, family) => {
      this.emit('lookup', err, address, family, host);
      if (!this.connecting || this.destroyed) return;
      if (err) {
        // As node:net: a failed lookup is reported on the next tick, still connecting until then.
        process.nextTick(() => this.destroy(err));
        return;
      }
      const first = Array.isArray(address) ? (address[0]?.address as string | undefined) : address;
      if (first === undefined || !(isIPv4(first) || (isIPv6(first) && !first.includes('%')))) {
        this.destroy(netError('EAFNOSUPPORT', 'connect', { address: String(first), port }));
        return;
      }
      this.open({ address: first, port }, opts.localPort);
    });
    return this;
  }

  /** Opens the connection to an address (after any lookup). */
  private open(remote: Endpoint, localPort: number | undefined): void {
    if (remote.port === 0) {
      // Nothing listens on port 0: the kernel refuses it, so node:net reports ECONNREFUSED.
      process.nextTick(() => this.destroy(netError('ECONNREFUSED', 'connect', remote)));
      return;
    }
    let conn: StackConnection;
    try {
      conn = this.host.connect(this, remote, localPort);
    } catch (e) {
      if (!(e instanceof StackError)) throw e;
      // As node:net: a failed connect is an 'error' on the next tick, not a throw.
      const err = netErrorFromStack(e, 'connect', remote);
      process.nextTick(() => this.destroy(err));
      return;
    }
    if (Object.keys(this.configPatch).length > 0) conn.configure(this.configPatch);
    this.host.schedule();
  }

  setNoDelay(noDelay = true): this {
    this.configure({ nagle: !noDelay });
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    this.configure({
      keepalive: {
        ...DEFAULT_CONFIG.keepalive,
        ...this.configPatch.keepalive,
        enabled: enable,
        ...(initialDelay > 0 ? { idle: initialDelay } : {}),
      },
    });
    return this;
  }

  /** Emits 'timeout' after `ms` without reads or writes (0 turns it off); the socket stays open. */
  setTimeout(ms: number, callback?: () => void): this {
    this.idleMs = validateTimeout(ms, callback);
    this.timeoutSet = true;
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.touch();
    return this;
  }

  get timeout(): number | undefined {
    return this.timeoutSet ? this.idleMs : undefined;
  }

  /** As net.Socket#pause: reading stops, so a paused socket no longer holds the process. */
  override pause(): this {
    super.pause();
    this.updateHold();
    return this;
  }

  override resume(): this {
    super.resume();
    this.updateHold();
    return this;
  }

  /** Sends RST (not FIN) and destroys the socket, like net.Socket#resetAndDestroy. */
  resetAndDestroy(): this {
    this.resetOnDestroy = true;
    return this.destroy();
  }

  /** Ends the writable side, and destroys once everything is flushed (http uses it). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  ref(): this {
    this.refed = true;
    this.updateHold();
    return this;
  }

  unref(): this {
    this.refed = false;
    this.updateHold();
    return this;
  }

  // --- called by the NetStack ------------------------------------------------------------

  /** Binds this socket to a connection (an accepted one, or one it is opening). */
  attach(conn: StackConnection): void {
    this.conn = conn;
    this.state = conn.state;
    // An accepted connection may have had the peer's FIN before accept().
    this.peerFin = conn.ended;
    this.closedHandle = false;
    this.host.register(this, conn);
    this.updateHold();
  }

  /**
   * The server handed this accepted socket to the application. As node:net, it starts reading at
   * once (libuv's read start, `read(0)`), so the peer's FIN is seen even if nobody reads, unless
   * the server has `pauseOnConnect`. A connection that died in the accept queue (an RST before
   * accept, which Linux keeps queued) reports its end now, as the first read would.
   */
  accepted(server: unknown, pauseOnConnect: boolean, onDestroy: () => void): void {
    this.server = server;
    this.onDestroy = onDestroy;
    const conn = this.conn;
    if (conn) this.peer = conn.remote;
    if (pauseOnConnect) this.pause();
    else this.read(0);
    const reason = conn?.closeReason;
    if (reason !== undefined) process.nextTick(() => this.onClosed(reason));
  }

  /** A transition of our connection, as the stack reported it. */
  onTransition(change: SocketStateChange): void {
    this.state = change.to;
    this.emit('state', change);
    // CLOSED is the `closed` event's business (it follows, with the reason).
    if (change.to === 'CLOSED') return;
    if (change.to === 'ESTABLISHED' && this.connecting) this.onConnected();
    else if (this.connecting && change.to !== 'SYN_SENT' && change.to !== 'SYN_RECV') {
      // Simultaneous open can lead past ESTABLISHED within one batch of events.
      if (change.from === 'SYN_SENT' || change.from === 'SYN_RECV') this.onConnected();
    }
  }

  /** The stack's `readable`: data to hand to the stream, if it wants some. */
  onReadable(): void {
    this.pushReceived();
  }

  /** The stack's `end`: the peer's FIN; the stream ends once the data before it is read. */
  onEnd(): void {
    this.peerFin = true;
    this.pushReceived();
  }

  /** The stack's `writable`: the send buffer has room for what is waiting. */
  onWritable(): void {
    if (this.pendingWrite && !this.destroyed && !this.connecting) {
      this.writeSome(this.pendingWrite);
    }
  }

  /** The stack's `closed`, with the engine's reason. */
  onClosed(reason: CloseReason): void {
    const wasConnecting = this.connecting;
    this.closedReason = reason;
    if (this.conn) this.host.unregister(this, this.conn);
    if (this.destroyed) return;
    const remote = this.conn?.remote ?? { address: '0.0.0.0', port: 0 };
    const err = errorForClose(reason, wasConnecting, remote);
    if (err) {
      this.destroy(err);
      return;
    }
    // A normal end reaches CLOSED only after both FINs: hand over everything left, even past
    // the high-water mark (there is no window left to hold it in), then the end. Holding it back
    // until the next _read would lose it: the stream ends as soon as null is pushed.
    this.connecting = false;
    const conn = this.conn;
    if (conn && !this.endPushed) {
      for (let chunk = conn.read(); chunk.byteLength > 0; chunk = conn.read()) {
        this.bytesRead += chunk.byteLength;
        this.push(Buffer.from(chunk));
      }
    }
    if (!this.endPushed) {
      this.endPushed = true;
      this.updateHold();
      this.push(null);
      this.read(0);
    }
  }

  /** Moves received data into the stream while it wants more, then the end after the FIN. */
  private pushReceived(): void {
    const conn = this.conn;
    if (!conn || this.connecting) return;
    if (this.wantRead && !this.endPushed && !this.destroyed) {
      let chunk = conn.read();
      // Reading may open the window: the stack sends the update at the next flush.
      if (chunk.byteLength > 0) this.host.schedule();
      while (chunk.byteLength > 0) {
        this.bytesRead += chunk.byteLength;
        this.touch();
        // Our own copy: the connection may reuse its buffer, and consumers keep chunks.
        const keepGoing = this.push(Buffer.from(chunk));
        if (!keepGoing) {
          this.wantRead = false;
          this.updateHold();
          break;
        }
        chunk = conn.read();
      }
      if (this.peerFin && conn.recvQueue === 0 && this.wantRead) {
        this.endPushed = true;
        this.updateHold();
        this.push(null);
        // As node:net after EOF: read(0) lets 'end' come even with nobody reading.
        this.read(0);
      }
    }
  }

  // --- stream.Duplex implementation ------------------------------------------------------

  override _read(): void {
    this.wantRead = true;
    this.updateHold();
    this.pushReceived();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (err?: Error | null) => void,
  ): void {
    this.touch();
    this.dispatched += chunk.byteLength;
    this.inProgress = chunk.byteLength;
    const pending = {
      data: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      callback,
    };
    if (this.connecting || !this.conn) {
      // As node:net: a write made while connecting goes out from a 'connect' listener added
      // now, so it runs before any listener the application adds later.
      this.pendingWrite = pending;
      this.updateHold();
      this.once('connect', () => {
        if (this.pendingWrite === pending) this.writeSome(pending);
      });
      return;
    }
    this.writeSome(pending);
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.connecting || !this.conn) {
      this.once('connect', () => this._final(callback));
      return;
    }
    if (this.pendingWrite) {
      this.finalCallback = callback;
      return;
    }
    this.shutdownNow(callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const conn = this.conn;
    if (conn && conn.state !== 'CLOSED' && this.closedReason === undefined) {
      // close(2) semantics: unread received data, or an explicit reset, makes it an RST
      // (RFC 9293 3.10.4 allows it; Linux does it); otherwise FIN after queued data.
      try {
        if (this.resetOnDestroy || conn.recvQueue > 0 || this.connecting)
          conn.abort(this.host.now());
        else conn.close(this.host.now());
      } catch (e) {
        if (!(e instanceof TcpUsageError)) throw e;
      }
      this.host.schedule();
    }
    if (this.pendingWrite) {
      const { callback: cb } = this.pendingWrite;
      this.pendingWrite = undefined;
      cb(err ?? netError('EPIPE', 'write'));
    }
    this.connecting = false;
    // The server counts its connections down here, before 'close' (node:net's _destroy does).
    const onDestroy = this.onDestroy;
    this.onDestroy = undefined;
    onDestroy?.();
    const hadHandle = this.handleOpen();
    this.closedHandle = true;
    this.updateHold();
    callback(err);
    const hadError = err !== null && err !== undefined;
    // node:net emits 'close' from the handle's close callback, a turn of the event loop later
    // (so code that awaits 'end' or 'finish' can still attach a 'close' listener); without a
    // handle, on the next tick.
    if (hadHandle) setImmediate(() => this.emit('close', hadError));
    else process.nextTick(() => this.emit('close', hadError));
  }

  // --- internals -------------------------------------------------------------------------

  private configure(patch: Partial<ConnectionConfig>): void {
    Object.assign(this.configPatch, patch);
    if (this.conn && this.state !== 'CLOSED') this.conn.configure(patch);
  }

  private onConnected(): void {
    this.connecting = false;
    this.updateHold();
    this.peer = this.conn?.remote;
    this.emit('connect');
    this.emit('ready');
    // As node:net's afterConnect: start reading unless the application paused the socket.
    if (this.readable && !this.isPaused()) this.read(0);
    this.host.schedule();
  }

  /**
   * Holds the process open exactly while libuv's handle would be active and referenced: while
   * connecting, with a write in progress, or while reading (not paused, not stopped by a full
   * stream buffer, the peer's FIN not yet seen). A paused or finished socket lets Node exit.
   */
  private updateHold(): void {
    const active =
      this.refed &&
      !this.closedHandle &&
      this.conn !== undefined &&
      (this.connecting ||
        this.pendingWrite !== undefined ||
        (this.wantRead && !this.endPushed && !this.isPaused()));
    if (active) this.host.ref(this);
    else this.host.unref(this);
  }

  /** Whether the socket has an open connection handle (Node: `this._handle` is set). */
  private handleOpen(): boolean {
    return this.conn !== undefined && !this.closedHandle;
  }

  private localEnd(): Endpoint | undefined {
    return this.handleOpen() && !this.connecting ? this.conn?.local : undefined;
  }

  /** Back to a new socket's state, for connect() after destroy (as Socket#connect does). */
  private reinitialize(): void {
    // The old connection may live on (FIN_WAIT2, TIME_WAIT); its events are no longer ours.
    if (this.conn) this.host.unregister(this, this.conn);
    this.conn = undefined;
    this.state = 'CLOSED';
    this.pendingWrite = undefined;
    this.finalCallback = undefined;
    this.wantRead = false;
    this.peerFin = false;
    this.endPushed = false;
    this.closedReason = undefined;
    this.resetOnDestroy = false;
    this.inProgress = 0;
    (this as unknown as { _undestroy(): void })._undestroy();
  }

  private writeSome(pending: PendingWrite): void {
    const conn = this.conn;
    if (!conn) return;
    let accepted: number;
    try {
      accepted = pending.data.byteLength === 0 ? 0 : conn.send(pending.data);
    } catch (e) {
      this.pendingWrite = undefined;
      this.updateHold();
      if (e instanceof TcpUsageError) {
        pending.callback(netError('EPIPE', 'write'));
        return;
      }
      throw e;
    }
    if (accepted > 0) this.host.schedule();
    if (accepted === pending.data.byteLength) {
      this.pendingWrite = undefined;
      this.inProgress = 0;
      this.updateHold();
      pending.callback();
      if (this.finalCallback) {
        const cb = this.finalCallback;
        this.finalCallback = undefined;
        this.shutdownNow(cb);
      }
    } else {
      this.pendingWrite = { data: pending.data.subarray(accepted), callback: pending.callback };
      this.updateHold();
    }
  }

  private shutdownNow(callback: (err?: Error | null) => void): void {
    const conn = this.conn;
    try {
      conn?.shutdown(this.host.now());
    } catch (e) {
      if (!(e instanceof TcpUsageError)) throw e;
      callback(netError('EPIPE', 'shutdown'));
      return;
    }
    this.host.schedule();
    // node:net's shutdown completes from libuv, not synchronously: 'finish' comes a tick later.
    process.nextTick(() => callback());
  }

  private touch(): void {
    if (this.idleTimer && this.idleMs > 0 && !this.destroyed) {
      this.idleTimer.refresh();
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        this.emit('timeout');
      }, this.idleMs);
      this.idleTimer.unref();
    }
  }
}
