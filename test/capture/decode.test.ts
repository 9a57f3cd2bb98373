import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/capture/decode.js';
import { Frame } from '../../src/capture/frame.js';
import { ACK, bsdNull, ethernet, FIN, ipv4, ipv6, PSH, SYN, sll, sll2, tcp } from './build.js';

const seg = tcp({
  sport: 40000,
  dport: 443,
  seq: 7,
  ack: 9,
  flags: PSH | ACK,
  win: 512,
  payload: 100,
});
const v4 = ipv4('192.0.2.1', '198.51.100.2', seg);
const v6 = ipv6('2001:db8::1', '2001:db8:0:0:1::2', seg);

function frame(linktype: number, data: Uint8Array, originalLength = data.length): Frame {
  // Inside a bigger buffer, as the readers hand frames on.
  const buffer = new Uint8Array(data.length + 11);
  buffer.set(data, 7);
  return new Frame().fill(1, linktype, buffer, 7, data.length, originalLength, 0);
}

function decoded(linktype: number, data: Uint8Array, originalLength?: number) {
  const d = decodeFrame(frame(linktype, data, originalLength));
  if (!d.ok) throw new Error(`skipped: ${d.reason}`);
  return d.packet;
}

describe('link types', () => {
  const cases: Array<[string, number, Uint8Array, 4 | 6]> = [
    ['raw IPv4', 101, v4, 4],
    ['raw IPv6', 101, v6, 6],
    ['LINKTYPE_IPV4', 228, v4, 4],
    ['LINKTYPE_IPV6', 229, v6, 6],
    ['Ethernet', 1, ethernet(v4), 4],
    ['Ethernet, IPv6', 1, ethernet(v6), 6],
    ['Ethernet with 802.1Q', 1, ethernet(v4, [0x8100]), 4],
    ['Ethernet with QinQ (802.1ad + 802.1Q)', 1, ethernet(v6, [0x88a8, 0x8100]), 6],
    ['Linux SLL', 113, sll(v4), 4],
    ['Linux SLL2', 276, sll2(v6), 6],
    ['BSD NULL, little-endian', 0, bsdNull(v4, true), 4],
    ['BSD NULL, big-endian IPv6 (AF_INET6 30)', 0, bsdNull(v6, false, 30), 6],
    ['BSD NULL IPv6 (AF_INET6 24)', 0, bsdNull(v6, true, 24), 6],
    ['OpenBSD LOOP', 108, bsdNull(v4, false), 4],
  ];
  for (const [name, linktype, data, version] of cases) {
    it(name, () => {
      const p = decoded(linktype, data);
      expect(p).toMatchObject({
        version,
        sport: 40000,
        dport: 443,
        seq: 7,
        ack: 9,
        flags: PSH | ACK,
        win: 512,
        len: 100,
      });
      expect(p.src).toBe(version === 4 ? '192.0.2.1' : '2001:db8::1');
      expect(p.dst).toBe(version === 4 ? '198.51.100.2' : '2001:db8::1:0:0:2');
    });
  }

  it('counts what is not IP or not TCP, and link types it does not know', () => {
    expect(decodeFrame(frame(1, ethernet(v4, [], 0x0806)))).toEqual({
      ok: false,
      reason: 'not-ip',
    });
    expect(
      decodeFrame(frame(101, ipv4('1.1.1.1', '2.2.2.2', new Uint8Array(8), { protocol: 17 }))),
    ).toEqual({ ok: false, reason: 'not-tcp' });
    expect(decodeFrame(frame(147, v4))).toEqual({ ok: false, reason: 'unsupported-linktype' });
    expect(decodeFrame(frame(1, ethernet(v4).subarray(0, 10)))).toEqual({
      ok: false,
      reason: 'truncated',
    });
  });
});

describe('IP', () => {
  it('walks IPv6 extension headers: hop-by-hop, routing, destination options, AH, an atomic fragment', () => {
    const p = decoded(
      101,
      ipv6('fe80::1', 'fe80::2', seg, [
        { type: 0 },
        { type: 43, bytes: 24 },
        { type: 60 },
        { type: 51, bytes: 16 },
        { type: 44, fragment: 0 },
      ]),
    );
    expect(p).toMatchObject({ sport: 40000, len: 100 });
  });

  it('skips IPv4 and IPv6 fragments, first or later', () => {
    expect(decodeFrame(frame(101, ipv4('1.1.1.1', '2.2.2.2', seg, { fragment: 0x2000 })))).toEqual({
      ok: false,
      reason: 'fragment',
    });
    expect(decodeFrame(frame(101, ipv4('1.1.1.1', '2.2.2.2', seg, { fragment: 185 })))).toEqual({
      ok: false,
      reason: 'fragment',
    });
    expect(decodeFrame(frame(101, ipv6('::1', '::2', seg, [{ type: 44, fragment: 1 }])))).toEqual({
      ok: false,
      reason: 'fragment',
    });
    expect(
      decodeFrame(frame(101, ipv6('::1', '::2', seg, [{ type: 44, fragment: 0x100 }]))),
    ).toEqual({ ok: false, reason: 'fragment' });
  });

  it('uses a snaplen-cut packet for its headers, with the payload length from IP', () => {
    const cut = ethernet(v4).subarray(0, 14 + 20 + 16);
    const p = decoded(1, cut, ethernet(v4).length);
    expect(p).toMatchObject({ len: 100, seq: 7, win: 512, cut: true });
  });

  it('reads the MSS and window scale of a SYN, and clamps a scale above 14 (RFC 7323 2.3)', () => {
    const s = decoded(
      101,
      ipv4('1.1.1.1', '2.2.2.2', tcp({ sport: 1, dport: 2, seq: 0, flags: SYN, wscale: 15 })),
    );
    expect(s).toMatchObject({ mss: 1460, wscale: 14, len: 0 });
    const f = decoded(
      101,
      ipv4('1.1.1.1', '2.2.2.2', tcp({ sport: 1, dport: 2, seq: 0, flags: FIN | ACK })),
    );
    expect(f.wscale).toBeUndefined();
  });

  it('rejects headers whose lengths contradict each other', () => {
    const bad = v4.slice();
    bad[0] = 0x43; // IHL 3
    expect(decodeFrame(frame(101, bad))).toEqual({ ok: false, reason: 'bad-header' });
    const offset = v4.slice();
    offset[20 + 12] = 0xf0; // data offset 60 with 100 payload is fine; 0x30 (12 bytes) is not
    offset[20 + 12] = 0x30;
    expect(decodeFrame(frame(101, offset))).toEqual({ ok: false, reason: 'bad-header' });
  });
});
