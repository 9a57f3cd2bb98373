/**
 * Real captured packets (test/fixtures/wire): every field as tcpdump -v read it, and emitted
 * back byte for byte.
 */
import { describe, expect, it } from 'vitest';
import {
  describeSegment,
  emitIpv4,
  emitPacket,
  emitTcp,
  findOption,
  formatFlags,
  formatSegment,
  type Ipv4Header,
  parseIpv4,
  parsePacket,
  parseTcp,
  type TcpOption,
  type TcpSegment,
  tcpHeaderLength,
} from '../../src/wire/index.js';
import * as fx from '../fixtures/wire/packets.js';
import { bytesToHex, hexToBytes } from './helpers.js';

interface Expected {
  ip: Partial<Ipv4Header>;
  tcp: Omit<TcpSegment, 'flags' | 'payload' | 'urgentPointer'> & {
    flags: string;
    payloadLength: number;
  };
  text: string;
}

const A1 = '10.77.0.1';
const A2 = '10.77.0.2';
const T1 = '10.79.0.1';
const T2 = '10.79.0.2';
const dfIp = {
  tos: 0,
  ttl: 64,
  protocol: 6,
  dontFragment: true,
  moreFragments: false,
  fragmentOffset: 0,
};
const ts = (value: number, echo: number): TcpOption => ({ kind: 'timestamp', value, echo });
const nop: TcpOption = { kind: 'nop' };

