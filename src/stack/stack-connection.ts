/**
 * The handles a Stack gives: one per connection (`stack.connect()`, `listener.accept()`).
 *
 * Its user commands (`send`, `read`, `shutdown`, `close`, `abort`, `configure`) call the
 * Connection and put the connection on the stack's service list, so the stack's next
 * `pollTransmit`/`pollEvent` drains that connection alone: the engine never calls up, and the
 * stack never scans its connections. Getters read the Connection, plus two facts the stack kept
 * from its events: `ended` (the peer's FIN arrived) and `closeReason`.
 *
 * The handle is also the stack's demux entry for the connection (4-tuple key, deadline,
 * listener), so a connection costs one extra object, not two.
 */
import type { Endpoint, TcpState } from '../state/states.js';
import type { Connection, ConnectionInfo } from '../tcp/connection.js';
import type { CloseReason, ConnectionConfig, ConnectionStats, TimerKind } from '../tcp/types.js';
import { addressOfKey6 } from './address.js';
import type { RemoteKey } from './demux.js';

export class StackConnection {
  /** @internal The stack's next deadline for it (DeadlineHeap). */
  deadline: number | undefined = undefined;
  /** @internal The listener that created it, until it is accepted or dies. */
  listener: ListenerImpl | undefined;
  /** @internal In the listener's accept queue (or taken from it). */
  queued = false;
  /** @internal A `readable` / `writable` event is queued and not yet polled. */
  readableQueued = false;
  writableQueued = false;
  /** @internal The remote IPv6 address (undefined for IPv4 peers, also mapped ones). */
  readonly remote6: Uint8Array | undefined;
  private peerEnded = false;
  private reason: CloseReason | undefined = undefined;

  /** @internal Made by the Stack only. */
  constructor(
    /** @internal */ readonly conn: Connection,
    /**
     * @internal The demux key: for IPv4 remote address * 2^16 + remote port, for IPv6 a
     * 9-character string (address.ts).
     */ readonly key: RemoteKey,
    listener: ListenerImpl | undefined,
    private readonly serviceList: Set<StackConnection>,
  ) {
    this.listener = listener;
    this.remote6 = typeof key === 'string' ? addressOfKey6(key) : undefined;
  }

  // --- user commands: each one marks the connection for service ---

  /** Queues data; returns how many bytes fit in the send buffer (Connection.send). */
  send(data: Uint8Array): number {
    return this.serviced(() => this.conn.send(data));
  }

  /** Takes up to `max` bytes of in-order received data (empty when none). */
  read(max?: number): Uint8Array {
    const out = this.conn.read(max);
    // Reading may open the window (a window update to send); reading nothing changes nothing.
    if (out.byteLength > 0) this.serviceList.add(this);
    return out;
  }

  /** Closes the sending side (FIN after queued data). */
  shutdown(now: number): void {
    this.serviced(() => this.conn.shutdown(now));
  }

  /** Full close (Connection.close: RST when received data is left unread). */
  close(now: number): void {
    this.serviced(() => this.conn.close(now));
  }

  /** Sends RST where the state has a peer, and ends with reason `aborted`. */
  abort(now: number): void {
    this.serviced(() => this.conn.abort(now));
  }

  /** Changes settings that real sockets can change later (nagle, keepalive, userTimeout, …). */
  configure(patch: Partial<ConnectionConfig>): void {
    this.serviced(() => this.conn.configure(patch));
  }

  /** Runs a user command, then puts the connection on the service list (even if it threw). */
  private serviced<T>(command: () => T): T {
    try {
      return command();
    } finally {
      this.serviceList.add(this);
    }
  }

  // --- getters ---

