/**
 * All the connections of a capture: frames decoded (decode.ts), TCP packets routed to their
 * connection by 4-tuple, and a new connection begun when a SYN with a new initial sequence
 * number arrives on ports whose previous connection ended (or was only seen mid-stream).
 */

import { Connection, type ConnectionOptions, otherSide } from './connection.js';
import { ACK, decodeFrame, type SkipReason, SYN, type TcpPacket } from './decode.js';
import type { Frame } from './frame.js';

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
  private readonly byTuple = new Map<string, Connection>();
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
    const key =
      p.src < p.dst || (p.src === p.dst && p.sport <= p.dport)
        ? `${p.src} ${p.sport} ${p.dst} ${p.dport}`
        : `${p.dst} ${p.dport} ${p.src} ${p.sport}`;
    let c = this.byTuple.get(key);
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

  private open(key: string, p: TcpPacket): Connection {
    const c = new Connection(this.connections.length + 1, p, this.options);
    this.connections.push(c);
    this.byTuple.set(key, c);
    return c;
  }

  /** A SYN on known ports: a new connection unless it is a retransmission or a simultaneous open. */
  private startsAnew(c: Connection, p: TcpPacket): boolean {
    const sender = c.sides[c.sideOf(p)].stats;
    if (sender.iss !== undefined) return sender.iss !== p.seq;
    return c.midStream || c.ended();
  }
}
