/**
 * TEST DOUBLE of stack/'s Stack, for the net/ tests only, used while the real Stack is not
 * implemented: real Connections (tcp/) and real packets (wire/), with the least demultiplexing
 * that lets two of them talk — a listener table, a 4-tuple map, RST for strays, and the
 * transition/acceptable events net/ consumes. No ISN secret, no TIME_WAIT reuse, no counters.
 */
import type { Listener, StackEvent, StackOptions } from '../../src/stack/stack.js';
import type { Endpoint } from '../../src/state/states.js';
import { Connection } from '../../src/tcp/connection.js';
import { emitPacket, parsePacket } from '../../src/wire/index.js';
import type { TcpSegment } from '../../src/wire/types.js';

export class ConnStack {
  readonly address: string;
  private readonly events: StackEvent[] = [];
  private readonly out: Uint8Array[] = [];
  private readonly conns = new Map<string, Connection>();
  private readonly listeners = new Map<number, Connection[]>();
  private nextPort = 40000;

  constructor(private readonly opts: StackOptions) {
    this.address = opts.address;
  }

  listen(port: number, o: { backlog?: number } = {}): Listener {
    if (this.listeners.has(port)) throw new Error(`port ${port} in use`);
    const queue: Connection[] = [];
    this.listeners.set(port, queue);
    return {
      port,
      backlog: o.backlog ?? 128,
      accept: () => queue.shift(),
      get acceptQueueLength() {
        return queue.length;
      },
      close: () => {
        this.listeners.delete(port);
      },
    };
  }

  connect(now: number, remote: Endpoint, o: { localPort?: number } = {}): Connection {
    const local = { address: this.address, port: o.localPort ?? this.nextPort++ };
    const c = Connection.connect(now, {
      local,
      remote,
      iss: this.opts.rng.nextU32(),
      config: this.opts.config,
    });
    this.conns.set(key(local.port, remote), c);
    this.drain(now, c);
    return c;
  }

  handlePacket(now: number, bytes: Uint8Array): void {
    const parsed = parsePacket(bytes);
    if (!parsed.ok) return;
    const { ip, tcp } = parsed.value;
    const remote = { address: ip.src, port: tcp.srcPort };
    let c = this.conns.get(key(tcp.dstPort, remote));
    if (!c && tcp.flags.syn && !tcp.flags.ack && this.listeners.has(tcp.dstPort)) {
      const local = { address: this.address, port: tcp.dstPort };
      c = Connection.acceptSyn(now, tcp, {
        local,
        remote,
        iss: this.opts.rng.nextU32(),
        config: this.opts.config,
      });
      this.conns.set(key(tcp.dstPort, remote), c);
    } else if (!c) {
      if (!tcp.flags.rst) this.out.push(this.rstFor(ip.src, tcp));
      return;
    } else {
      c.handleSegment(now, tcp);
    }
    this.drain(now, c);
  }

  pollTransmit(now: number): Uint8Array | undefined {
    if (this.out.length === 0) for (const c of [...this.conns.values()]) this.drain(now, c);
    return this.out.shift();
  }

  pollEvent(): StackEvent | undefined {
    return this.events.shift();
  }

  pollTimeout(): number | undefined {
    let min: number | undefined;
    for (const c of this.conns.values()) {
      const t = c.pollTimeout();
      if (t !== undefined && (min === undefined || t < min)) min = t;
    }
    return min;
  }

  handleTimeout(now: number): void {
    for (const c of [...this.conns.values()]) {
      const t = c.pollTimeout();
      if (t !== undefined && now >= t) {
        c.handleTimeout(now);
        this.drain(now, c);
      }
    }
  }

  snapshot(): [] {
    return [];
  }

  private drain(now: number, c: Connection): void {
    for (let s = c.pollTransmit(now); s; s = c.pollTransmit(now)) {
      this.out.push(emitPacket({ src: c.local.address, dst: c.remote.address }, s));
    }
    for (let e = c.pollEvent(); e; e = c.pollEvent()) {
      if (e.type === 'state') {
        const connection = { local: c.local, remote: c.remote };
        this.events.push({
          type: 'transition',
          event: { time: e.time, connection, from: e.from, to: e.to, cause: e.cause },
        });
        const queue = this.listeners.get(c.local.port);
        if (e.from === 'SYN_RECV' && e.to === 'ESTABLISHED' && queue) {
          queue.push(c);
          this.events.push({ type: 'acceptable', port: c.local.port });
        }
      } else if (e.type === 'closed') {
        this.conns.delete(key(c.local.port, c.remote));
      }
    }
  }

  /** RFC 9293 3.10.7.1: the reset for a segment that matches no connection. */
  private rstFor(to: string, seg: TcpSegment): Uint8Array {
    const len = seg.payload.byteLength + (seg.flags.syn ? 1 : 0) + (seg.flags.fin ? 1 : 0);
    const flags = {
      fin: false,
      syn: false,
      rst: true,
      psh: false,
      ack: !seg.flags.ack,
      urg: false,
      ece: false,
      cwr: false,
    };
    return emitPacket(
      { src: this.address, dst: to },
      {
        srcPort: seg.dstPort,
        dstPort: seg.srcPort,
        seq: seg.flags.ack ? seg.ack : 0,
        ack: seg.flags.ack ? 0 : (seg.seq + len) >>> 0,
        flags,
        window: 0,
        urgentPointer: 0,
        options: [],
        payload: new Uint8Array(0),
      },
    );
  }
}

function key(localPort: number, remote: Endpoint): string {
  return `${localPort}|${remote.address}|${remote.port}`;
}
