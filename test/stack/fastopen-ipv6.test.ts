/**
 * TCP Fast Open (RFC 7413) over IPv6 tuples: the server's cookie is SipHash of the client's and
 * the server's 16-byte addresses (RFC 7413 4.1.2: bound to the client's IP address), the
 * client's cache is keyed by the server's IPv6 address, and data on the second SYN reaches the
 * server's application before the handshake ends. An IPv4-mapped client on `::` gets the IPv4
 * cookie, as Linux computes it from the IPv4 addresses of such a connection.
 */
import { describe, expect, it } from 'vitest';
import { type SimHost, SimNetwork } from '../../src/link/sim/network.js';
import type { StackConnection } from '../../src/stack/stack.js';
import { fastOpenOption, readFastOpen } from '../../src/tcp/fastopen.js';
import { emptyFlags } from '../../src/wire/flags.js';
import { parseAnyTcpPacket } from '../../src/wire/packet6.js';
import type { TcpSegment } from '../../src/wire/types.js';

const A6 = '2001:db8::a';
const B6 = '2001:db8::b';
const C6 = '2001:db8::c';
/** Linux's tcp_fastopen_key as the gtests set it (defaults.sh). */
const KEY = 'a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4';
const REQUEST = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');

function network() {
  const net = new SimNetwork(5);
  const a = net.addHost('a', A6);
  const b = net.addHost('b', B6);
  net.link(a, b, { latency: 10 });
  b.stack.fastOpen.flags |= 0x2;
  b.stack.fastOpen.setKey(KEY);
  b.stack.fastOpen.listenerQueues.set(80, 16);
  const listener = b.stack.listen(80);
  return { net, a, b, listener };
}

/** The TCP segments `host` sent, in order. */
function sentBy(net: SimNetwork, host: SimHost): TcpSegment[] {
  return net.trace.flatMap((e) => {
    if (e.type !== 'packet' || e.from !== host.name) return [];
    const p = parseAnyTcpPacket(e.bytes, false);
    return p.ok ? [p.value.tcp] : [];
  });
}

describe('TCP Fast Open over IPv6', () => {
  it('the first SYN asks, the SYN,ACK gives the cookie of the two IPv6 addresses, the second SYN carries data', () => {
    const { net, a, b, listener } = network();
    const first = a.stack.connect(0, { address: B6, port: 80 }, { fastOpen: { data: REQUEST } });
    net.run({ until: 100 });
    expect(first.state).toBe('ESTABLISHED');
    const synAck = sentBy(net, b).find((s) => s.flags.syn) as TcpSegment;
    const cookie = readFastOpen(synAck)?.cookie;
    expect(cookie).toEqual(b.stack.fastOpen.cookieFor(A6, B6));
    expect(cookie).toHaveLength(8);
    // bound to the client's address: another IPv6 client gets another cookie
    expect(b.stack.fastOpen.cookieFor(C6, B6)).not.toEqual(cookie);
    // the first connection's SYN carried no data: the request followed the handshake
    const syns = () => sentBy(net, a).filter((s) => s.flags.syn);
    expect(syns()[0].payload).toHaveLength(0);
    const firstServer = listener.accept() as StackConnection;
    expect(new TextDecoder().decode(firstServer.read())).toBe('GET / HTTP/1.0\r\n\r\n');

    const second = a.stack.connect(200, { address: B6, port: 80 }, { fastOpen: { data: REQUEST } });
    // the SYN reaches b at 210 ms; b's child is acceptable at once, before the handshake ends
    net.run({ until: 211 });
    const child = listener.accept() as StackConnection;
    expect(child.state).toBe('SYN_RECV');
    expect(new TextDecoder().decode(child.read())).toBe('GET / HTTP/1.0\r\n\r\n');
    const synData = syns()[1];
    expect(synData.payload).toEqual(REQUEST);
    expect(readFastOpen(synData)?.cookie).toEqual(cookie);
    net.run({ until: 400 });
    expect(second.state).toBe('ESTABLISHED');
    expect(a.stack.fastOpen.synData.has(second)).toBe(true);
  });

  it('a cookie is not valid for another client address', () => {
    const { b } = network();
    const cookie = b.stack.fastOpen.cookieFor(A6, B6);
    const syn: TcpSegment = {
      srcPort: 40000,
      dstPort: 80,
      seq: 1,
      ack: 0,
      flags: { ...emptyFlags(), syn: true },
      window: 65535,
      urgentPointer: 0,
      options: [{ kind: 'mss', value: 1440 }, fastOpenOption(cookie, false)],
      payload: REQUEST,
    };
    expect(b.stack.fastOpen.serverAnswer(80, A6, B6, syn)?.child).toBe(true);
    // the same SYN from C6 (a copied cookie) is answered with C6's own cookie, its data not taken
    const forged = b.stack.fastOpen.serverAnswer(80, C6, B6, syn);
    expect(forged?.child).toBe(false);
    expect(forged?.option).toEqual(fastOpenOption(b.stack.fastOpen.cookieFor(C6, B6), false));
  });

  it('an IPv4-mapped client of a `::` listener gets the cookie of its IPv4 addresses', () => {
    const { b } = network();
    // 3021b9d889017eeb: the gtests' cookie for 192.0.2.1 to 192.168.0.1 under this key
    const hex = (u: Uint8Array) => [...u].map((x) => x.toString(16).padStart(2, '0')).join('');
    expect(hex(b.stack.fastOpen.cookieFor('192.0.2.1', '192.168.0.1'))).toBe('3021b9d889017eeb');
    expect(hex(b.stack.fastOpen.cookieFor('::ffff:192.0.2.1', '::ffff:192.168.0.1'))).toBe(
      '3021b9d889017eeb',
    );
  });
});