  get state(): TcpState {
    return this.conn.state;
  }
  get local(): Endpoint {
    return this.conn.local;
  }
  get remote(): Endpoint {
    return this.conn.remote;
  }
  /** netstat Send-Q: bytes sent but not acknowledged, plus bytes queued. */
  get sendQueue(): number {
    return this.conn.sendQueue;
  }
  /** netstat Recv-Q: bytes received in order and not yet read. */
  get recvQueue(): number {
    return this.conn.recvQueue;
  }
  get stats(): ConnectionStats {
    return this.conn.stats;
  }
  info(): ConnectionInfo {
    return this.conn.info();
  }
  activeTimer(): { kind: TimerKind; deadline: number } | undefined {
    return this.conn.activeTimer();
  }
  /** The peer's FIN has arrived (the `end` event was reported). */
  get ended(): boolean {
    return this.peerEnded;
  }
  /** Why the connection reached CLOSED (the `closed` event's reason), once it has. */
  get closeReason(): CloseReason | undefined {
    return this.reason;
  }

  /** @internal The stack forwarded the `end` event. */
  markEnded(): void {
    this.peerEnded = true;
  }
  /** @internal The stack forwarded the `closed` event. */
  markClosed(reason: CloseReason): void {
    this.reason = reason;
  }
}

// --- listeners: kept beside the handles, since each holds the other (SYN and accept queues) ---

/**
 * A listening port of a Stack: its SYN queue (handshakes in progress) and its accept queue
 * (established connections not yet accepted), as Linux keeps them.
 */
export interface Listener {
  readonly port: number;
  /** The address it is bound to: `0.0.0.0`, `::`, or one of the stack's addresses. */
  readonly address: string;
  /** IPV6_V6ONLY: an IPv6 listener on `::` that takes no IPv4 connections. */
  readonly v6only: boolean;
  readonly backlog: number;
  /** Takes the next established connection from the accept queue. */
  accept(): StackConnection | undefined;
  /** Connections waiting in the accept queue. */
  readonly acceptQueueLength: number;
  /** Handshakes in progress (SYN_RECV children). */
  readonly synQueueLength?: number;
  /** Stops listening; queued connections not yet accepted are reset. */
  close(now: number): void;
  /** Changes the settings of connections it opens from now on (TCP_MAXSEG on a listener). */
  configure(patch: Partial<ConnectionConfig>): void;
}

export class ListenerImpl implements Listener {
  readonly acceptQueue: StackConnection[] = [];
  readonly synQueue = new Set<StackConnection>();
  open = true;

  constructor(
    private readonly onClose: (now: number, listener: ListenerImpl) => void,
    readonly port: number,
    readonly backlog: number,
    public config: Partial<ConnectionConfig> | undefined,
    readonly address: string,
    /** Which packets it takes: IPv4 ones, IPv6 ones (both for `::` without v6only). */
    readonly v4: boolean,
    readonly v6: boolean,
    /** An IPv6 socket: its IPv4 connections name both ends `::ffff:a.b.c.d`. */
    readonly mapped: boolean,
    readonly v6only: boolean,
  ) {}

  /**
   * The local end of its connections, one object per local address text (nothing writes an
   * endpoint): a listener's thousands of connections share it instead of one each.
   */
  localEndpoint(address: string): Endpoint {
    let e = this.locals.get(address);
    if (e === undefined) {
      e = Object.freeze({ address, port: this.port });
      this.locals.set(address, e);
    }
    return e;
  }

  private readonly locals = new Map<string, Endpoint>();

  get acceptQueueLength(): number {
    return this.acceptQueue.length;
  }

  configure(patch: Partial<ConnectionConfig>): void {
    this.config = { ...this.config, ...patch };
  }

  get synQueueLength(): number {
    return this.synQueue.size;
  }

  accept(): StackConnection | undefined {
    const entry = this.acceptQueue.shift();
    if (entry === undefined) return undefined;
    entry.listener = undefined;
    entry.queued = false;
    return entry;
  }

  close(now: number): void {
    if (!this.open) return;
    this.open = false;
    this.onClose(now, this);
  }
}
