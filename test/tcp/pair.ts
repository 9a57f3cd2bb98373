/**
 * Two Connections wired back to back: what one sends, the other receives after `latency` ms
 * (unless a filter drops it). Time advances to the next delivery or deadline, as a simulator
 * would, so tests read as a story: connect, drive, assert.
 */
import type { TcpState } from '../../src/state/states.js';
import { Connection } from '../../src/tcp/connection.js';
import type { ConnectionConfig, ConnectionEvent } from '../../src/tcp/types.js';
import type { TcpSegment } from '../../src/wire/types.js';
import { flagsOf } from './helpers.js';

export type Side = 'a' | 'b';

export interface InFlight {
  at: number;
  to: Side;
  seg: TcpSegment;
}

export interface PairOptions {
  latency?: number;
  config?: Partial<ConnectionConfig>;
  configA?: Partial<ConnectionConfig>;
  configB?: Partial<ConnectionConfig>;
  /** Initial sequence numbers (defaults 1,000,000 and 5,000,000). */
  issA?: number;
  issB?: number;
}

export const A = { address: '10.0.0.1', port: 40000 };
export const B = { address: '10.0.0.2', port: 80 };

export class Pair {
  now = 0;
  a: Connection | undefined;
  b: Connection | undefined;
  readonly latency: number;
  readonly flight: InFlight[] = [];
  /** Every segment sent, for asserting on the exchange: "a>b S. seq.. ack.." */
  readonly log: Array<{ at: number; from: Side; seg: TcpSegment }> = [];
  readonly eventsOf: Record<Side, ConnectionEvent[]> = { a: [], b: [] };
  /** Return false to drop a segment on its way. */
  filter: (from: Side, seg: TcpSegment) => boolean = () => true;
  /** Data read so far by each side (read after every step), as chunks; see `bytes()`. */
  readonly chunks: Record<Side, Uint8Array[]> = { a: [], b: [] };
  readonly receivedLength: Record<Side, number> = { a: 0, b: 0 };
  autoRead: Record<Side, boolean> = { a: true, b: true };

  constructor(readonly opts: PairOptions = {}) {
    this.latency = opts.latency ?? 10;
  }

  configOf(side: Side): Partial<ConnectionConfig> {
    return { ...this.opts.config, ...(side === 'a' ? this.opts.configA : this.opts.configB) };
  }

  /** a connects; b is created by acceptSyn when the SYN reaches it. */
  connect(): this {
    this.a = Connection.connect(this.now, {
      local: A,
      remote: B,
      iss: this.opts.issA ?? 1_000_000,
      config: this.configOf('a'),
    });
    this.flush();
    return this;
  }

  /** Both sides connect at the same time (simultaneous open). */
  connectBoth(): this {
    this.a = Connection.connect(this.now, {
      local: A,
      remote: B,
      iss: this.opts.issA ?? 1_000_000,
      config: this.configOf('a'),
    });
    this.b = Connection.connect(this.now, {
      local: B,
      remote: A,
      iss: this.opts.issB ?? 5_000_000,
      config: this.configOf('b'),
    });
    this.flush();
    return this;
  }

  conn(side: Side): Connection {
    const c = side === 'a' ? this.a : this.b;
    if (!c) throw new Error(`side ${side} has no connection yet`);
    return c;
  }

  state(side: Side): TcpState | undefined {
    return (side === 'a' ? this.a : this.b)?.state;
  }

  /** Drains both sides' transmissions and events. */
  flush(): void {
    for (const side of ['a', 'b'] as const) {
      const c = side === 'a' ? this.a : this.b;
      if (!c) continue;
      for (let s = c.pollTransmit(this.now); s; s = c.pollTransmit(this.now)) {
        this.log.push({ at: this.now, from: side, seg: s });
        if (this.filter(side, s)) {
          this.flight.push({ at: this.now + this.latency, to: side === 'a' ? 'b' : 'a', seg: s });
        }
      }
      for (let e = c.pollEvent(); e; e = c.pollEvent()) this.eventsOf[side].push(e);
      if (this.autoRead[side]) {
        const d = c.read();
        if (d.byteLength > 0) {
          this.chunks[side].push(d);
          this.receivedLength[side] += d.byteLength;
        }
      }
    }
  }

  /** The next moment something happens, or undefined when all is quiet. */
  next(): number | undefined {
    let t: number | undefined;
    for (const f of this.flight) if (t === undefined || f.at < t) t = f.at;
    for (const c of [this.a, this.b]) {
      const d = c?.pollTimeout();
      if (d !== undefined && (t === undefined || d < t)) t = d;
    }
    return t;
  }

  /** Runs until nothing is left to do or `until` (ms) is reached. */
  run(until = this.now + 600_000): this {
    for (let i = 0; i < 1_000_000; i++) {
      const t = this.next();
      if (t === undefined || t > until) {
        this.now = Math.max(this.now, Math.min(until, t ?? until));
        return this;
      }
      this.now = Math.max(this.now, t);
      this.step();
    }
    throw new Error('pair did not settle');
  }

  /** All bytes `side` has read so far. */
  bytes(side: Side): Uint8Array {
    const out = new Uint8Array(this.receivedLength[side]);
    let off = 0;
    for (const c of this.chunks[side]) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  }

  private step(): void {
    const due: InFlight[] = [];
    const later: InFlight[] = [];
    for (const f of this.flight) (f.at <= this.now ? due : later).push(f);
    this.flight.length = 0;
    this.flight.push(...later);
    for (const f of due) {
      if (f.to === 'b' && !this.b) {
        if (f.seg.flags.syn && !f.seg.flags.ack) {
          this.b = Connection.acceptSyn(this.now, f.seg, {
            local: B,
            remote: A,
            iss: this.opts.issB ?? 5_000_000,
            config: this.configOf('b'),
          });
        }
        continue;
      }
      this.conn(f.to).handleSegment(this.now, f.seg);
    }
    for (const c of [this.a, this.b]) {
      const d = c?.pollTimeout();
      if (c && d !== undefined && d <= this.now) c.handleTimeout(this.now);
    }
    this.flush();
  }

  transitions(side: Side): string[] {
    return this.eventsOf[side].flatMap((e) =>
      e.type === 'state' ? [`${e.from}->${e.to} (${e.cause})`] : [],
    );
  }

  closedReason(side: Side): string | undefined {
    for (const e of this.eventsOf[side]) if (e.type === 'closed') return e.reason;
    return undefined;
  }

  /** The exchange as "a>b FLAGS" strings (flags only), for compact assertions. */
  exchange(): string[] {
    return this.log.map((l) => `${l.from}>${l.from === 'a' ? 'b' : 'a'} ${flagsOf(l.seg)}`);
  }
}
