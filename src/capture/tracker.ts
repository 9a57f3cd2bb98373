/**
 * All the connections of a capture: frames decoded (decode.ts), TCP packets routed to their
 * connection by 4-tuple, and a new connection begun when a SYN with a new initial sequence
 * number arrives on ports whose previous connection ended (or was only seen mid-stream).
 */

import { endpointText } from '../util/address-text.js';
import { Connection, type ConnectionOptions, otherSide } from './connection.js';
import { ACK, decodeFrame, type SkipReason, SYN, type TcpPacket } from './decode.js';
import type { Frame } from './frame.js';

/**
 * The connections by 4-tuple, both directions alike: an open-addressing hash table of
 * connection numbers, keyed by numbers (IPv4 address * 65536 + port for each endpoint, the
 * lower first) or, for IPv6, the 36 bytes of the two endpoints. No key is a string and no
 * lookup allocates: this runs once per packet.
 */
class TupleTable {
  private slots = new Int32Array(1024);
  private used = 0;
  /** Per connection number: its endpoints, the lower first (IPv4), or their bytes (IPv6). */
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  private readonly key6: Array<Uint8Array | undefined> = [];
  /** The IPv6 key of the packet last looked up. */
  private readonly scratch = new Uint8Array(36);

  /** The connection number for this packet's tuple (the latest connection on it), or -1. */
  find(p: TcpPacket): number {
    const h = this.hash(p);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const n = this.slots[i] - 1;
      if (n < 0) return -1;
      if (this.matches(n, p)) return n;
    }
  }

  /** Makes `n` the connection for this packet's tuple (a new one, or one that replaces the old). */
  set(p: TcpPacket, n: number): void {
    const h = this.hash(p);
    this.remember(n, p);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const m = this.slots[i] - 1;
      if (m < 0) {
        this.slots[i] = n + 1;
        if (++this.used * 2 > this.slots.length) this.grow();
        return;
      }
      if (this.matches(m, p)) {
        this.slots[i] = n + 1;
        return;
      }
    }
  }

  private remember(n: number, p: TcpPacket): void {
    if (p.version === 4) {
      const s = p.srcNum * 65536 + p.sport;
      const d = p.dstNum * 65536 + p.dport;
      this.lo[n] = Math.min(s, d);
      this.hi[n] = Math.max(s, d);
    } else {
      this.lo[n] = -1;
      this.hi[n] = -1;
      this.key6[n] = this.scratch.slice();
    }
  }

  private matches(n: number, p: TcpPacket): boolean {
    if (p.version === 4) {
      const s = p.srcNum * 65536 + p.sport;
      const d = p.dstNum * 65536 + p.dport;
      return s <= d ? this.lo[n] === s && this.hi[n] === d : this.lo[n] === d && this.hi[n] === s;
    }
    const k = this.key6[n];
    if (k === undefined) return false;
    const x = this.scratch;
    for (let i = 0; i < 36; i++) if (k[i] !== x[i]) return false;
    return true;
  }

  /** The tuple's hash; for IPv6 it also fills `scratch` with the key. */
  private hash(p: TcpPacket): number {
    if (p.version === 4) {
      const srcFirst = p.srcNum < p.dstNum || (p.srcNum === p.dstNum && p.sport <= p.dport);
      const a = srcFirst ? p.srcNum : p.dstNum;
      const b = srcFirst ? p.dstNum : p.srcNum;
      const ports = srcFirst ? p.sport * 65536 + p.dport : p.dport * 65536 + p.sport;
      return mix(mix(mix(0x2545f491, a), b), ports);
    }
    const d = p.bytes;
    const x = this.scratch;
    let srcFirst = p.sport <= p.dport;
    for (let i = 0; i < 16; i++) {
      const u = d[p.srcAt + i];
      const v = d[p.dstAt + i];
      if (u !== v) {
        srcFirst = u < v;
        break;
      }
    }
    const loAt = srcFirst ? p.srcAt : p.dstAt;
    const hiAt = srcFirst ? p.dstAt : p.srcAt;
    const loPort = srcFirst ? p.sport : p.dport;
    const hiPort = srcFirst ? p.dport : p.sport;
    for (let i = 0; i < 16; i++) {
      x[i] = d[loAt + i];
      x[16 + i] = d[hiAt + i];
    }
    x[32] = loPort >> 8;
    x[33] = loPort & 0xff;
    x[34] = hiPort >> 8;
    x[35] = hiPort & 0xff;
    let h = 0x2545f491;
    for (let i = 0; i < 36; i += 4)
      h = mix(h, (x[i] << 24) | (x[i + 1] << 16) | (x[i + 2] << 8) | x[i + 3]);
    return h;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (const v of old) {
      if (v === 0) continue;
      let i = this.rehash(v - 1) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = v;
    }
  }

  /** The hash of connection `n`'s stored key (as `hash` gives it for its packets). */
  private rehash(n: number): number {
    const k = this.key6[n];
    if (k === undefined) {
      const lo = this.lo[n];
      const hi = this.hi[n];
      const ports = (lo % 65536) * 65536 + (hi % 65536);
      return mix(mix(mix(0x2545f491, Math.floor(lo / 65536)), Math.floor(hi / 65536)), ports);
    }
    let h = 0x2545f491;
    for (let i = 0; i < 36; i += 4)
      h = mix(h, (k[i] << 24) | (k[i + 1] << 16) | (k[i + 2] << 8) | k[i + 3]);
    return h;
  }
}

/** One round of a multiplicative hash (the golden-ratio constant, then a shift to mix it down). */
function mix(h: number, v: number): number {
  const x = Math.imul(h ^ v, 0x9e3779b1);
  return x ^ (x >>> 15);
}

/** What a connection is known by before its report: its number and `addr:port` of a and b. */
export interface ConnectionId {
  id: number;
  a: string;
  b: string;
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
  /** The last packet's time, kept as a number field (a store of it allocates nothing). */
  private latest = 0;
  private readonly table = new TupleTable();
  private readonly options: ConnectionOptions;

  private readonly segmentsFor: ((c: ConnectionId) => boolean) | undefined;

  constructor(
    options: {
      keepSegments?: number;
      totalSegments?: number;
      segmentsFor?: (c: ConnectionId) => boolean;
    } = {},
  ) {
    this.segmentsFor = options.segmentsFor;
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
    this.latest = p.timeMs;
    const n = this.table.find(p);
    let c = n < 0 ? undefined : this.connections[n];
    if (c && (p.flags & (SYN | ACK)) === SYN && this.startsAnew(c, p)) {
      const previous = c;
      c = this.open(p);
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
      c = this.open(p);
    }
    c.handle(p);
  }

  get lastTime(): number | undefined {
    return this.firstTime === undefined ? undefined : this.latest;
  }

  private open(p: TcpPacket): Connection {
    const c = new Connection(this.connections.length + 1, p, this.options);
    if (this.segmentsFor) {
      const { a, b } = c.sides;
      const id = {
        id: c.id,
        a: endpointText(a.stats.address, a.stats.port),
        b: endpointText(b.stats.address, b.stats.port),
      };
      if (!this.segmentsFor(id)) c.keepNoSegments();
    }
    this.table.set(p, this.connections.length);
    this.connections.push(c);
    return c;
  }

  /** A SYN on known ports: a new connection unless it is a retransmission or a simultaneous open. */
  private startsAnew(c: Connection, p: TcpPacket): boolean {
    const sender = c.sides[c.sideOf(p)].stats;
    if (sender.iss !== undefined) return sender.iss !== p.seq;
    return c.midStream || c.ended();
  }
}
