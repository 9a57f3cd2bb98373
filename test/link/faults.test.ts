/** Each fault of the one fault type, on one direction of a link, then through the stepper. */
import { describe, expect, it } from 'vitest';
import type { LinkFaults } from '../../src/link/sim/faults.js';
import { SimLink, type Verdict } from '../../src/link/sim/link.js';
import { type PacketRecord, SimNetwork } from '../../src/link/sim/network.js';
import { SeededRng } from '../../src/util/rng.js';
import { flagsFrom } from '../../src/wire/flags.js';
import { emitPacket, parsePacket } from '../../src/wire/packet.js';
import { A, B, establish, pair } from '../integration/harness.js';

function packet(flags = 'R', payload = 100, seq = 0): Uint8Array {
  return emitPacket(
    { src: A, dst: B },
    {
      srcPort: 1000,
      dstPort: 2000,
      seq,
      ack: 0,
      flags: flagsFrom(flags),
      window: 0,
      urgentPointer: 0,
      options: [],
      payload: new Uint8Array(payload),
    },
  );
}

function link(faults: Partial<LinkFaults>, seed = 1): SimLink {
  return new SimLink(new SeededRng(seed), faults);
}

function fates(l: SimLink, n: number, at = (i: number) => i): Verdict['fate'][] {
  return Array.from({ length: n }, (_, i) => l.send(at(i), packet()).fate);
}

