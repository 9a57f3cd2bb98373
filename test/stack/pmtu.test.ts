/**
 * Path MTU discovery in the stack (RFC 1191, RFC 8201): which fragmentation-needed and
 * packet-too-big reports a connection believes (RFC 5927 4.1, the family floors), what it does
 * with one (a smaller MSS, the too-big segments again at once), and the per-destination cache.
 */
import { describe, expect, it } from 'vitest';
import { icmpErrorPacket, icmpv6ErrorPacket } from '../../src/stack/icmp.js';
import { acceptPmtu, PMTU_EXPIRES_MS, PmtuCache } from '../../src/stack/pmtu.js';
import { Stack, type StackConnection, type StackEvent } from '../../src/stack/stack.js';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import { SeededRng } from '../../src/util/rng.js';
import { parseIpv6Address } from '../../src/wire/address6.js';
import { flagsFrom } from '../../src/wire/flags.js';
import { emitPacket } from '../../src/wire/packet.js';
import { emitPacket6, parseAnyTcpPacket } from '../../src/wire/packet6.js';
import { seqAdd } from '../../src/wire/seq.js';
import type { TcpSegment } from '../../src/wire/types.js';

const US = '192.0.2.1';
const PEER = '198.51.100.7';
const ROUTER = '203.0.113.1';
const US6 = '2001:db8::1';
const PEER6 = '2001:db8:1::7';
const ROUTER6 = parseIpv6Address('2001:db8:2::1') as Uint8Array;

interface Sent {
  bytes: Uint8Array;
  tcp: TcpSegment;
}

function drain(s: Stack, now: number): Sent[] {
  const out: Sent[] = [];
  for (let p = s.pollTransmit(now); p !== undefined; p = s.pollTransmit(now)) {
    const parsed = parseAnyTcpPacket(p);
    if (!parsed.ok) throw new Error(parsed.reason);
    out.push({ bytes: p, tcp: parsed.value.tcp });
  }
  return out;
}

function events(s: Stack): StackEvent[] {
  const out: StackEvent[] = [];
  for (let e = s.pollEvent(); e !== undefined; e = s.pollEvent()) out.push(e);
  return out;
}

/**
 * A client connection of a stack at US (or US6) to a peer that offered MSS 1460 (1440 over
 * IPv6) and a large window, with `bytes` queued and sent: the data segments in flight.
 */
function established(v6: boolean, bytes = 10_000, config: Partial<ConnectionConfig> = {}) {
  const s = new Stack({ address: v6 ? US6 : US, rng: new SeededRng(1), config });
  const peer = v6 ? PEER6 : PEER;
  const c = s.connect(0, { address: peer, port: 80 });
  const syn = drain(s, 0)[0].tcp;
  const synAck: TcpSegment = {
    srcPort: 80,
    dstPort: syn.srcPort,
    seq: 5000,
    ack: seqAdd(syn.seq, 1),
    flags: flagsFrom('SA'),
    window: 65535,
    urgentPointer: 0,
    options: [{ kind: 'mss', value: v6 ? 1440 : 1460 }],
    payload: new Uint8Array(0),
  };
  s.handlePacket(10, packet(v6, synAck));
  drain(s, 10);
  c.send(new Uint8Array(bytes).fill(7));
  const data = drain(s, 10);
  events(s);
  return { s, c, data };
}

function packet(v6: boolean, seg: TcpSegment): Uint8Array {
  if (!v6) return emitPacket({ src: PEER, dst: US }, seg);
  const src = parseIpv6Address(PEER6) as Uint8Array;
  const dst = parseIpv6Address(US6) as Uint8Array;
  return emitPacket6({ src, dst }, seg);
}

/** The router's report about one of our packets: frag needed (IPv4) or packet too big (IPv6). */
function tooBig(v6: boolean, quoted: Uint8Array, mtu: number): Uint8Array {
  return v6
    ? icmpv6ErrorPacket(ROUTER6, 2, 0, quoted, mtu)
    : icmpErrorPacket(ROUTER, 3, 4, quoted, mtu);
}

