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

import { Duplex } from 'node:stream';
import { type StackConnection, StackError } from '../stack/stack.js';
import type { TransitionEvent } from '../state/events.js';
import type { Endpoint, TcpState } from '../state/states.js';
import type { CloseReason, ConnectionConfig } from '../tcp/types.js';
import { DEFAULT_CONFIG, TcpUsageError } from '../tcp/types.js';
import { errorForClose, netError, netErrorFromStack } from './errors.js';

/** What a socket needs from the NetStack that owns it. */
export interface SocketHost {
  now(): number;
  schedule(): void;
  connect(socket: Socket, remote: Endpoint, localPort: number | undefined): StackConnection;
  register(socket: Socket, conn: StackConnection): void;
  unregister(socket: Socket, conn: StackConnection): void;
  ref(socket: Socket): void;
  unref(socket: Socket): void;
}

/** A Socket's `'state'` event: the one transition event (state/events.ts), on the driver's clock. */
export type SocketStateChange = TransitionEvent;

export interface SocketOptions {
  allowHalfOpen?: boolean;
}

export interface SocketConnectOptions {
  port: number;
  host?: string;
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

export class Socket extends Duplex {
  connecting = false;
  bytesRead = 0;
  private written = 0;
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
  private idleTimer: NodeJS.Timeout | undefined;
  private refed = true;
  private configPatch: Partial<ConnectionConfig> = {};

  constructor(
    private readonly host: SocketHost,
    opts: SocketOptions = {},
  ) {
    super({
      allowHalfOpen: opts.allowHalfOpen ?? false,
      // 'close' carries hadError, as net.Socket's does: emitted by _destroy below.
      emitClose: false,
      autoDestroy: true,
      decodeStrings: true,
    });
  }

  // --- Node's properties -----------------------------------------------------------------

  /** The connection's current state (CLOSED before connect and after the end). */
  get tcpState(): TcpState {
    return this.state;
  }

  get bytesWritten(): number {
    return this.written;
  }

  get pending(): boolean {
    return !this.conn || this.connecting;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  get remoteAddress(): string | undefined {
    return this.conn?.remote.address;
  }
  get remotePort(): number | undefined {
    return this.conn?.remote.port;
  }
  get remoteFamily(): string | undefined {
    return this.conn ? 'IPv4' : undefined;
  }
  get localAddress(): string | undefined {
    return this.conn?.local.address;
  }
  get localPort(): number | undefined {
    return this.conn?.local.port;
  }
  get localFamily(): string | undefined {
    return this.conn ? 'IPv4' : undefined;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (!this.conn) return {};
    return { address: this.conn.local.address, family: 'IPv4', port: this.conn.local.port };
  }

  /** The underlying connection (for tcp_info-like `info()`), once there is one. */
  get connection(): StackConnection | undefined {
    return this.conn;
  }

  // --- Node's methods --------------------------------------------------------------------

  connect(options: SocketConnectOptions, listener?: () => void): this;
  connect(port: number, host?: string, listener?: () => void): this;
  connect(port: number, listener?: () => void): this;
  connect(a: number | SocketConnectOptions, b?: string | (() => void), c?: () => void): this {
    const opts: SocketConnectOptions =
      typeof a === 'object' ? a : { port: a, host: typeof b === 'string' ? b : undefined };
    const listener = typeof b === 'function' ? b : c;
    if (this.conn) throw netError('EINVAL', 'connect');
    const host = opts.host ?? '127.0.0.1';
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      throw new RangeError(`port must be an integer from 1 to 65535: ${opts.port}`);
    }
    if (!isIPv4(host)) {
      throw new TypeError(`host must be an IPv4 address (this stack resolves no names): ${host}`);
    }
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
    const remote = { address: host, port: opts.port };
    let conn: StackConnection;
    try {
      conn = this.host.connect(this, remote, opts.localPort);
    } catch (e) {
      if (!(e instanceof StackError)) throw e;
      // As node:net: a failed connect is an 'error' on the next tick, not a throw.
      const err = netErrorFromStack(e, 'connect', remote);
      process.nextTick(() => this.destroy(err));
      return this;
    }
    if (Object.keys(this.configPatch).length > 0) conn.configure(this.configPatch);
    this.host.schedule();
    return this;
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
    this.idleMs = ms;
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.touch();
    return this;
  }

  get timeout(): number | undefined {
    return this.idleMs || undefined;
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
    if (this.conn && !this.destroyed) this.host.ref(this);
    return this;
  }

  unref(): this {
    this.refed = false;
    this.host.unref(this);
    return this;
  }

  // --- called by the NetStack ------------------------------------------------------------

  /** Binds this socket to a connection (an accepted one, or one it is opening). */
  attach(conn: StackConnection): void {
    this.conn = conn;
    this.state = conn.state;
    // An accepted connection may have had the peer's FIN before accept().
    this.peerFin = conn.ended;
    this.host.register(this, conn);
    if (this.refed) this.host.ref(this);
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
    // A normal end reaches CLOSED only after both FINs: hand over what is left, then end.
    this.connecting = false;
    this.pushReceived();
    if (!this.endPushed) {
      this.endPushed = true;
      this.push(null);
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
          break;
        }
        chunk = conn.read();
      }
      if (this.peerFin && conn.recvQueue === 0 && this.wantRead) {
        this.endPushed = true;
        this.push(null);
      }
    }
  }

  // --- stream.Duplex implementation ------------------------------------------------------

  override _read(): void {
    this.wantRead = true;
    this.pushReceived();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (err?: Error | null) => void,
  ): void {
    this.touch();
    const pending = {
      data: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      callback,
    };
    if (this.connecting || !this.conn) {
      this.pendingWrite = pending;
      return;
    }
    this.writeSome(pending);
  }

  override _final(callback: (err?: Error | null) => void): void {
    if (this.connecting || !this.conn) {
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
    this.host.unref(this);
    callback(err);
    process.nextTick(() => this.emit('close', err !== null && err !== undefined));
  }

  // --- internals -------------------------------------------------------------------------

  private configure(patch: Partial<ConnectionConfig>): void {
    Object.assign(this.configPatch, patch);
    if (this.conn && this.state !== 'CLOSED') this.conn.configure(patch);
  }

  private onConnected(): void {
    this.connecting = false;
    this.emit('connect');
    this.emit('ready');
    if (this.pendingWrite) this.writeSome(this.pendingWrite);
    if (this.finalCallback && !this.pendingWrite) {
      const cb = this.finalCallback;
      this.finalCallback = undefined;
      this.shutdownNow(cb);
    }
    this.host.schedule();
  }

  private writeSome(pending: PendingWrite): void {
    const conn = this.conn;
    if (!conn) return;
    let accepted: number;
    try {
      accepted = pending.data.byteLength === 0 ? 0 : conn.send(pending.data);
    } catch (e) {
      this.pendingWrite = undefined;
      if (e instanceof TcpUsageError) {
        pending.callback(netError('EPIPE', 'write'));
        return;
      }
      throw e;
    }
    this.written += accepted;
    if (accepted > 0) this.host.schedule();
    if (accepted === pending.data.byteLength) {
      this.pendingWrite = undefined;
      pending.callback();
      if (this.finalCallback) {
        const cb = this.finalCallback;
        this.finalCallback = undefined;
        this.shutdownNow(cb);
      }
    } else {
      this.pendingWrite = { data: pending.data.subarray(accepted), callback: pending.callback };
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
    callback();
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
