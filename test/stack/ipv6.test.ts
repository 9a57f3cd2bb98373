/** The stack over IPv6 and dual-stack: demux, listeners' address semantics, MSS, ICMPv6, RST. */
import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/link/sim/network.js';
import { type Listener, Stack, type StackConnection, StackError } from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { parseIpv6Address } from '../../src/wire/address6.js';
import { emitIpv6, ipv6UpperChecksum, NEXT_ICMPV6 } from '../../src/wire/ipv6.js';
import { emitPacket } from '../../src/wire/packet.js';
import { emitPacket6, parseAnyTcpPacket, parseTcpPacket6 } from '../../src/wire/packet6.js';
import type { TcpSegment } from '../../src/wire/types.js';
import { seg } from './inject.js';

const A6 = '2001:db8::1';
const B6 = '2001:db8::2';
const A4 = '192.0.2.1';
const B4 = '192.0.2.2';
const bytes6 = (t: string) => parseIpv6Address(t) as Uint8Array;

function pair(
  a: { address: string; address6?: string },
  b: { address: string; address6?: string },
) {
  const net = new SimNetwork(3);
  const ha = net.addHost('a', a.address, a.address6 === undefined ? {} : { address6: a.address6 });
  const hb = net.addHost('b', b.address, b.address6 === undefined ? {} : { address6: b.address6 });
  net.link(ha, hb, { latency: 5 });
  return { net, a: ha.stack, b: hb.stack };
}

function exchange(net: SimNetwork, client: StackConnection, listener: Listener, text: string) {
  net.run({ until: 1000 });
  const server = listener.accept();
  if (server === undefined) throw new Error('nothing to accept');
  client.send(new TextEncoder().encode(text));
  net.run({ until: 2000 });
  return { server, got: new TextDecoder().decode(server.read()) };
}

function sentSegments(s: Stack, now = 0): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (let p = s.pollTransmit(now); p !== undefined; p = s.pollTransmit(now)) {
    const parsed = parseAnyTcpPacket(p);
    if (!parsed.ok) throw new Error(parsed.reason);
    out.push(parsed.value.tcp);
  }
  return out;
}