/** `quoted` with another TCP sequence number (the ICMP quotes only the first 8 TCP bytes). */
function withSeq(quoted: Uint8Array, seq: number): Uint8Array {
  const out = quoted.slice();
  const at = out[0] >> 4 === 6 ? 40 : (out[0] & 0x0f) * 4;
  new DataView(out.buffer).setUint32(at + 4, seq >>> 0);
  return out;
}

function pmtuEvents(s: Stack): Array<Extract<StackEvent, { type: 'path-mtu' }>> {
  return events(s).filter((e) => e.type === 'path-mtu');
}

describe('acceptPmtu: the family floors (RFC 1191 3, RFC 8201 4, Linux min_pmtu)', () => {
  it('ignores an IPv4 MTU below 68, raises one below 552 to 552, takes one between', () => {
    expect(acceptPmtu(4, 67, 1500)).toEqual({ ok: false, reason: 'below-minimum' });
    expect(acceptPmtu(4, 0, 1500)).toEqual({ ok: false, reason: 'below-minimum' });
    expect(acceptPmtu(4, 68, 1500)).toEqual({ ok: true, mtu: 552 });
    expect(acceptPmtu(4, 551, 1500)).toEqual({ ok: true, mtu: 552 });
    expect(acceptPmtu(4, 1000, 1500)).toEqual({ ok: true, mtu: 1000 });
  });

  it('ignores an IPv6 MTU below 1280, and any MTU not below the one in use', () => {
    expect(acceptPmtu(6, 1279, 1500)).toEqual({ ok: false, reason: 'below-minimum' });
    expect(acceptPmtu(6, 1280, 1500)).toEqual({ ok: true, mtu: 1280 });
    expect(acceptPmtu(6, 1500, 1500)).toEqual({ ok: false, reason: 'not-lower' });
    expect(acceptPmtu(4, 1400, 1000)).toEqual({ ok: false, reason: 'not-lower' });
    // the floor is not lower than a path already at it
    expect(acceptPmtu(4, 300, 552)).toEqual({ ok: false, reason: 'not-lower' });
  });
});

