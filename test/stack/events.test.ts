/**
 * What `Stack.pollEvent()` reports: every connection event with its handle, listener events and
 * typed drops; and the StackError codes. Two stacks talk over a direct, lossless wire.
 */
import { describe, expect, it } from 'vitest';
import { Stack, type StackConnection, StackError, type StackEvent } from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { flagsFrom } from '../../src/wire/flags.js';
import { emitIpv4 } from '../../src/wire/ipv4.js';
import { emitPacket } from '../../src/wire/packet.js';
import type { TcpSegment } from '../../src/wire/types.js';

const A = '10.0.0.1';
const B = '10.0.0.2';

class Wire {
  now = 0;
  readonly seen = { a: [] as StackEvent[], b: [] as StackEvent[] };
  /** Packets from a to b are lost while this is set. */
  cutAtoB = false;
  constructor(
    readonly a: Stack,
    readonly b: Stack,
  ) {}

  /** Moves packets both ways until quiet, collecting each side's events. */
  pump(): void {
    for (let moved = true; moved; ) {
      moved = false;
      for (let p = this.a.pollTransmit(this.now); p; p = this.a.pollTransmit(this.now)) {
        if (!this.cutAtoB) this.b.handlePacket(this.now, p);
        moved = true;
      }
      for (let p = this.b.pollTransmit(this.now); p; p = this.b.pollTransmit(this.now)) {
        this.a.handlePacket(this.now, p);
        moved = true;
      }
      for (let e = this.a.pollEvent(); e; e = this.a.pollEvent()) this.seen.a.push(e);
      for (let e = this.b.pollEvent(); e; e = this.b.pollEvent()) this.seen.b.push(e);
    }
  }

  /** Jumps to each next deadline until `done` or nothing is left. */
  runUntil(done: () => boolean): void {
    for (let i = 0; i < 10_000 && !done(); i++) {
      const t = Math.min(this.a.pollTimeout() ?? Infinity, this.b.pollTimeout() ?? Infinity);
      if (t === Infinity) return;
      this.now = Math.max(this.now, t);
      this.a.handleTimeout(this.now);
      this.b.handleTimeout(this.now);
      this.pump();
    }
  }
}

/** A SYN to port 80 (from a's address, by the caller's packet). */
function bare(srcPort: number): TcpSegment {
  return {
    srcPort,
    dstPort: 80,
    seq: 1,
    ack: 0,
    flags: flagsFrom('S'),
    window: 65535,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
  };
}

function wire(): Wire {
  return new Wire(
    new Stack({ address: A, rng: new SeededRng(1) }),
    new Stack({ address: B, rng: new SeededRng(2) }),
  );
}

function establish(w: Wire): { client: StackConnection; server: StackConnection } {
  const listener = w.b.listen(80);
  const client = w.a.connect(w.now, { address: B, port: 80 });
  w.pump();
  const server = listener.accept();
  if (server === undefined) throw new Error('no connection');
  return { client, server };
}

/** The types of the events that belong to `conn`, in order. */
function eventsOf(events: StackEvent[], conn: StackConnection): string[] {
  return events.flatMap((e) =>
    'conn' in e && e.conn === conn
      ? [e.type === 'transition' ? `${e.event.from}->${e.event.to}` : e.type]
      : [],
  );
}

function closedReason(events: StackEvent[], conn: StackConnection): string | undefined {
  for (const e of events) if (e.type === 'closed' && e.conn === conn) return e.reason;
  return undefined;
}

describe('connection events, each with its handle', () => {
  it('reports transitions as TransitionEvents with a cause, and acceptable with the port', () => {
    const w = wire();
    const { client } = establish(w);
    const t = w.seen.a.find((e) => e.type === 'transition');
    expect(t).toMatchObject({
      conn: client,
      event: {
        from: 'CLOSED',
        to: 'SYN_SENT',
        cause: 'connect()',
        connection: { local: { address: A, port: client.local.port }, remote: { address: B } },
      },
    });
    expect(w.seen.b).toContainEqual({ type: 'acceptable', port: 80 });
  });

  it('reports readable once per batch until polled, then end and closed (normal)', () => {
    const w = wire();
    const { client, server } = establish(w);
    client.send(new Uint8Array(3000));
    client.send(new Uint8Array(3000));
    w.pump();
    expect(eventsOf(w.seen.b, server).filter((t) => t === 'readable')).toHaveLength(1);
    expect(server.read().byteLength).toBe(6000);
    client.send(new Uint8Array(10));
    w.pump();
    // Nagle holds the small segment until the delayed ACK of the last one.
    w.runUntil(() => server.recvQueue > 0);
    expect(eventsOf(w.seen.b, server).filter((t) => t === 'readable')).toHaveLength(2);
    client.close(w.now);
    w.pump();
    expect(server.ended).toBe(true);
    expect(eventsOf(w.seen.b, server).slice(-2)).toEqual(['end', 'ESTABLISHED->CLOSE_WAIT']);
    server.read();
    server.close(w.now);
    w.pump();
    w.runUntil(() => client.state === 'CLOSED');
    expect(eventsOf(w.seen.b, server).slice(-2)).toEqual(['LAST_ACK->CLOSED', 'closed']);
    expect(closedReason(w.seen.b, server)).toBe('normal');
    expect(closedReason(w.seen.a, client)).toBe('normal');
    expect(server.closeReason).toBe('normal');
  });

  it('reports writable after a send() that did not fit, once ACKs free space', () => {
    const w = new Wire(
      new Stack({ address: A, rng: new SeededRng(1), config: { sendBufferSize: 4096 } }),
      new Stack({ address: B, rng: new SeededRng(2) }),
    );
    const { client } = establish(w);
    const n = client.send(new Uint8Array(10_000));
    expect(n).toBeLessThan(10_000);
    w.pump();
    w.runUntil(() => eventsOf(w.seen.a, client).includes('writable'));
    expect(eventsOf(w.seen.a, client)).toContain('writable');
  });

  it('carries the engine close reason: reset, aborted, refused, timeout', () => {
    const w = wire();
    const { client, server } = establish(w);
    server.abort(w.now);
    w.pump();
    expect(closedReason(w.seen.b, server)).toBe('aborted');
    expect(closedReason(w.seen.a, client)).toBe('reset');

    const refused = w.a.connect(w.now, { address: B, port: 81 });
    w.pump();
    expect(closedReason(w.seen.a, refused)).toBe('refused');

    w.cutAtoB = true;
    const lost = w.a.connect(w.now, { address: B, port: 80 }, { config: { synRetries: 1 } });
    w.pump();
    w.runUntil(() => lost.state === 'CLOSED');
    expect(closedReason(w.seen.a, lost)).toBe('timeout');
    expect(lost.closeReason).toBe('timeout');
  });

  it('services a connection after a call through its handle (no engine callback)', () => {
    const w = wire();
    const { client, server } = establish(w);
    client.send(new Uint8Array([1, 2, 3]));
    // The handle put the connection on the service list: the data goes at the next poll.
    w.pump();
    expect([...server.read()]).toEqual([1, 2, 3]);
  });
});