const expected: Record<keyof typeof fx.allPackets, Expected> = {
  syn: {
    ip: { ...dfIp, identification: 17350, src: A1, dst: A2 },
    tcp: {
      srcPort: 45876,
      dstPort: 8080,
      seq: 1355961238,
      ack: 0,
      flags: 'SYN',
      window: 64240,
      options: [
        { kind: 'mss', value: 1460 },
        { kind: 'sack-permitted' },
        ts(4025011440, 0),
        nop,
        { kind: 'wscale', shift: 10 },
      ],
      payloadLength: 0,
    },
    text: 'S 1355961238:1355961238(0) win 64240 <mss 1460,sackOK,TS val 4025011440 ecr 0,nop,wscale 10>',
  },
  synAck: {
    ip: { ...dfIp, identification: 0, src: A2, dst: A1 },
    tcp: {
      srcPort: 8080,
      dstPort: 45876,
      seq: 2196755796,
      ack: 1355961239,
      flags: 'SYN,ACK',
      window: 65160,
      options: [
        { kind: 'mss', value: 1460 },
        { kind: 'sack-permitted' },
        ts(878024574, 4025011440),
        nop,
        { kind: 'wscale', shift: 10 },
      ],
      payloadLength: 0,
    },
    text: 'S. 2196755796:2196755796(0) ack 1355961239 win 65160 <mss 1460,sackOK,TS val 878024574 ecr 4025011440,nop,wscale 10>',
  },
  ackTimestamps: {
    ip: { ...dfIp, identification: 17351, src: A1, dst: A2 },
    tcp: {
      srcPort: 45876,
      dstPort: 8080,
      seq: 1355961239,
      ack: 2196755797,
      flags: 'ACK',
      window: 63,
      options: [nop, nop, ts(4025011440, 878024574)],
      payloadLength: 0,
    },
    text: '. 1355961239:1355961239(0) ack 2196755797 win 63 <nop,nop,TS val 4025011440 ecr 878024574>',
  },
  dataPsh: {
    ip: { ...dfIp, identification: 17352, src: A1, dst: A2 },
    tcp: {
      srcPort: 45876,
      dstPort: 8080,
      seq: 1355961239,
      ack: 2196755797,
      flags: 'PSH,ACK',
      window: 63,
      options: [nop, nop, ts(4025011440, 878024574)],
      payloadLength: 96,
    },
    text: 'P. 1355961239:1355961335(96) ack 2196755797 win 63 <nop,nop,TS val 4025011440 ecr 878024574>',
  },
  finAck: {
    ip: { ...dfIp, identification: 17379, src: A1, dst: A2 },
    tcp: {
      srcPort: 45876,
      dstPort: 8080,
      seq: 1355961335,
      ack: 2197056002,
      flags: 'FIN,ACK',
      window: 79,
      options: [nop, nop, ts(4025011472, 878024606)],
      payloadLength: 0,
    },
    text: 'F. 1355961335:1355961335(0) ack 2197056002 win 79 <nop,nop,TS val 4025011472 ecr 878024606>',
  },
  rstAck: {
    ip: { ...dfIp, identification: 0, src: A2, dst: A1 },
    tcp: {
      srcPort: 9,
      dstPort: 49948,
      seq: 0,
      ack: 4147879748,
      flags: 'RST,ACK',
      window: 0,
      options: [],
      payloadLength: 0,
    },
    text: 'R. 0:0(0) ack 4147879748 win 0',
  },
  sackOneBlock: {
    ip: { ...dfIp, identification: 19061, src: T1, dst: T2 },
    tcp: {
      srcPort: 8080,
      dstPort: 40000,
      seq: 3991939375,
      ack: 1001,
      flags: 'ACK',
      window: 64,
      options: [nop, nop, ts(3755712287, 101), nop, nop, { kind: 'sack', blocks: [[1101, 1201]] }],
      payloadLength: 0,
    },
    text: '. 3991939375:3991939375(0) ack 1001 win 64 <nop,nop,TS val 3755712287 ecr 101,nop,nop,sack 1101:1201>',
  },
  sackTwoBlocks: {
    ip: { ...dfIp, identification: 19062, src: T1, dst: T2 },
    tcp: {
      srcPort: 8080,
      dstPort: 40000,
      seq: 3991939375,
      ack: 1001,
      flags: 'ACK',
      window: 64,
      options: [
        nop,
        nop,
        ts(3755712287, 101),
        nop,
        nop,
        {
          kind: 'sack',
          blocks: [
            [1301, 1401],
            [1101, 1201],
          ],
        },
      ],
      payloadLength: 0,
    },
    text: '. 3991939375:3991939375(0) ack 1001 win 64 <nop,nop,TS val 3755712287 ecr 101,nop,nop,sack 1301:1401 1101:1201>',
  },
  rstHandmade: {
    ip: { ...dfIp, identification: 1, src: T2, dst: T1 },
    // The script left an acknowledgment number in the field with ACK off: it is kept as sent
    // (and emitted back), and the text form leaves it out as tcpdump does.
    tcp: {
      srcPort: 40000,
      dstPort: 8080,
      seq: 1401,
      ack: 3991939375,
      flags: 'RST',
      window: 502,
      options: [],
      payloadLength: 0,
    },
    text: 'R 1401:1401(0) win 502',
  },
};

const names = Object.keys(fx.allPackets) as Array<keyof typeof fx.allPackets>;

