/**
 * All the connections of a capture: frames decoded (decode.ts), TCP packets routed to their
 * connection by 4-tuple, and a new connection begun when a SYN with a new initial sequence
 * number arrives on ports whose previous connection ended (or was only seen mid-stream).
 */

import { Connection, type ConnectionOptions, otherSide } from './connection.js';
import { ACK, decodeFrame, type SkipReason, SYN, type TcpPacket } from './decode.js';
import type { Frame } from './frame.js';

type TupleKey = string | readonly [number, number];

/** Both directions of a connection give the same key. */
function tupleKey(p: TcpPacket): TupleKey {
  if (p.version === 4) {
    const s = p.srcNum * 65536 + p.sport;
    const d = p.dstNum * 65536 + p.dport;
    return s <= d ? [s, d] : [d, s];
  }
  return p.src < p.dst || (p.src === p.dst && p.sport <= p.dport)
    ? `${p.src} ${p.sport} ${p.dst} ${p.dport}`
    : `${p.dst} ${p.dport} ${p.src} ${p.sport}`;
}

export interface CaptureCounts {
  frames: number;
  tcp: number;
  skipped: Record<SkipReason, number>;
}

export class ConnectionTracker {
  readonly connections: Connection[] = [];
  readonly counts: CaptureCounts = {
    frames: 0,
    tcp: 0,
    skipped: {
      'not-ip': 0,
      'not-tcp': 0,
      fragment: 0,
      truncated: 0,
      'bad-header': 0,
      'unsupported-linktype': 0,
    },
  };
  firstTime: number | undefined;
  lastTime: number | undefined;
  /** IPv4 by numbers (the lower endpoint, then the higher, each address * 65536 + port); IPv6 by text. */
  private readonly byTuple4 = new Map<number, Map<number, Connection>>();
  private readonly byTuple6 = new Map<string, Connection>();
  private readonly options: ConnectionOptions;

  constructor(options: { keepSegments?: number; totalSegments?: number } = {}) {
    this.options = {
      keepSegments: options.keepSegments ?? 10_000,
      budget: { left: options.totalSegments ?? 1_000_000 },
    };
  }

  frame(f: Frame): void {
    this.counts.frames++;
    const d = decodeFrame(f);
    if (!d.ok) {
      this.counts.skipped[d.reason]++;
      return;
    }
    this.packet(d.packet);
  }

  packet(p: TcpPacket): void {
    this.counts.tcp++;
    this.firstTime ??= p.timeMs;
    this.lastTime = p.timeMs;
    const key = tupleKey(p);
    let c = this.lookup(key);
    if (c && (p.flags & (SYN | ACK)) === SYN && this.startsAnew(c, p)) {
      const previous = c;
      c = this.open(key, p);
      const receiver = otherSide(previous.sideOf(p));
      const tw = previous.changes(receiver).find((ch) => ch.to === 'TIME_WAIT');
      const senderTw = previous.changes(previous.sideOf(p)).find((ch) => ch.to === 'TIME_WAIT');
      if (previous.stateOf(receiver) === 'TIME_WAIT' && tw) {
        previous.newSyn(receiver, p.timeMs);
        c.reuse = { previous: previous.id, side: receiver, sinceTimeWait: p.timeMs - tw.time };
      } else if (previous.stateOf(previous.sideOf(p)) === 'TIME_WAIT' && senderTw) {
        c.reuse = {
          previous: previous.id,
          side: previous.sideOf(p),
          sinceTimeWait: p.timeMs - senderTw.time,
        };
      }
      previous.reusedAt = p.timeMs;
    } else if (!c) {
      c = this.open(key, p);
    }
    c.handle(p);
  }

  private lookup(key: TupleKey): Connection | undefined {
    return typeof key === 'string'
      ? this.byTuple6.get(key)
      : this.byTuple4.get(key[0])?.get(key[1]);
  }

  private open(key: TupleKey, p: TcpPacket): Connection {
    const c = new Connection(this.connections.length + 1, p, this.options);
    this.connections.push(c);
    if (typeof key === 'string') {
      this.byTuple6.set(key, c);
    } else {
      let inner = this.byTuple4.get(key[0]);
      if (!inner) {
        inner = new Map();
        this.byTuple4.set(key[0], inner);
      }
      inner.set(key[1], c);
    }
    return c;
  }

  /** A SYN on known ports: a new connection unless it is a retransmission or a simultaneous open. */
  private startsAnew(c: Connection, p: TcpPacket): boolean {
    const sender = c.sides[c.sideOf(p)].stats;
    if (sender.iss !== undefined) return sender.iss !== p.seq;
    return c.midStream || c.ended();
  }
}