describe('PmtuCache', () => {
  it('keeps a learned MTU for 600 s, then forgets it', () => {
    const cache = new PmtuCache();
    cache.learn(1000, PEER, 1000);
    expect(cache.get(1000 + PMTU_EXPIRES_MS - 1, PEER)).toBe(1000);
    expect(cache.get(1000 + PMTU_EXPIRES_MS, PEER)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest destination when full', () => {
    const cache = new PmtuCache(PMTU_EXPIRES_MS, 2);
    cache.learn(0, 'a', 1000);
    cache.learn(0, 'b', 1100);
    cache.learn(0, 'c', 1200);
    expect([cache.get(1, 'a'), cache.get(1, 'b'), cache.get(1, 'c')]).toEqual([
      undefined,
      1100,
      1200,
    ]);
  });
});

for (const v6 of [false, true]) {
  const family = v6 ? 'IPv6 packet too big' : 'IPv4 fragmentation needed';
  const mtu = v6 ? 1400 : 1000;
  const ipTcp = v6 ? 60 : 40;

  describe(`${family} about a connection in ESTABLISHED`, () => {
    it('in the window: the MSS falls, the too-big segments go again at once, split', () => {
      const { s, c, data } = established(v6);
      const before = c.info();
      expect(before.pmtu).toBe(1500);
      expect(data.every((d) => d.bytes.length === 1500 || d.tcp.payload.length < 1400)).toBe(true);
      s.handlePacket(20, tooBig(v6, data[0].bytes, mtu));
      const again = drain(s, 20);
      const info = c.info();
      expect(info.pmtu).toBe(mtu);
      expect(info.mss).toBe(mtu - ipTcp);
      // at once, at SND.UNA, and no packet larger than the path MTU
      expect(again.length).toBeGreaterThan(0);
      expect(again[0].tcp.seq).toBe(data[0].tcp.seq);
      expect(again.every((d) => d.bytes.length <= mtu)).toBe(true);
      expect(again[0].tcp.payload.length).toBe(mtu - ipTcp);
      // not a congestion event: no window reduction
      expect(info.ssthresh).toBeGreaterThanOrEqual(before.cwnd);
      expect(info.caState).toBe('loss');
      expect(s.counters.pmtuUpdates).toBe(1);
      expect(pmtuEvents(s)).toEqual([
        expect.objectContaining({ type: 'path-mtu', conn: c, mtu, mss: mtu - ipTcp }),
      ]);
    });

    it('outside SND.UNA..SND.NXT: counted and ignored', () => {
      const { s, c, data } = established(v6);
      const { sndNxt, sndUna } = c.info();
      s.handlePacket(20, tooBig(v6, withSeq(data[0].bytes, sndNxt), mtu));
      s.handlePacket(20, tooBig(v6, withSeq(data[0].bytes, sndUna - 1), mtu));
      expect(drain(s, 20)).toEqual([]);
      expect(c.info().pmtu).toBe(1500);
      expect(s.counters.outOfWindowIcmps).toBe(2);
      expect(s.counters.pmtuUpdates).toBe(0);
      expect(s.pmtuCache.size).toBe(0);
    });

    it('below the family minimum: ignored (IPv6, IPv4 below 68) or raised to 552 (IPv4)', () => {
      const { s, c, data } = established(v6);
      s.handlePacket(20, tooBig(v6, data[0].bytes, v6 ? 1279 : 67));
      expect(drain(s, 20)).toEqual([]);
      expect(c.info().pmtu).toBe(1500);
      expect(s.counters.pmtuIgnored).toBe(1);
      if (!v6) {
        s.handlePacket(21, tooBig(v6, data[0].bytes, 300));
        expect(c.info().pmtu).toBe(552);
        expect(c.info().mss).toBe(512);
        expect(drain(s, 21).every((d) => d.bytes.length <= 552)).toBe(true);
      }
    });

    it('a report at or above the MTU in use changes nothing', () => {
      const { s, c, data } = established(v6);
      s.handlePacket(20, tooBig(v6, data[0].bytes, 1500));
      expect(drain(s, 20)).toEqual([]);
      expect(c.info().pmtu).toBe(1500);
      expect(s.counters.pmtuIgnored).toBe(1);
    });

    it('the next connection to the host starts with the learned MTU, until it expires', () => {
      const { s, c, data } = established(v6);
      const peer = v6 ? PEER6 : PEER;
      s.handlePacket(20, tooBig(v6, data[0].bytes, mtu));
      drain(s, 20);
      const second = s.connect(30, { address: peer, port: 81 });
      const syn = drain(s, 30).find((d) => d.tcp.dstPort === 81) as Sent;
      // the SYN offers what this host can receive (RFC 9293 3.7.1); it sends within the path
      expect(syn.tcp.options[0]).toEqual({ kind: 'mss', value: 1500 - ipTcp });
      expect(second.info().pmtu).toBe(mtu);
      // 600 s later the path is tried at full size again, by new and running connections
      const later = 20 + PMTU_EXPIRES_MS;
      const third = s.connect(later, { address: peer, port: 82 });
      const syn3 = drain(s, later).find((d) => d.tcp.dstPort === 82) as Sent;
      expect(syn3.tcp.options[0]).toEqual({ kind: 'mss', value: 1500 - ipTcp });
      expect(third.info().pmtu).toBe(1500);
      s.handleTimeout(later + 100_000);
      drain(s, later + 100_000);
      expect(c.info().pmtu).toBe(1500);
      expect(second.info().pmtu).toBe(1500);
    });

    it("with synMss: 'path' (Linux's tcp_advertise_mss) the SYN offers the path's MSS", () => {
      const { s, data } = established(v6, 10_000, { synMss: 'path' });
      s.handlePacket(20, tooBig(v6, data[0].bytes, mtu));
      drain(s, 20);
      s.connect(30, { address: v6 ? PEER6 : PEER, port: 81 });
      const syn = drain(s, 30).find((d) => d.tcp.dstPort === 81) as Sent;
      expect(syn.tcp.options[0]).toEqual({ kind: 'mss', value: mtu - ipTcp });
    });
  });
}

describe('Connection.pathMtuChanged', () => {
  it('does nothing to a closed connection and keeps segments that fit', () => {
    const { s, c } = established(false, 500);
    const conn = (c as StackConnection).conn;
    expect(conn.pathMtuChanged(30, 1000)).toBe(960);
    expect(drain(s, 30)).toEqual([]);
    c.abort(40);
    drain(s, 40);
    expect(conn.pathMtuChanged(50, 600)).toBe(960);
  });
});
