/** IPv6+TCP packets (packet6.ts): emit and parse round trip, the pseudo-header checksum, reasons. */
import { describe, expect, it } from 'vitest';
import { parseIpv6Address } from '../../src/wire/address6.js';
import { flagsFrom } from '../../src/wire/flags.js';
import { emitPacket6, parseAnyTcpPacket, parseTcpPacket6 } from '../../src/wire/packet6.js';
import type { TcpSegment } from '../../src/wire/types.js';

const SRC = parseIpv6Address('2001:db8::1') as Uint8Array;
const DST = parseIpv6Address('2001:db8::2') as Uint8Array;
const SEG: TcpSegment = {
  srcPort: 40000,
  dstPort: 80,
  seq: 0x01020304,
  ack: 0x0a0b0c0d,
  flags: flagsFrom('P.'),
  window: 512,
  urgentPointer: 0,
  options: [{ kind: 'mss', value: 1440 }],
  payload: new TextEncoder().encode('hello'),
};

describe('IPv6 TCP packets', () => {
  it('round-trips a segment with a checksum over the IPv6 pseudo-header', () => {
    const p = emitPacket6({ src: SRC, dst: DST }, SEG).slice();
    expect(p.length).toBe(40 + 24 + 5);
    expect([p[0] >> 4, p[6], p[7]]).toEqual([6, 6, 64]);
    const parsed = parseTcpPacket6(p, true);
    expect(parsed.ok && parsed.value.tcp).toEqual({ ...SEG, payload: SEG.payload });
    const any = parseAnyTcpPacket(p);
    expect(any.ok && [any.value.version, any.value.src, any.value.dst]).toEqual([
      6,
      '2001:db8::1',
      '2001:db8::2',
    ]);
  });

  it('says bad-checksum when a byte changes, or when the addresses were others', () => {
    const p = emitPacket6({ src: SRC, dst: DST }, SEG).slice();
    p[p.length - 1] ^= 1;
    expect(parseTcpPacket6(p, true)).toMatchObject({ ok: false, reason: 'bad-checksum' });
    expect(parseTcpPacket6(p, false).ok).toBe(true);
    const q = emitPacket6({ src: SRC, dst: DST }, SEG).slice();
    q[39] ^= 1; // the destination address: the pseudo-header no longer matches
    expect(parseTcpPacket6(q, true)).toMatchObject({ ok: false, reason: 'bad-checksum' });
  });

  it('reads TCP behind a destination-options header; other upper layers are not-tcp', () => {
    const plain = emitPacket6({ src: SRC, dst: DST }, SEG).slice();
    const withExt = new Uint8Array(plain.length + 8);
    withExt.set(plain.subarray(0, 40));
    withExt[6] = 60; // destination options, then TCP
    const payloadLength = plain.length - 40 + 8;
    withExt[4] = payloadLength >> 8;
    withExt[5] = payloadLength & 0xff;
    withExt[40] = 6;
    withExt[41] = 0; // 8 bytes: next header, length, a PadN option
    withExt[42] = 1;
    withExt[43] = 4;
    withExt.set(plain.subarray(40), 48);
    const parsed = parseTcpPacket6(withExt, true);
    expect(parsed.ok && parsed.value.tcp.seq).toBe(SEG.seq);
    const udp = plain.slice();
    udp[6] = 17;
    expect(parseTcpPacket6(udp, true)).toMatchObject({ ok: false, reason: 'not-tcp' });
    expect(parseTcpPacket6(plain.subarray(0, 30), true)).toMatchObject({ reason: 'truncated' });
  });
});