describe('the link: one fault at a time', () => {
  it('without faults delivers every packet after exactly the latency, unchanged', () => {
    const l = link({ latency: 7 });
    const p = packet();
    expect(l.send(3, p)).toEqual({ fate: 'delivered', arrivals: [{ at: 10, bytes: p }] });
  });

  it('loss drops about the given fraction, and a lost packet never arrives', () => {
    const l = link({ loss: 0.3 });
    const v = Array.from({ length: 2000 }, (_, i) => l.send(i, packet()));
    const lost = v.filter((x) => x.fate === 'lost');
    expect(lost.length / 2000).toBeGreaterThan(0.25);
    expect(lost.length / 2000).toBeLessThan(0.35);
    expect(lost.every((x) => x.arrivals.length === 0)).toBe(true);
    expect(fates(link({ loss: 1 }), 10).every((f) => f === 'lost')).toBe(true);
  });

  it('duplication delivers two identical copies, the second max(1, jitter) ms later', () => {
    const p = packet();
    expect(link({ latency: 5, duplicate: 1 }).send(0, p)).toEqual({
      fate: 'duplicated',
      arrivals: [
        { at: 5, bytes: p },
        { at: 6, bytes: p },
      ],
    });
    const v = link({ latency: 5, jitter: 3, duplicate: 1 }).send(0, p);
    expect(v.arrivals[1].at - v.arrivals[0].at).toBe(3);
  });

  it('reordering holds a packet back so that later ones overtake it', () => {
    expect(
      link({ latency: 5, reorder: 1, reorderDelay: 50 }).send(0, packet()).arrivals[0].at,
    ).toBe(55);
    // without reorderDelay it is held back by the latency (at least 1 ms)
    expect(link({ latency: 5, reorder: 1 }).send(0, packet()).arrivals[0].at).toBe(10);
    const l = link({ latency: 5, reorder: 0.2, reorderDelay: 10 });
    const arrivals = Array.from({ length: 200 }, (_, i) => l.send(i, packet()).arrivals[0].at);
    const overtaken = arrivals.filter((at, i) => i > 0 && at < arrivals[i - 1]).length;
    expect(overtaken).toBeGreaterThan(10);
    expect(fates(link({ latency: 5 }), 50).every((f) => f === 'delivered')).toBe(true);
  });

  it('corruption flips one bit past the IP header, and the TCP checksum catches it', () => {
    const l = link({ corrupt: 1 });
    for (let i = 0; i < 50; i++) {
      const p = packet('PA', 40 + i, i);
      const v = l.send(0, p);
      expect(v.fate).toBe('corrupted');
      const got = v.arrivals[0].bytes;
      let bits = 0;
      let firstByte = -1;
      for (let j = 0; j < p.length; j++) {
        const x = p[j] ^ got[j];
        if (x !== 0 && firstByte < 0) firstByte = j;
        for (let b = x; b !== 0; b &= b - 1) bits++;
      }
      expect(bits).toBe(1);
      expect(firstByte).toBeGreaterThanOrEqual(20);
      expect(parsePacket(p).ok).toBe(true);
      expect(parsePacket(got)).toMatchObject({ ok: false, reason: 'bad-checksum' });
    }
  });

  it('bandwidth spaces packets by size, queues them and tail-drops beyond the queue', () => {
    // 1040-byte packets at 104 bytes/ms: 10 ms each on the wire; room for two
    const l = link({ latency: 1, bandwidth: 104, queueLimit: 2 });
    const at0 = [0, 1, 2].map(() => l.send(0, packet('R', 1000)));
    expect(at0.map((v) => v.fate)).toEqual(['delivered', 'delivered', 'queue-drop']);
    expect(at0.map((v) => v.arrivals[0]?.at)).toEqual([11, 21, undefined]);
    // at 15 the first has left: one place is free again, and the packet waits for the second
    const at15 = [0, 1].map(() => l.send(15, packet('R', 1000)));
    expect(at15.map((v) => v.fate)).toEqual(['delivered', 'queue-drop']);
    expect(at15[0].arrivals[0].at).toBe(31);
    // once the queue is empty a packet leaves at once
    expect(l.send(100, packet('R', 1000)).arrivals[0].at).toBe(111);
  });

  it('a timed partition cuts [from, to) and nothing else', () => {
    const l = link({});
    l.apply(0, { kind: 'partition', from: 10, to: 20 });
    expect([5, 10, 19.5, 20, 30].map((t) => l.send(t, packet()).fate)).toEqual([
      'delivered',
      'partitioned',
      'partitioned',
      'delivered',
      'delivered',
    ]);
  });

  it('a toggled partition cuts from cut until heal, and can cut again', () => {
    const l = link({});
    l.apply(1, { kind: 'cut' });
    expect(l.send(1, packet()).fate).toBe('partitioned');
    expect(l.send(4, packet()).fate).toBe('partitioned');
    l.apply(5, { kind: 'heal' });
    expect(l.send(5, packet()).fate).toBe('delivered');
    l.apply(8, { kind: 'cut' });
    expect(l.send(9, packet()).fate).toBe('partitioned');
    // a heal ends a timed partition early too
    l.apply(10, { kind: 'heal' });
    l.apply(10, { kind: 'partition', from: 10, to: 100 });
    l.apply(12, { kind: 'heal' });
    expect(l.send(12, packet()).fate).toBe('delivered');
  });

  it('a scripted drop takes the next FIN only, as many times as its count', () => {
    const l = link({});
    l.apply(0, { kind: 'drop', flags: ['FIN'], count: 1 });
    const sent = ['A', 'PA', 'FA', 'FA', 'F'].map((f) => l.send(0, packet(f, 0)).fate);
    expect(sent).toEqual(['delivered', 'delivered', 'dropped', 'delivered', 'delivered']);
    const two = link({});
    two.apply(0, { kind: 'drop', flags: ['FIN', 'ACK'], count: 2 });
    expect(['F', 'FA', 'S', 'FA', 'FA'].map((f) => two.send(0, packet(f, 0)).fate)).toEqual([
      'delivered',
      'dropped',
      'delivered',
      'dropped',
      'delivered',
    ]);
  });

  it('set changes some settings from now on and keeps the others', () => {
    const l = link({ latency: 5, loss: 0 });
    l.apply(0, { kind: 'set', faults: { loss: 1 } });
    expect(l.faults).toMatchObject({ latency: 5, loss: 1 });
    expect(l.send(0, packet()).fate).toBe('lost');
  });

  it('every packet draws the same random numbers whatever the settings and its fate', () => {
    // The same seed with and without other faults: loss picks the same packets...
    const lossOnly = fates(link({ loss: 0.5 }, 9), 300);
    const more = fates(link({ loss: 0.5, duplicate: 0.5, jitter: 4, reorder: 0.3 }, 9), 300);
    expect(more.map((f) => f === 'lost')).toEqual(lossOnly.map((f) => f === 'lost'));
    // ...and a packet that is cut, dropped or tail-dropped uses its draws too.
    const rngPlain = new SeededRng(3);
    const rngFaulty = new SeededRng(3);
    const plain = new SimLink(rngPlain, {});
    const faulty = new SimLink(rngFaulty, { bandwidth: 1, queueLimit: 1 });
    faulty.apply(0, { kind: 'drop', flags: ['RST'], count: 1 });
    faulty.apply(0, { kind: 'partition', from: 1, to: 2 });
    for (const t of [0, 0, 0, 1]) {
      plain.send(t, packet());
      faulty.send(t, packet());
    }
    expect(rngFaulty.nextU32()).toBe(rngPlain.nextU32());
  });
});

