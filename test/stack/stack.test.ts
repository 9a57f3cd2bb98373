import { describe, expect, it } from 'vitest';
import { siphash24 } from '../../src/stack/siphash.js';
import { Stack, type StackEvent } from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { internetChecksum } from '../../src/wire/checksum.js';
import { emitIpv4, parseIpv4 } from '../../src/wire/ipv4.js';
import { emitPacket } from '../../src/wire/packet.js';
import { IPPROTO_ICMP, type TcpSegment } from '../../src/wire/types.js';
import { PEER, seg, sent as sentBy, US } from './inject.js';

function stack(seed = 1, opts: Partial<ConstructorParameters<typeof Stack>[0]> = {}): Stack {
  return new Stack({ address: US, rng: new SeededRng(seed), ...opts });
}

function segment(over: Partial<Omit<TcpSegment, 'flags'>> & { flags: string }): TcpSegment {
  return seg(over.flags, over);
}

function inject(s: Stack, segm: TcpSegment, now = 0, src = PEER, dst = US): void {
  s.handlePacket(now, emitPacket({ src, dst }, segm));
}

function sent(s: Stack, now = 0): TcpSegment[] {
  return sentBy(s, now);
}

function events(s: Stack): StackEvent[] {
  const out: StackEvent[] = [];
  for (let e = s.pollEvent(); e !== undefined; e = s.pollEvent()) out.push(e);
  return out;
}

describe('RST for segments that match nothing (RFC 9293 3.10.7.1)', () => {
  it('answers a segment without ACK with RST,ACK: seq 0, ack = SEG.SEQ + SEG.LEN', () => {
    const s = stack();
    inject(s, segment({ flags: 'S', seq: 5000 }));
    const [rst] = sent(s);
    expect(rst.flags).toMatchObject({ rst: true, ack: true, syn: false });
    expect(rst.seq).toBe(0);
    expect(rst.ack).toBe(5001);
    expect([rst.srcPort, rst.dstPort]).toEqual([80, 40000]);
    expect(s.counters.resetsSent).toBe(1);
  });

  it('answers a segment with ACK with a bare RST whose seq is SEG.ACK', () => {
    const s = stack();
    inject(s, segment({ flags: 'P.', seq: 5000, ack: 777, payload: new Uint8Array(10) }));
    const [rst] = sent(s);
    expect(rst.flags).toMatchObject({ rst: true, ack: false });
    expect(rst.seq).toBe(777);
  });

  it('never answers an RST', () => {
    const s = stack();
    inject(s, segment({ flags: 'R', seq: 5000 }));
    inject(s, segment({ flags: 'R.', seq: 5000, ack: 3 }));
    expect(sent(s)).toEqual([]);
  });
});

