/** Building packets from reprs: defaults, padding, limits. */
import { describe, expect, it } from 'vitest';
import {
  emitIpv4,
  emitPacket,
  emitTcp,
  emptyFlags,
  flagsFrom,
  formatSegment,
  packetLength,
  parseIpv4,
  parsePacket,
  parseTcp,
  type TcpOption,
  type TcpSegment,
  tcpHeaderLength,
  writePacket,
} from '../../src/wire/index.js';

function segment(overrides: Partial<TcpSegment> = {}): TcpSegment {
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: 0xfffffff0,
    ack: 0,
    flags: flagsFrom('S'),
    window: 65535,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
    ...overrides,
  };
}

const ip = { src: '192.0.2.1', dst: '198.51.100.7' };

describe('emitPacket', () => {
  it('writes a packet that parses back to the same segment, with Linux-like IPv4 defaults', () => {
    const seg = segment({
      flags: flagsFrom('P.'),
      ack: 12345,
      payload: new TextEncoder().encode('hello'),
      options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', value: 7, echo: 9 }],
    });
    const bytes = emitPacket(ip, seg);
    expect(bytes.length).toBe(packetLength(seg));
    expect(bytes.length).toBe(20 + 32 + 5);
    const parsed = parsePacket(bytes);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.tcp).toEqual(seg);
    expect(parsed.value.ip).toMatchObject({
      ...ip,
      ttl: 64,
      tos: 0,
      identification: 0,
      dontFragment: true,
      protocol: 6,
    });
  });

  it('takes ttl, tos, identification, DF and IP options from the caller', () => {
    const bytes = emitPacket(
      {
        ...ip,
        ttl: 1,
        tos: 0x10,
        identification: 0xbeef,
        dontFragment: false,
        options: Uint8Array.of(1, 1, 1),
      },
      segment(),
    );
    const parsed = parsePacket(bytes);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.ip).toMatchObject({
      ttl: 1,
      tos: 0x10,
      identification: 0xbeef,
      dontFragment: false,
    });
    // Three option bytes padded with one EOL byte to a 24-byte header.
    expect(Array.from(parsed.value.ip.options)).toEqual([1, 1, 1, 0]);
  });

  it('pads options to 32 bits with EOL (zero) bytes', () => {
    const options: TcpOption[] = [
      { kind: 'mss', value: 1460 },
      { kind: 'wscale', shift: 7 },
    ];
    expect(tcpHeaderLength(options)).toBe(28);
    const tcp = emitTcp(segment({ options }), ip.src, ip.dst);
    expect(Array.from(tcp.subarray(20, 28))).toEqual([2, 4, 0x05, 0xb4, 3, 3, 7, 0]);
    const back = parseTcp(tcp, ip.src, ip.dst);
    expect(back.ok && back.value.options).toEqual([...options, { kind: 'eol' }]);
  });

  it('emits unknown options as they were parsed', () => {
    const options: TcpOption[] = [{ kind: 'unknown', code: 254, data: Uint8Array.of(0xf9, 0x89) }];
    const tcp = emitTcp(segment({ options }), ip.src, ip.dst);
    const back = parseTcp(tcp, ip.src, ip.dst);
    expect(back.ok && back.value.options).toEqual(options);
  });

  it('refuses reprs that cannot be encoded, with RangeError', () => {
    const fiveSacks: TcpOption = {
      kind: 'sack',
      blocks: [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
        [9, 10],
      ],
    };
    expect(() => emitPacket(ip, segment({ options: [fiveSacks] }))).toThrow(
      /exceed the 40-byte limit/,
    );
    expect(() => emitPacket(ip, segment({ srcPort: 70000 }))).toThrow(RangeError);
    expect(() => emitPacket(ip, segment({ window: -1 }))).toThrow(RangeError);
    expect(() => emitPacket(ip, segment({ options: [{ kind: 'mss', value: 70000 }] }))).toThrow(
      /MSS 70000/,
    );
    expect(() => emitPacket(ip, segment({ options: [{ kind: 'sack', blocks: [] }] }))).toThrow(
      RangeError,
    );
    expect(() => emitPacket(ip, segment({ payload: new Uint8Array(65536) }))).toThrow(
      /exceeds 65535/,
    );
    expect(() => emitPacket({ src: '1.2.3', dst: ip.dst }, segment())).toThrow(
      /not an IPv4 address/,
    );
  });

  it('writes sequence numbers modulo 2^32 and flags as given', () => {
    const seg = segment({
      seq: 0xffffffff,
      ack: 0x80000000,
      flags: { ...emptyFlags(), urg: true, ack: true },
      urgentPointer: 3,
    });
    const parsed = parsePacket(emitPacket(ip, seg));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.tcp).toEqual(seg);
    expect(formatSegment(parsed.value.tcp)).toBe(
      '.U 4294967295:4294967295(0) ack 2147483648 win 65535 urg 3',
    );
  });
});

describe('packet buffers', () => {
  it('never overlap: each emitted packet keeps its bytes when others are emitted or changed', () => {
    const packets = Array.from({ length: 300 }, (_, i) =>
      emitPacket(ip, segment({ seq: i, payload: new Uint8Array(i * 7) })),
    );
    packets[0].fill(0xff);
    packets.slice(1).forEach((bytes, k) => {
      const parsed = parsePacket(bytes);
      expect(parsed.ok && parsed.value.tcp.seq).toBe(k + 1);
    });
    // Packets start 8-byte aligned, so a consumer may take a typed-array view of them.
    for (const bytes of packets) expect(bytes.byteOffset % 8).toBe(0);
  });

  it('writePacket writes what emitPacket emits, at any offset of a caller buffer', () => {
    const seg = segment({
      payload: Uint8Array.of(1, 2, 3),
      options: [{ kind: 'mss', value: 1460 }],
    });
    const want = emitPacket(ip, seg);
    const out = new Uint8Array(want.length + 5);
    expect(writePacket(out, 5, ip, seg)).toBe(want.length);
    expect(Array.from(out.subarray(5))).toEqual(Array.from(want));
    expect(parsePacket(out.subarray(5)).ok).toBe(true);
  });
});

describe('emitIpv4', () => {
  it('computes length and checksum and carries any protocol', () => {
    const payload = Uint8Array.of(8, 0, 0xf7, 0xff, 0, 0, 0, 0); // an ICMP echo request
    const bytes = emitIpv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 1 }, payload);
    const parsed = parseIpv4(bytes);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.header).toMatchObject({
      protocol: 1,
      ttl: 64,
      dontFragment: false,
      src: '10.0.0.1',
    });
    expect(Array.from(parsed.value.payload)).toEqual(Array.from(payload));
    expect(parsePacket(bytes)).toMatchObject({ ok: false, reason: 'not-tcp' });
  });

  it('refuses more than 40 bytes of IP options', () => {
    expect(() =>
      emitIpv4(
        { src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, options: new Uint8Array(41) },
        new Uint8Array(0),
      ),
    ).toThrow(RangeError);
  });
});
