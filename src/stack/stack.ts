/**
 * A host's TCP/IPv4 stack, sans-IO. CONTRACT SKELETON: the signatures below are the interface
 * other layers (link/, net/, drill/, scenario/) build on; the implementation replaces the bodies.
 *
 * The stack takes and gives whole IPv4 packets. Call order as for Connection: after any input
 * (`handlePacket`, `handleTimeout`, a user call on a Connection or Listener), drain
 * `pollTransmit(now)` and `pollEvent()`, then re-read `pollTimeout()`.
 */
import type { Endpoint, TcpState, TransitionEvent } from '../state/states.js';
import type { Connection } from '../tcp/connection.js';
import type { ConnectionConfig, TimerKind } from '../tcp/types.js';
import type { Rng } from '../util/rng.js';

export interface StackOptions {
  /** This host's IPv4 address (dotted quad). */
  address: string;
  /** Seeded randomness: ISN secret, ephemeral ports. */
  rng: Rng;
  /** Defaults for every connection of this stack. */
  config?: Partial<ConnectionConfig>;
  /** Ephemeral port range, inclusive (Linux ip_local_port_range: 32768-60999). */
  ephemeralPorts?: [number, number];
  /** IPv4 TTL of packets we send (64). */
  ttl?: number;
}

export type StackEvent =
  /** A connection of this stack changed state. */
  | { type: 'transition'; event: TransitionEvent }
  /** A listener has a connection ready for accept(). */
  | { type: 'acceptable'; port: number }
  /** A packet was dropped (bad checksum, not for us, queue full, …). */
  | { type: 'drop'; reason: string };

/** Counters like `netstat -s`. */
export interface StackCounters {
  packetsIn: number;
  packetsOut: number;
  segmentsIn: number;
  segmentsOut: number;
  retransmits: number;
  resetsSent: number;
  resetsReceived: number;
  checksumErrors: number;
  malformed: number;
  notForUs: number;
  activeOpens: number;
  passiveOpens: number;
  attemptFails: number;
  establishedResets: number;
  listenOverflows: number;
  listenDrops: number;
  challengeAcks: number;
  timeWaitReused: number;
}

/** One row of a netstat-style snapshot. */
export interface SocketSnapshot {
  state: TcpState;
  local: Endpoint;
  remote: Endpoint;
  recvQ: number;
  sendQ: number;
  timer: { kind: TimerKind; remaining: number } | undefined;
}

export interface Listener {
  readonly port: number;
  readonly backlog: number;
  /** Takes the next established connection from the accept queue. */
  accept(): Connection | undefined;
  /** Connections waiting in the accept queue. */
  readonly acceptQueueLength: number;
  /** Stops listening; queued connections not yet accepted are reset. */
  close(now: number): void;
}

export declare class Stack {
  constructor(opts: StackOptions);
  readonly address: string;
  readonly counters: StackCounters;
  listen(port: number, opts?: { backlog?: number; config?: Partial<ConnectionConfig> }): Listener;
  /** Active open from an ephemeral (or given) local port. */
  connect(
    now: number,
    remote: Endpoint,
    opts?: { localPort?: number; config?: Partial<ConnectionConfig> },
  ): Connection;
  handlePacket(now: number, packet: Uint8Array): void;
  pollTransmit(now: number): Uint8Array | undefined;
  pollTimeout(): number | undefined;
  handleTimeout(now: number): void;
  pollEvent(): StackEvent | undefined;
  snapshot(now: number): SocketSnapshot[];
}