describe('a listener (RFC 9293 3.10.7.2)', () => {
  it('ignores RST, answers a bare ACK with RST, and answers SYN with SYN,ACK', () => {
    const s = stack();
    s.listen(80);
    inject(s, segment({ flags: 'R', seq: 1 }));
    expect(sent(s)).toEqual([]);
    inject(s, segment({ flags: '.', seq: 1, ack: 99 }));
    const [rst] = sent(s);
    expect(rst.flags.rst).toBe(true);
    expect(rst.seq).toBe(99);
    inject(s, segment({ flags: 'S', seq: 1 }));
    const [synAck] = sent(s);
    expect(synAck.flags).toMatchObject({ syn: true, ack: true });
    expect(synAck.ack).toBe(2);
    expect(s.snapshot(0).map((r) => r.state)).toEqual(['LISTEN', 'SYN_RECV']);
  });

  it('accepts two clients on the same port as two connections (demux by 4-tuple)', () => {
    const s = stack();
    const l = s.listen(80);
    for (const port of [40000, 40001]) {
      inject(s, segment({ flags: 'S', srcPort: port, seq: 1 }));
      const [synAck] = sent(s);
      inject(s, segment({ flags: '.', srcPort: port, seq: 2, ack: synAck.seq + 1 }));
    }
    const c1 = l.accept();
    const c2 = l.accept();
    expect([c1?.remote.port, c2?.remote.port]).toEqual([40000, 40001]);
    expect(l.accept()).toBeUndefined();
    inject(
      s,
      segment({ flags: 'P.', srcPort: 40001, seq: 2, ack: 0, payload: new Uint8Array([1, 2, 3]) }),
    );
    expect(c2?.recvQueue).toBe(0); // ack 0 is unacceptable: dropped with a challenge ACK
  });

  it('drops SYNs and final ACKs when the accept queue is full, and counts them', () => {
    const s = stack();
    const l = s.listen(80, { backlog: 1 });
    const handshake = (port: number): TcpSegment => {
      inject(s, segment({ flags: 'S', srcPort: port, seq: 1 }));
      const out = sent(s);
      return out[0];
    };
    const sa1 = handshake(40000);
    inject(s, segment({ flags: '.', srcPort: 40000, seq: 2, ack: sa1.seq + 1 }));
    expect(l.acceptQueueLength).toBe(1);
    // the queue is full: a new SYN gets no answer
    expect(handshake(40001)).toBeUndefined();
    expect(s.counters.listenOverflows).toBe(1);
    expect(s.counters.listenDrops).toBe(1);
    expect(events(s)).toContainEqual(
      expect.objectContaining({ type: 'drop', reason: 'accept-queue-full', port: 80 }),
    );
    // room again: the retried SYN completes
    expect(l.accept()).toBeDefined();
    expect(handshake(40001)?.flags.syn).toBe(true);
  });

  it('reports its accept queue and backlog in the snapshot, as ss does', () => {
    const s = stack();
    s.listen(8080, { backlog: 7 });
    expect(s.snapshot(0)).toEqual([
      {
        state: 'LISTEN',
        local: { address: '0.0.0.0', port: 8080 },
        remote: { address: '0.0.0.0', port: 0 },
        recvQ: 0,
        sendQ: 7,
        timer: undefined,
      },
    ]);
  });

  it('refuses a second listener on the same port', () => {
    const s = stack();
    s.listen(80);
    expect(() => s.listen(80)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
  });
});

describe('initial sequence numbers (RFC 6528)', () => {
  const isnOf = (s: Stack, now: number, port: number): number => {
    s.connect(now, { address: PEER, port: 80 }, { localPort: port });
    return sent(s, now)[0].seq;
  };

  it('differ between 4-tuples, grow with time for one 4-tuple, and repeat for a seed', () => {
    const s = stack(9);
    const a = isnOf(s, 0, 1111);
    const b = isnOf(s, 0, 2222);
    expect(a).not.toBe(b);
    const again = stack(9);
    expect(isnOf(again, 0, 1111)).toBe(a);
    const later = stack(9);
    const l = isnOf(later, 1000, 1111);
    // 4-microsecond clock: 1 s later, 250,000 more (mod 2^32)
    expect((l - a + 2 ** 32) % 2 ** 32).toBe(250_000);
    expect(isnOf(stack(10), 0, 1111)).not.toBe(a);
  });

  it('SipHash-2-4 matches the reference vectors', () => {
    const k0 = 0x0706050403020100n;
    const k1 = 0x0f0e0d0c0b0a0908n;
    const msg = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
    // From the SipHash paper's reference implementation (vectors.h), as little-endian u64.
    expect(siphash24(k0, k1, msg(0))).toBe(0x726fdb47dd0e0e31n);
    expect(siphash24(k0, k1, msg(1))).toBe(0x74f839c593dc67fdn);
    expect(siphash24(k0, k1, msg(8))).toBe(0x93f5f5799a932462n);
    expect(siphash24(k0, k1, msg(15))).toBe(0xa129ca6149be45e5n);
  });
});

describe('ephemeral ports', () => {
  it('are distinct and inside the range; exhaustion is an error', () => {
    const s = stack(1, { ephemeralPorts: [50000, 50009] });
    const ports = Array.from(
      { length: 10 },
      () => s.connect(0, { address: PEER, port: 80 }).local.port,
    );
    expect(new Set(ports).size).toBe(10);
    expect(ports.every((p) => p >= 50000 && p <= 50009)).toBe(true);
    expect(() => s.connect(0, { address: PEER, port: 80 })).toThrow(
      expect.objectContaining({ name: 'StackError', code: 'EADDRNOTAVAIL' }),
    );
    // another destination may reuse the same local ports
    expect(s.connect(0, { address: PEER, port: 443 }).local.port).toBeGreaterThanOrEqual(50000);
  });
});

describe('bad packets', () => {
  it('counts a bad checksum and drops the packet without answering', () => {
    const s = stack();
    const p = emitPacket({ src: PEER, dst: US }, segment({ flags: 'S' }));
    p[p.length - 1] ^= 0xff;
    p[30] ^= 0x01;
    s.handlePacket(0, p);
    expect(sent(s)).toEqual([]);
    expect(s.counters.checksumErrors).toBe(1);
  });

  it('counts packets for another address and garbage', () => {
    const s = stack();
    inject(s, segment({ flags: 'S' }), 0, PEER, '192.0.2.99');
    s.handlePacket(0, new Uint8Array([0x45, 1, 2]));
    expect(sent(s)).toEqual([]);
    expect(s.counters.notForUs).toBe(1);
    expect(s.counters.malformed).toBe(1);
  });
});

describe('ICMP echo', () => {
  it('answers ping to its address', () => {
    const s = stack();
    const icmp = new Uint8Array([8, 0, 0, 0, 0x12, 0x34, 0, 1, 0xde, 0xad]);
    const sum = internetChecksum(icmp);
    icmp[2] = sum >> 8;
    icmp[3] = sum & 0xff;
    s.handlePacket(0, emitIpv4({ src: PEER, dst: US, protocol: IPPROTO_ICMP }, icmp));
    const reply = s.pollTransmit(0);
    expect(reply).toBeDefined();
    const ip = parseIpv4(reply as Uint8Array);
    if (!ip.ok) throw new Error(ip.reason);
    expect(ip.value.header).toMatchObject({ src: US, dst: PEER, protocol: IPPROTO_ICMP });
    expect([...ip.value.payload]).toEqual([
      0,
      0,
      ...ip.value.payload.subarray(2, 4),
      0x12,
      0x34,
      0,
      1,
      0xde,
      0xad,
    ]);
    expect(internetChecksum(ip.value.payload)).toBe(0);
    expect(s.counters.icmpEchoReplies).toBe(1);
  });
});

describe('TIME_WAIT reuse', () => {
  it('a new SYN with a higher sequence number to a 4-tuple in TIME_WAIT starts a new connection', () => {
    const s = stack();
    s.listen(80);
    // we are the active closer, so the 4-tuple sits in TIME_WAIT on our side
    inject(s, segment({ flags: 'S', seq: 1 }));
    const [synAck] = sent(s);
    const iss = synAck.seq;
    inject(s, segment({ flags: '.', seq: 2, ack: iss + 1 }));
    const conn = s.find(80, { address: PEER, port: 40000 });
    expect(conn?.state).toBe('ESTABLISHED');
    conn?.close(1);
    const [fin] = sent(s, 1);
    expect(fin.flags.fin).toBe(true);
    inject(s, segment({ flags: 'F.', seq: 2, ack: iss + 2 }), 2);
    sent(s, 2);
    expect(conn?.state).toBe('TIME_WAIT');
    // an old duplicate SYN (lower sequence number) does not reopen it
    inject(s, segment({ flags: 'S', seq: 1 }), 3);
    expect(conn?.state).toBe('TIME_WAIT');
    sent(s, 3);
    inject(s, segment({ flags: 'S', seq: 100_000 }), 4);
    const [newSynAck] = sent(s, 4);
    expect(newSynAck.flags).toMatchObject({ syn: true, ack: true });
    expect(newSynAck.ack).toBe(100_001);
    expect(conn?.state).toBe('CLOSED');
    expect(s.counters.timeWaitReused).toBe(1);
    expect(s.find(80, { address: PEER, port: 40000 })?.state).toBe('SYN_RECV');
  });
});