describe.each(names)('captured packet %s', (name) => {
  const bytes = hexToBytes(fx.allPackets[name].hex);
  const want = expected[name];

  it('parses every IPv4 and TCP field as tcpdump read them', () => {
    const parsed = parsePacket(bytes);
    if (!parsed.ok) throw new Error(`${parsed.reason}: ${parsed.detail}`);
    const { ip, tcp } = parsed.value;
    expect(ip).toMatchObject(want.ip);
    expect(ip.options.length).toBe(0);
    const { flags, payloadLength, ...fields } = want.tcp;
    expect(tcp).toMatchObject({ ...fields, urgentPointer: 0 });
    expect(tcp.options).toEqual(want.tcp.options);
    expect(formatFlags(tcp.flags)).toBe(flags);
    expect(tcp.payload.length).toBe(payloadLength);
    expect(formatSegment(tcp)).toBe(want.text);
  });

  it('keeps the payload as a view into the packet, not a copy', () => {
    const parsed = parsePacket(bytes);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.tcp.payload.buffer).toBe(bytes.buffer);
    expect(parsed.value.tcp.payload.byteOffset).toBe(bytes.length - want.tcp.payloadLength);
  });

  it('emits the same bytes back (emitPacket, and emitIpv4 over emitTcp)', () => {
    const parsed = parsePacket(bytes);
    if (!parsed.ok) throw new Error(parsed.reason);
    const { ip, tcp } = parsed.value;
    expect(bytesToHex(emitPacket(ip, tcp))).toBe(fx.allPackets[name].hex);
    expect(bytesToHex(emitIpv4(ip, emitTcp(tcp, ip.src, ip.dst)))).toBe(fx.allPackets[name].hex);
    expect(tcpHeaderLength(tcp.options)).toBe(bytes[20 + 12] >> 2);
  });

  it('parses in layers: parseIpv4 then parseTcp with the addresses', () => {
    const ip = parseIpv4(bytes);
    if (!ip.ok) throw new Error(ip.reason);
    expect(ip.value.headerLength).toBe(20);
    const tcp = parseTcp(ip.value.payload, ip.value.header.src, ip.value.header.dst);
    expect(tcp.ok).toBe(true);
    // The checksum covers the pseudo-header: a different destination fails it.
    const wrongDst = parseTcp(ip.value.payload, ip.value.header.src, '10.0.0.9');
    expect(wrongDst).toMatchObject({ ok: false, reason: 'bad-checksum' });
    expect(
      parseTcp(ip.value.payload, ip.value.header.src, '10.0.0.9', { verifyChecksum: false }).ok,
    ).toBe(true);
  });
});

describe('reading fixtures through the helpers', () => {
  it('finds options by kind, typed', () => {
    const parsed = parsePacket(hexToBytes(fx.syn.hex));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(findOption(parsed.value.tcp, 'mss')?.value).toBe(1460);
    expect(findOption(parsed.value.tcp, 'wscale')?.shift).toBe(10);
    expect(findOption(parsed.value.tcp, 'timestamp')).toEqual({
      kind: 'timestamp',
      value: 4025011440,
      echo: 0,
    });
    expect(findOption(parsed.value.tcp, 'sack')).toBeUndefined();
  });

  it('describes segments relative to the ISNs, as diagrams show them', () => {
    const synAck = parsePacket(hexToBytes(fx.synAck.hex));
    const data = parsePacket(hexToBytes(fx.dataPsh.hex));
    if (!synAck.ok || !data.ok) throw new Error('fixture');
    const clientIss = 1355961238;
    const serverIss = 2196755796;
    expect(describeSegment(synAck.value.tcp, { seqBase: serverIss, ackBase: clientIss })).toBe(
      'SYN,ACK seq=0 ack=1 win=65160',
    );
    expect(describeSegment(data.value.tcp, { seqBase: clientIss, ackBase: serverIss })).toBe(
      'PSH,ACK seq=1 ack=1 win=63 len=96',
    );
    expect(formatSegment(data.value.tcp, { seqBase: clientIss, ackBase: serverIss })).toBe(
      'P. 1:97(96) ack 1 win 63 <nop,nop,TS val 4025011440 ecr 878024574>',
    );
    expect(new TextDecoder().decode(data.value.tcp.payload).split('\r\n')[0]).toBe(
      'GET /wirecap-blob-25763 HTTP/1.1',
    );
  });

  it('shows SACK blocks relative to the ack base', () => {
    const sack = parsePacket(hexToBytes(fx.sackTwoBlocks.hex));
    if (!sack.ok) throw new Error(sack.reason);
    expect(
      describeSegment(sack.value.tcp, { seqBase: 3991939374, ackBase: 1000, withOptions: true }),
    ).toBe(
      'ACK seq=1 ack=1 win=64 <nop,nop,TS val 3755712287 ecr 101,nop,nop,sack 301:401 101:201>',
    );
  });
});