describe('listener drops, with the port', () => {
  it('reports a full SYN queue (SYN cookies off)', () => {
    const s = new Stack({ address: B, rng: new SeededRng(1), synCookies: 'off' });
    s.listen(80, { backlog: 1 });
    const syn = (port: number) => emitPacket({ src: A, dst: B }, bare(port));
    s.handlePacket(0, syn(40000));
    s.handlePacket(0, syn(40001));
    const drops: StackEvent[] = [];
    for (let e = s.pollEvent(); e; e = s.pollEvent()) if (e.type === 'drop') drops.push(e);
    expect(drops).toEqual([
      { type: 'drop', reason: 'syn-queue-full', port: 80, detail: expect.any(String) },
    ]);
  });
});

describe('stack drops, with a typed reason', () => {
  const reasons = (s: Stack): string[] => {
    const out: string[] = [];
    for (let e = s.pollEvent(); e; e = s.pollEvent()) if (e.type === 'drop') out.push(e.reason);
    return out;
  };

  it('names bad checksums, garbage, other hosts, other protocols and strays', () => {
    const s = new Stack({ address: B, rng: new SeededRng(1) });
    const bad = emitPacket({ src: A, dst: B }, bare(40000));
    bad[bad.length - 1] ^= 0xff;
    bad[30] ^= 0x01;
    s.handlePacket(0, bad);
    s.handlePacket(0, new Uint8Array([0x45, 1, 2]));
    s.handlePacket(0, emitPacket({ src: A, dst: '10.0.0.99' }, bare(40000)));
    s.handlePacket(0, emitIpv4({ src: A, dst: B, protocol: 17 }, new Uint8Array(8)));
    s.handlePacket(0, emitPacket({ src: A, dst: B }, bare(40000)));
    expect(reasons(s)).toEqual([
      'bad-checksum',
      'malformed',
      'not-for-us',
      'unsupported-protocol',
      'no-listener',
    ]);
  });
});

describe('StackError codes', () => {
  const codeOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      if (e instanceof StackError) return e.code;
      throw e;
    }
    return undefined;
  };

  it('EADDRINUSE for a second listener, EADDRNOTAVAIL for a 4-tuple in use (as Linux)', () => {
    const s = new Stack({ address: A, rng: new SeededRng(1) });
    s.listen(80);
    expect(codeOf(() => s.listen(80))).toBe('EADDRINUSE');
    s.connect(0, { address: B, port: 80 }, { localPort: 5000 });
    expect(codeOf(() => s.connect(0, { address: B, port: 80 }, { localPort: 5000 }))).toBe(
      'EADDRNOTAVAIL',
    );
  });

  it('EADDRNOTAVAIL when the ephemeral range is exhausted', () => {
    const s = new Stack({ address: A, rng: new SeededRng(1), ephemeralPorts: [6000, 6001] });
    s.connect(0, { address: B, port: 80 });
    s.connect(0, { address: B, port: 80 });
    expect(codeOf(() => s.connect(0, { address: B, port: 80 }))).toBe('EADDRNOTAVAIL');
  });

  it('EINVAL for bad arguments', () => {
    const s = new Stack({ address: A, rng: new SeededRng(1) });
    expect(codeOf(() => s.listen(0))).toBe('EINVAL');
    expect(codeOf(() => s.connect(0, { address: 'nope', port: 80 }))).toBe('EINVAL');
    expect(codeOf(() => new Stack({ address: '1.2.3', rng: new SeededRng(1) }))).toBe('EINVAL');
  });
});
