/**
 * What a Stack reports upward (`Stack.pollEvent()`): every event of every connection, with the
 * connection it belongs to, listener events, and dropped packets with a typed reason. Layers
 * above read these; none of them re-derives what the engine knew from states or cause text.
 */
import type { TransitionEvent } from '../state/events.js';
import type { CloseReason } from '../tcp/types.js';
import type { StackConnection } from './stack-connection.js';

/** Why the stack dropped a packet that no listener was involved in. */
export type PacketDropReason =
  /** The TCP checksum is wrong. */
  | 'bad-checksum'
  /** The IPv4 or TCP header cannot be parsed (truncated, bad offset, …; see `detail`). */
  | 'malformed'
  /** Addressed to another host. */
  | 'not-for-us'
  /** An IP protocol the stack does not handle (anything but TCP and ICMP echo). */
  | 'unsupported-protocol'
  /** No connection and no listener for it (answered with RST, unless it was one; RFC 9293 3.10.7.1). */
  | 'no-listener';

/** Why a listener dropped a segment (RFC 9293 3.10.7.2, and the queues of Linux). */
export type ListenerDropReason =
  /** The accept queue is full: a SYN, or the handshake's last ACK, is dropped. */
  | 'accept-queue-full'
  /** As many handshakes in progress as the backlog: a SYN is dropped. */
  | 'syn-queue-full'
  /** An ACK to a listener (answered with RST). */
  | 'ack-to-listener'
  /** Neither SYN nor RST nor ACK. */
  | 'not-syn'
  /** SYN and FIN together, with `dropSynFin` on. */
  | 'syn-fin'
  /** A handshake ACK whose SYN cookie is older than its validity (RFC 4987 3.6): dropped. */
  | 'syn-cookie-stale'
  /** A handshake ACK whose SYN cookie is not one of ours (forged or for another tuple): dropped. */
  | 'syn-cookie-bad';

export type DropReason = PacketDropReason | ListenerDropReason;

export type StackEvent =
  /** A connection changed state (cause always set). */
  | { type: 'transition'; conn: StackConnection; event: TransitionEvent }
  /** New in-order data can be read (coalesced until this event is polled). */
  | { type: 'readable'; conn: StackConnection }
  /** The peer's FIN has arrived: after the buffered data, read() returns no more. */
  | { type: 'end'; conn: StackConnection }
  /** Send-buffer space was freed after a send() that could not take everything (coalesced). */
  | { type: 'writable'; conn: StackConnection }
  /** The connection reached CLOSED, and why; it is out of the demux table, no event follows. */
  | { type: 'closed'; conn: StackConnection; reason: CloseReason }
  /**
   * A connection's path MTU changed (RFC 1191, RFC 8201): an ICMP report lowered it, another
   * connection to the host learned it, or a learned one expired; `mss` is the payload per
   * segment it now sends.
   */
  | { type: 'path-mtu'; conn: StackConnection; mtu: number; mss: number }
  /** A listener has a connection ready for accept(). */
  | { type: 'acceptable'; port: number }
  /** A listener dropped a segment. */
  | { type: 'drop'; reason: ListenerDropReason; port: number; detail: string }
  /** The stack dropped a packet. */
  | { type: 'drop'; reason: PacketDropReason; detail: string };