describe('IPv6 connections', () => {
  it('carries a connection in IPv6 packets with valid checksums, MSS 1440 from a 1500 MTU', () => {
    const { net, a, b } = pair({ address: A6 }, { address: B6 });
    const listener = b.listen(80);
    expect(listener.address).toBe('::');
    const client = a.connect(0, { address: B6, port: 80 });
    const { server, got } = exchange(net, client, listener, 'hello over IPv6');
    expect(got).toBe('hello over IPv6');
    expect(server.remote.address).toBe(A6);
    expect(client.local.address).toBe(A6);
    const packets = net.trace.filter((e) => e.type === 'packet');
    expect(packets.length).toBeGreaterThan(3);
    for (const p of packets) {
      expect(p.bytes[0] >> 4).toBe(6);
      expect(parseTcpPacket6(p.bytes, true).ok).toBe(true);
    }
    const syn = parseTcpPacket6(packets[0].bytes, true);
    expect(syn.ok && syn.value.tcp.options.find((o) => o.kind === 'mss')).toEqual({
      kind: 'mss',
      value: 1440,
    });
    expect(client.info().mss).toBeLessThanOrEqual(1440);
  });

  it('gives IPv6 and IPv4 tuples unrelated ISNs (RFC 6528 over the IPv6 tuple)', () => {
    const s = new Stack({ address: A4, address6: A6, rng: new SeededRng(1) });
    const c4 = s.connect(0, { address: B4, port: 80 }, { localPort: 5000 });
    const c6 = s.connect(0, { address: B6, port: 80 }, { localPort: 5000 });
    expect(c4.info().iss).not.toBe(c6.info().iss);
    expect(s.connectionCount).toBe(2);
    expect(s.find(5000, { address: B6, port: 80 })).toBe(c6);
    expect(s.find(5000, { address: B4, port: 80 })).toBe(c4);
  });

  it('takes the MSS from the MTU less 60, never below IPv6 minimum MTU of 1280', () => {
    const mssOf = (mtu: number) => {
      const s = new Stack({ address: A6, rng: new SeededRng(1), mtu });
      s.connect(0, { address: B6, port: 80 });
      const [syn] = sentSegments(s);
      return syn.options.find((o) => o.kind === 'mss');
    };
    expect(mssOf(9000)).toEqual({ kind: 'mss', value: 8940 });
    expect(mssOf(1000)).toEqual({ kind: 'mss', value: 1220 });
  });

  it('sends 1220-byte segments to a peer whose SYN has no MSS option (536 over IPv4)', () => {
    const mssAfterSyn = (v6: boolean) => {
      const s = new Stack({ address: v6 ? A6 : A4, rng: new SeededRng(1) });
      const listener = s.listen(80);
      const syn = seg('S', { seq: 7 });
      const [src, dst] = v6 ? [B6, A6] : [B4, A4];
      s.handlePacket(
        0,
        v6
          ? emitPacket6({ src: bytes6(src), dst: bytes6(dst) }, syn)
          : emitPacket({ src, dst }, syn),
      );
      const [synAck] = sentSegments(s);
      expect(synAck.flags.syn && synAck.flags.ack).toBe(true);
      s.handlePacket(
        1,
        v6
          ? emitPacket6(
              { src: bytes6(src), dst: bytes6(dst) },
              seg('A', { seq: 8, ack: synAck.seq + 1 }),
            )
          : emitPacket({ src, dst }, seg('A', { seq: 8, ack: synAck.seq + 1 })),
      );
      const server = listener.accept();
      if (server === undefined) throw new Error('nothing to accept');
      server.send(new Uint8Array(4000));
      return sentSegments(s, 1).map((t) => t.payload.length);
    };
    expect(Math.max(...mssAfterSyn(true))).toBe(1220);
    expect(Math.max(...mssAfterSyn(false))).toBe(536);
  });

  it('answers a segment for no connection with an IPv6 RST', () => {
    const s = new Stack({ address: A6, rng: new SeededRng(1) });
    s.handlePacket(0, emitPacket6({ src: bytes6(B6), dst: bytes6(A6) }, seg('S', { seq: 7 })));
    const p = s.pollTransmit(0) as Uint8Array;
    const parsed = parseTcpPacket6(p, true);
    expect(parsed.ok && parsed.value.tcp.flags.rst && parsed.value.tcp.ack).toBe(8);
    expect(parsed.ok && [...parsed.value.dst]).toEqual([...bytes6(B6)]);
  });

  it('says ENETUNREACH for a peer of a family the host has no address of', () => {
    const s = new Stack({ address: A4, rng: new SeededRng(1) });
    expect(() => s.connect(0, { address: B6, port: 80 })).toThrow(
      expect.objectContaining({ code: 'ENETUNREACH' }),
    );
  });
});

