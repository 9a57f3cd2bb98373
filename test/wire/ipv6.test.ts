/**
 * IPv6 (RFC 8200) and ICMPv6 (RFC 4443) from packets captured on loopback
 * (test/fixtures/wire/packets-ipv6.ts), extension-header chains built here, and every prefix and
 * random byte string (never an exception).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksumFinish, sumBytes } from '../../src/wire/checksum.js';
import {
  classifyIcmpv6Error,
  ICMPV6_PACKET_TOO_BIG,
  icmpv6EchoReply,
  parseIcmpv6,
  quotedTcp,
} from '../../src/wire/icmpv6.js';
import {
  emitIpv6,
  IPV6_HEADER_LENGTH,
  ipv6PseudoHeaderSum,
  ipv6UpperChecksum,
  NEXT_AH,
  NEXT_DEST_OPTS,
  NEXT_ESP,
  NEXT_FRAGMENT,
  NEXT_HOP_BY_HOP,
  NEXT_ICMPV6,
  NEXT_ROUTING,
  NEXT_TCP,
  parseIpv6,
} from '../../src/wire/ipv6.js';
import * as fx from '../fixtures/wire/packets-ipv6.js';
import { bytesToHex, hexToBytes } from './helpers.js';

const LOOPBACK = hexToBytes('00000000000000000000000000000001');

function parsed(hex: string) {
  const r = parseIpv6(hexToBytes(hex));
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return r.value;
}

/** A packet with the given extension headers (each [type, body bytes]) before `upper`. */
function chain(extensions: Array<[number, Uint8Array]>, upperProtocol: number, upper: Uint8Array) {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < extensions.length; i++) {
    const [, body] = extensions[i];
    const next = i + 1 < extensions.length ? extensions[i + 1][0] : upperProtocol;
    const ext = new Uint8Array(body.length + 2);
    ext[0] = next;
    ext[1] = extensions[i][0] === NEXT_AH ? (ext.length >> 2) - 2 : (ext.length >> 3) - 1;
    ext.set(body, 2);
    parts.push(ext);
  }
  parts.push(upper);
  const payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    payload.set(p, at);
    at += p.length;
  }
  const first = extensions.length > 0 ? extensions[0][0] : upperProtocol;
  return emitIpv6({ src: LOOPBACK, dst: LOOPBACK, nextHeader: first }, payload);
}

const six = new Uint8Array(6);
const TCP20 = hexToBytes('8dd68437801f6e89000000005002ffff00000000');