describe('the stepper', () => {
  it('corrupted packets are dropped by the receiving stack as checksum errors, and TCP recovers', () => {
    const p = pair(3, { latency: 5, corrupt: 0.2 });
    const { client, server } = establish(p);
    client.send(new Uint8Array(30_000));
    client.close(p.net.now);
    p.net.run({ until: 60_000 });
    expect(server.read().length).toBe(30_000);
    const corrupted = p.net.trace.filter((e) => e.type === 'packet' && e.fate === 'corrupted');
    expect(corrupted.length).toBeGreaterThan(0);
    const caught = p.a.stack.counters.checksumErrors + p.b.stack.counters.checksumErrors;
    expect(caught).toBe(corrupted.length);
  });

  it('a partition toggled on the network cuts the connection until healed', () => {
    const p = pair(1, { latency: 5 });
    const { client, server } = establish(p);
    p.net.fault(p.a, p.b, { kind: 'cut' });
    client.send(new Uint8Array(1000));
    p.net.run({ until: p.net.now + 2_000 });
    expect(server.recvQueue).toBe(0);
    p.net.fault(p.a, p.b, { kind: 'heal' });
    p.net.run({ until: p.net.now + 20_000 });
    expect(server.read().length).toBe(1000);
    const fatesSeen = new Set(p.net.trace.flatMap((e) => (e.type === 'packet' ? [e.fate] : [])));
    expect(fatesSeen).toContain('partitioned');
  });

  it('a scripted drop of the next FIN from a loses that FIN alone; a retransmits it', () => {
    const p = pair(1, { latency: 5 });
    const { client, server } = establish(p);
    p.net.fault(p.a, p.b, { kind: 'drop', flags: ['FIN'], count: 1 });
    server.close(p.net.now);
    client.close(p.net.now);
    p.net.run({ until: p.net.now + 200_000 });
    const fins = p.net.trace.filter(
      (e): e is PacketRecord => e.type === 'packet' && e.tcp?.flags.includes('FIN') === true,
    );
    expect(fins.filter((f) => f.fate === 'dropped').map((f) => f.from)).toEqual(['a']);
    expect(fins.filter((f) => f.from === 'a').map((f) => f.fate)).toEqual(['dropped', 'delivered']);
    expect([client.state, server.state]).toEqual(['CLOSED', 'CLOSED']);
  });

  it('forwards every stack event tagged with its host, and records every packet once', () => {
    const p = pair(1, { latency: 5 });
    establish(p);
    const events = p.net.trace.filter((e) => e.type === 'event');
    // b's listener says a connection is ready: not a state change, forwarded all the same
    expect(
      events.some((e) => e.type === 'event' && e.host === 'b' && e.event.type === 'acceptable'),
    ).toBe(true);
    const packets = p.net.trace.filter((e) => e.type === 'packet');
    expect(packets.map((e) => e.type === 'packet' && e.packetId)).toEqual(packets.map((_, i) => i));
    expect(p.a.stack.counters.packetsOut + p.b.stack.counters.packetsOut).toBe(packets.length);
  });

  it('runs an action after the packets and timers due at its instant', () => {
    const net = new SimNetwork(1);
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    net.link(a, b, { latency: 5 });
    const seen: string[] = [];
    net.onPacket((r) => seen.push(`sent ${r.t}`));
    net.addHook((h) => {
      if (h === b && b.stack.counters.packetsIn > seen.filter((s) => s === 'in').length)
        seen.push('in');
      return false;
    });
    net.at(0, () => net.sendRaw(a, packet()));
    net.at(5, () => seen.push('action 5'));
    net.run();
    expect(seen).toEqual(['sent 0', 'in', 'action 5']);
    expect(net.now).toBe(5);
  });
});

describe('determinism', () => {
  const transfer = (seed: number) => {
    const p = pair(seed, {
      latency: 5,
      jitter: 3,
      loss: 0.05,
      duplicate: 0.05,
      reorder: 0.1,
      corrupt: 0.02,
      bandwidth: 500,
      queueLimit: 30,
    });
    const { client, server } = establish(p);
    client.send(new Uint8Array(40_000).map((_, i) => i & 0xff));
    client.close(p.net.now);
    p.net.runUntil(() => server.state === 'CLOSE_WAIT', { maxSteps: 200_000 });
    server.close(p.net.now);
    p.net.run({ maxSteps: 200_000 });
    return p.net.toPcap();
  };

  it('two runs with the same seed give the same bytes; another seed does not', () => {
    const one = transfer(11);
    expect(one.length).toBeGreaterThan(40_000);
    expect(Buffer.from(transfer(11)).equals(Buffer.from(one))).toBe(true);
    expect(Buffer.from(transfer(12)).equals(Buffer.from(one))).toBe(false);
  });
});
