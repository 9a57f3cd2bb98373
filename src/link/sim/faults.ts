/**
 * The one fault type of the simulated network, for one direction of a link. Every user of the
 * simulator (tests, `tcpstate sim`, the browser, benchmarks) speaks these names:
 *
 * - `latency`: one-way delay, ms;
 * - `jitter`: extra delay, uniform in [0, jitter) ms, so packets may overtake each other (netem);
 * - `loss`: probability that a packet vanishes on the wire;
 * - `duplicate`: probability that it arrives twice (the copy `max(1, jitter)` ms later);
 * - `reorder`: probability that it is held back by `reorderDelay` ms (0: `max(1, latency)`) so
 *   later ones overtake it;
 * - `corrupt`: probability that one bit past the IP header flips (the receiver's TCP checksum
 *   catches it);
 * - `bandwidth` (bytes per ms, 0: unlimited; 125 = 1 Mbit/s) and `queueLimit` (packets waiting
 *   for the wire; more are tail-dropped);
 * - `ceThreshold` (packets waiting, 0: off): an ECN-capable packet (ECT) that finds at least
 *   this many ahead of it in the queue is marked CE instead (RFC 3168 5, a step AQM as DCTCP's
 *   K), so the senders slow down before the queue overflows.
 * - `mtu` (bytes, 0: no limit): the largest IP packet a narrower link in the middle of the path
 *   carries (a tunnel, a PPPoE hop). Its router drops a larger one and answers the sender, from
 *   a router address, with ICMP fragmentation needed (RFC 1191; IPv4 with DF set, which this
 *   project's stack always sets) or ICMPv6 packet too big (RFC 8201), giving the MTU: what Path
 *   MTU discovery learns from. A larger IPv4 packet without DF is dropped silently (the
 *   simulator does not fragment).
 *
 * Besides these settings a direction can be cut (`partition`, timed; `cut`/`heal`, toggled) and
 * can drop the next packets with given TCP flags (`drop`: "the next FIN from a"). `Fault` is the
 * one way to change any of them.
 */

/** The standing settings of one direction. Probabilities are in [0, 1]; times in ms. */
export interface LinkFaults {
  latency: number;
  jitter: number;
  loss: number;
  duplicate: number;
  reorder: number;
  reorderDelay: number;
  corrupt: number;
  bandwidth: number;
  queueLimit: number;
  ceThreshold: number;
  mtu: number;
}

export const NO_FAULTS: Readonly<LinkFaults> = {
  latency: 0,
  jitter: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelay: 0,
  corrupt: 0,
  bandwidth: 0,
  queueLimit: 1000,
  ceThreshold: 0,
  mtu: 0,
};

/** TCP flag names as `formatFlags` writes them. */
export type TcpFlagName = 'SYN' | 'FIN' | 'RST' | 'PSH' | 'ACK' | 'URG' | 'ECE' | 'CWR';

/** A change to one direction of a link, from the instant it is applied. */
export type Fault =
  /** Changes some settings; the others keep their value. */
  | { kind: 'set'; faults: Partial<LinkFaults> }
  /** Drops everything sent during [from, to) (to: Infinity for good). */
  | { kind: 'partition'; from: number; to: number }
  /** Drops everything sent from now until a `heal`. */
  | { kind: 'cut' }
  /** Ends every partition in force now. */
  | { kind: 'heal' }
  /** Drops the next `count` TCP packets whose flags include all of `flags`. */
  | { kind: 'drop'; flags: readonly TcpFlagName[]; count: number };

/**
 * What happened to a packet handed to a link. `dropped` is a scripted drop; `queue-drop` a tail
 * drop at a full bandwidth queue; `too-big` a drop for the `mtu` setting (answered with ICMP);
 * `unroutable` means no link leads to its destination.
 */
export type PacketFate =
  | 'delivered'
  | 'lost'
  | 'duplicated'
  | 'corrupted'
  | 'queue-drop'
  | 'too-big'
  | 'partitioned'
  | 'dropped'
  | 'unroutable';