describe('IPv6 header', () => {
  it('reads a captured SYN: flow label, hop limit, addresses, TCP after 40 bytes', () => {
    const { header, payload, headerLength } = parsed(fx.SYN_V6);
    expect(header.trafficClass).toBe(0);
    expect(header.flowLabel).toBe(0xdca93);
    expect(header.hopLimit).toBe(64);
    expect(bytesToHex(header.src)).toBe(bytesToHex(LOOPBACK));
    expect(bytesToHex(header.dst)).toBe(bytesToHex(LOOPBACK));
    expect(header.protocol).toBe(NEXT_TCP);
    expect(header.extensions).toEqual([]);
    expect(headerLength).toBe(IPV6_HEADER_LENGTH);
    expect(payload.length).toBe(40);
    expect((payload[0] << 8) | payload[1]).toBe(36310);
  });

  it('emits the same bytes back from the fields it read', () => {
    const bytes = hexToBytes(fx.SYN_V6);
    const { header, payload } = parsed(fx.SYN_V6);
    const out = emitIpv6(
      {
        src: header.src,
        dst: header.dst,
        nextHeader: header.protocol,
        trafficClass: header.trafficClass,
        flowLabel: header.flowLabel,
        hopLimit: header.hopLimit,
      },
      payload,
    );
    expect(bytesToHex(out)).toBe(bytesToHex(bytes));
  });

  it('keeps traffic class and flow label apart in the first 4 bytes', () => {
    const out = emitIpv6(
      { src: LOOPBACK, dst: LOOPBACK, nextHeader: 59, trafficClass: 0xb9, flowLabel: 0xfedcb },
      new Uint8Array(0),
    );
    expect(bytesToHex(out.subarray(0, 4))).toBe('6b9fedcb');
    const r = parseIpv6(out);
    expect(r.ok && r.value.header.trafficClass).toBe(0xb9);
    expect(r.ok && r.value.header.flowLabel).toBe(0xfedcb);
  });

  it('computes a TCP checksum over the IPv6 pseudo-header that verifies to zero', () => {
    const tcp = TCP20.slice();
    const c = ipv6UpperChecksum(LOOPBACK, LOOPBACK, NEXT_TCP, tcp);
    tcp[16] = c >> 8;
    tcp[17] = c;
    const sum = sumBytes(tcp, 0, tcp.length, ipv6PseudoHeaderSum(LOOPBACK, LOOPBACK, 6, 20));
    expect(checksumFinish(sum)).toBe(0);
    tcp[19] ^= 1;
    expect(
      checksumFinish(sumBytes(tcp, 0, tcp.length, ipv6PseudoHeaderSum(LOOPBACK, LOOPBACK, 6, 20))),
    ).not.toBe(0);
  });

  it('walks hop-by-hop, destination options, routing and AH to the upper layer', () => {
    const packet = chain(
      [
        [NEXT_HOP_BY_HOP, six],
        [NEXT_DEST_OPTS, new Uint8Array(14)],
        [NEXT_ROUTING, six],
        [NEXT_AH, new Uint8Array(10)],
      ],
      NEXT_TCP,
      TCP20,
    );
    const r = parseIpv6(packet);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.header.protocol).toBe(NEXT_TCP);
    expect(r.value.header.extensions.map((e) => [e.type, e.offset, e.length])).toEqual([
      [NEXT_HOP_BY_HOP, 40, 8],
      [NEXT_DEST_OPTS, 48, 16],
      [NEXT_ROUTING, 64, 8],
      [NEXT_AH, 72, 12],
    ]);
    expect(r.value.headerLength).toBe(84);
    expect(bytesToHex(r.value.payload)).toBe(bytesToHex(TCP20));
  });

  it('refuses a fragment, and reads through an atomic fragment (RFC 6946)', () => {
    const more = chain([[NEXT_FRAGMENT, hexToBytes('000112345678')]], NEXT_TCP, TCP20);
    expect(parseIpv6(more)).toMatchObject({ ok: false, reason: 'fragment' });
    const later = chain([[NEXT_FRAGMENT, hexToBytes('00b812345678')]], NEXT_TCP, TCP20);
    expect(parseIpv6(later)).toMatchObject({ ok: false, reason: 'fragment' });
    const atomic = chain([[NEXT_FRAGMENT, hexToBytes('000012345678')]], NEXT_TCP, TCP20);
    const r = parseIpv6(atomic);
    expect(r.ok && r.value.header.protocol).toBe(NEXT_TCP);
    expect(r.ok && r.value.headerLength).toBe(48);
  });

  it('names ESP, no-next-header and unknown protocols for the caller to count and drop', () => {
    for (const protocol of [NEXT_ESP, 59, 253]) {
      const r = parseIpv6(chain([[NEXT_DEST_OPTS, six]], protocol, new Uint8Array(8)));
      expect(r.ok && r.value.header.protocol).toBe(protocol);
    }
  });

  it('refuses hop-by-hop options that are not first, and a jumbogram', () => {
    const late = chain(
      [
        [NEXT_DEST_OPTS, six],
        [NEXT_HOP_BY_HOP, six],
      ],
      NEXT_TCP,
      TCP20,
    );
    expect(parseIpv6(late)).toMatchObject({ ok: false, reason: 'bad-option' });
    const jumbo = chain([[NEXT_HOP_BY_HOP, six]], NEXT_TCP, TCP20);
    jumbo[4] = 0;
    jumbo[5] = 0;
    expect(parseIpv6(jumbo)).toMatchObject({ ok: false, reason: 'bad-total-length' });
  });

  it('says truncated for every short prefix, and for an extension past the end', () => {
    const bytes = hexToBytes(fx.SYN_V6);
    for (let n = 0; n < bytes.length; n++) {
      expect(parseIpv6(bytes.subarray(0, n))).toMatchObject({ ok: false, reason: 'truncated' });
    }
    const packet = chain([[NEXT_DEST_OPTS, new Uint8Array(14)]], NEXT_TCP, new Uint8Array(0));
    packet[41] = 5; // says 48 bytes where 16 are
    expect(parseIpv6(packet)).toMatchObject({ ok: false, reason: 'truncated' });
    const four = bytes.slice();
    four[0] = 0x45;
    expect(parseIpv6(four)).toMatchObject({ ok: false, reason: 'bad-version' });
  });

  it('ignores link padding after the payload length', () => {
    const padded = new Uint8Array(hexToBytes(fx.SYN_V6).length + 6);
    padded.set(hexToBytes(fx.SYN_V6));
    const r = parseIpv6(padded);
    expect(r.ok && r.value.payload.length).toBe(40);
  });

  it('refuses what does not fit when emitting', () => {
    expect(() =>
      emitIpv6({ src: new Uint8Array(4), dst: LOOPBACK, nextHeader: 6 }, new Uint8Array(0)),
    ).toThrow(RangeError);
    expect(() =>
      emitIpv6({ src: LOOPBACK, dst: LOOPBACK, nextHeader: 6, flowLabel: 1 << 20 }, TCP20),
    ).toThrow(RangeError);
    expect(() =>
      emitIpv6({ src: LOOPBACK, dst: LOOPBACK, nextHeader: 6 }, new Uint8Array(65536)),
    ).toThrow(RangeError);
  });

  it('never throws on random bytes, with or without allowTruncated', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, allowTruncated) => {
        if (bytes.length > 0) bytes[0] = (bytes[0] & 0x0f) | 0x60;
        const r = parseIpv6(bytes, { allowTruncated });
        if (r.ok) expect(r.value.headerLength).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ICMPv6', () => {
  it('reads the captured echo request and answers with the kernel’s own reply', () => {
    const request = parsed(fx.ECHO_REQUEST_V6);
    expect(request.header.protocol).toBe(NEXT_ICMPV6);
    const m = parseIcmpv6(request.payload, request.header.src, request.header.dst);
    expect(m.ok).toBe(true);
    if (!m.ok || m.value.kind !== 'echo-request') throw new Error('not an echo request');
    expect(m.value.identifier).toBe(0x6ef3);
    expect(m.value.sequence).toBe(1);
    expect(m.value.data.length).toBe(56);
    const reply = icmpv6EchoReply(m.value, request.header.src, request.header.dst);
    const kernel = hexToBytes(fx.ECHO_REPLY_V6);
    // The kernel picked its own flow label; everything from the payload length on is the same.
    expect(bytesToHex(reply.subarray(4))).toBe(bytesToHex(kernel.subarray(4)));
  });

  it('reads the kernel’s port unreachable and its quote of a UDP datagram', () => {
    const p = parsed(fx.PORT_UNREACHABLE_V6);
    const m = parseIcmpv6(p.payload, p.header.src, p.header.dst);
    if (!m.ok || m.value.kind !== 'error') throw new Error('not an error');
    expect([m.value.type, m.value.code]).toEqual([1, 4]);
    const quote = parseIpv6(m.value.quote, { allowTruncated: true });
    expect(quote.ok && quote.value.header.protocol).toBe(17);
    expect(quotedTcp(m.value.quote)).toBeUndefined();
    expect(classifyIcmpv6Error(1, 4)).toEqual({ errno: 'ECONNREFUSED', hard: true });
  });

  it('finds the 4-tuple and sequence number in a packet-too-big quoting a TCP segment', () => {
    const syn = hexToBytes(fx.SYN_V6);
    const message = new Uint8Array(8 + 48); // the quote cut after 8 bytes of TCP
    message[0] = ICMPV6_PACKET_TOO_BIG;
    message.set([0, 0, 0x05, 0x00], 4); // MTU 1280
    message.set(syn.subarray(0, 48), 8);
    const c = ipv6UpperChecksum(LOOPBACK, LOOPBACK, NEXT_ICMPV6, message);
    message[2] = c >> 8;
    message[3] = c;
    const m = parseIcmpv6(message, LOOPBACK, LOOPBACK);
    if (!m.ok || m.value.kind !== 'error') throw new Error('not an error');
    expect(m.value.value).toBe(1280);
    expect(quotedTcp(m.value.quote)).toMatchObject({
      srcPort: 36310,
      dstPort: 33847,
      seq: 0x801f6e89,
    });
    expect(classifyIcmpv6Error(ICMPV6_PACKET_TOO_BIG, 0)).toEqual({ pmtu: true });
    message[9] ^= 0xff;
    expect(parseIcmpv6(message, LOOPBACK, LOOPBACK)).toMatchObject({
      ok: false,
      reason: 'bad-checksum',
    });
  });

  it('classifies errors as Linux does: port unreachable and prohibited are hard, no route soft', () => {
    expect(classifyIcmpv6Error(1, 0)).toEqual({ errno: 'ENETUNREACH', hard: false });
    expect(classifyIcmpv6Error(1, 1)).toEqual({ errno: 'EACCES', hard: true });
    expect(classifyIcmpv6Error(1, 3)).toEqual({ errno: 'EHOSTUNREACH', hard: false });
    expect(classifyIcmpv6Error(3, 0)).toEqual({ errno: 'EHOSTUNREACH', hard: false });
    expect(classifyIcmpv6Error(4, 1)).toEqual({ errno: 'EPROTO', hard: true });
  });

  it('names other messages (a router solicitation) without reading them', () => {
    const rs = new Uint8Array(8);
    rs[0] = 133;
    const c = ipv6UpperChecksum(LOOPBACK, LOOPBACK, NEXT_ICMPV6, rs);
    rs[2] = c >> 8;
    rs[3] = c;
    expect(parseIcmpv6(rs, LOOPBACK, LOOPBACK)).toMatchObject({
      ok: true,
      value: { kind: 'other', type: 133 },
    });
  });

  it('never throws on random messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        parseIcmpv6(bytes, LOOPBACK, LOOPBACK);
        quotedTcp(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