describe('dual-stack listeners (Linux semantics)', () => {
  it('`::` takes IPv4 connections, naming both ends ::ffff:a.b.c.d', () => {
    const { net, a, b } = pair({ address: A4 }, { address: B4, address6: B6 });
    const listener = b.listen(80, { address: '::' });
    const client = a.connect(0, { address: B4, port: 80 });
    const { server, got } = exchange(net, client, listener, 'v4 to ::');
    expect(got).toBe('v4 to ::');
    expect(server.remote.address).toBe(`::ffff:${A4}`);
    expect(server.local.address).toBe(`::ffff:${B4}`);
    for (const e of net.trace) if (e.type === 'packet') expect(e.bytes[0] >> 4).toBe(4);
  });

  it('`::` with v6only refuses IPv4 (RST), and can share its port with `0.0.0.0`', () => {
    const { net, a, b } = pair({ address: A4, address6: A6 }, { address: B4, address6: B6 });
    const l6 = b.listen(80, { address: '::', v6only: true });
    expect(l6.v6only).toBe(true);
    const c4 = a.connect(0, { address: B4, port: 80 });
    net.run({ until: 1000 });
    expect(c4.closeReason).toBe('refused');
    const l4 = b.listen(80, { address: '0.0.0.0' });
    const c4b = a.connect(net.now, { address: B4, port: 80 });
    const c6 = a.connect(net.now, { address: B6, port: 80 });
    net.run({ until: 2000 });
    expect(l4.accept()?.remote.address).toBe(A4);
    expect(l6.accept()?.remote.address).toBe(A6);
    expect([c4b.state, c6.state]).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    expect(
      b
        .snapshot(net.now)
        .filter((r) => r.state === 'LISTEN')
        .map((r) => r.local.address),
    ).toEqual(['::', '0.0.0.0']);
  });

  it('refuses overlapping binds (EADDRINUSE) and addresses not its own (EADDRNOTAVAIL)', () => {
    const s = new Stack({ address: A4, address6: A6, rng: new SeededRng(1) });
    s.listen(80, { address: '0.0.0.0' });
    expect(() => s.listen(80)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    expect(() => s.listen(80, { address: A4 })).toThrow(StackError);
    s.listen(80, { address: A6 });
    expect(() => s.listen(81, { address: B6 })).toThrow(
      expect.objectContaining({ code: 'EADDRNOTAVAIL' }),
    );
    const specific = s.listen(82, { address: `::ffff:${A4}` });
    expect(specific.address).toBe(`::ffff:${A4}`);
  });

  it('a listener on the IPv4 address takes no IPv6 connection', () => {
    const { net, a, b } = pair({ address: A4, address6: A6 }, { address: B4, address6: B6 });
    b.listen(80, { address: B4 });
    const c6 = a.connect(0, { address: B6, port: 80 });
    net.run({ until: 1000 });
    expect(c6.closeReason).toBe('refused');
  });
});

describe('ICMPv6', () => {
  function icmp6(type: number, body: Uint8Array, src = B6, dst = A6): Uint8Array {
    const msg = new Uint8Array(4 + body.length);
    msg[0] = type;
    msg.set(body, 4);
    const sum = ipv6UpperChecksum(bytes6(src), bytes6(dst), NEXT_ICMPV6, msg);
    msg[2] = sum >> 8;
    msg[3] = sum & 0xff;
    return emitIpv6({ src: bytes6(src), dst: bytes6(dst), nextHeader: NEXT_ICMPV6 }, msg);
  }

  it('answers an echo request and counts router solicitations, answering none', () => {
    const s = new Stack({ address: A6, rng: new SeededRng(1) });
    s.handlePacket(0, icmp6(128, new Uint8Array([0, 1, 0, 2, 9, 9])));
    const reply = s.pollTransmit(0) as Uint8Array;
    expect(reply[0] >> 4).toBe(6);
    expect(reply[40]).toBe(129);
    expect(s.counters.icmpEchoReplies).toBe(1);
    s.handlePacket(0, icmp6(133, new Uint8Array(4), 'fe80::1', 'ff02::2'));
    expect(s.pollTransmit(0)).toBeUndefined();
    expect(s.counters.routerSolicitations).toBe(1);
  });

  it('a port unreachable quoting our SYN ends the opening with ECONNREFUSED', () => {
    const s = new Stack({ address: A6, rng: new SeededRng(1) });
    const c = s.connect(0, { address: B6, port: 80 });
    const synPacket = s.pollTransmit(0) as Uint8Array;
    const body = new Uint8Array(4 + 48);
    body.set(synPacket.subarray(0, 48), 4);
    const err = icmp6(1, body);
    err[41] = 4; // code: port unreachable
    // recompute the checksum for the new code
    err[42] = 0;
    err[43] = 0;
    const sum = ipv6UpperChecksum(bytes6(B6), bytes6(A6), NEXT_ICMPV6, err.subarray(40));
    err[42] = sum >> 8;
    err[43] = sum & 0xff;
    s.handlePacket(1, err);
    expect(c.state).toBe('CLOSED');
    expect(s.icmpErrors.get(c)).toBe('ECONNREFUSED');
  });
});
