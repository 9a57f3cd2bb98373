/**
 * The virtio-net header of a TUN device with offloads (src/link/tun/vnet.ts): parsed and
 * written from fixed bytes, and built for our own packets from their IP and TCP headers, with a
 * partial checksum that, completed as the kernel completes it, is the packet's real checksum.
 */
import { describe, expect, it } from 'vitest';
import {
  frameForDevice,
  kernelVouches,
  NO_OFFLOAD,
  parseVnetHeader,
  VNET_F_DATA_VALID,
  VNET_F_NEEDS_CSUM,
  VNET_GSO_ECN,
  VNET_GSO_NONE,
  VNET_GSO_TCPV4,
  VNET_GSO_TCPV6,
  vnetHeaderFor,
  writeVnetHeader,
} from '../../src/link/tun/vnet.js';
import { parseIpv6Address } from '../../src/wire/address6.js';
import { checksumFinish, emitPacket, flagsFrom, sumBytes } from '../../src/wire/index.js';
import { emitPacket6 } from '../../src/wire/packet6.js';
import type { TcpSegment } from '../../src/wire/types.js';

// A header the kernel writes before a 64 KB super-segment of IPv4 TCP with timestamps:
// NEEDS_CSUM, TCPV4, hdr_len 52, gso_size 1448, csum_start 20, csum_offset 16.
const FIXTURE = Uint8Array.from([0x01, 0x01, 0x34, 0x00, 0xa8, 0x05, 0x14, 0x00, 0x10, 0x00]);

function segment(payload: number, flags = 'A'): TcpSegment {
  return {
    srcPort: 8080,
    dstPort: 40000,
    seq: 1000,
    ack: 2000,
    flags: flagsFrom(flags),
    window: 512,
    urgentPointer: 0,
    options: [{ kind: 'timestamp', value: 5, echo: 7 }],
    payload: Uint8Array.from({ length: payload }, (_, i) => (i * 7) & 0xff),
  };
}

/** The TCP checksum the kernel would compute over the frame's copy, from its partial sum. */
function completed(frame: Uint8Array, hdr: number, csumStart: number): number {
  const tcp = frame.subarray(hdr + csumStart);
  const partial = (tcp[16] << 8) | tcp[17];
  const copy = Uint8Array.from(tcp);
  copy[16] = 0;
  copy[17] = 0;
  return checksumFinish(sumBytes(copy, 0, copy.length, partial));
}

describe('virtio-net header', () => {
  it('parses the fixture and writes it back byte for byte, 10 and 12 bytes', () => {
    const h = parseVnetHeader(FIXTURE);
    expect(h).toEqual({
      flags: VNET_F_NEEDS_CSUM,
      gsoType: VNET_GSO_TCPV4,
      hdrLen: 52,
      gsoSize: 1448,
      csumStart: 20,
      csumOffset: 16,
    });
    const out = new Uint8Array(10);
    writeVnetHeader(out, h ?? NO_OFFLOAD);
    expect(out).toEqual(FIXTURE);
    const out12 = new Uint8Array(12).fill(0xee);
    writeVnetHeader(out12, h ?? NO_OFFLOAD, 12);
    expect(out12).toEqual(Uint8Array.from([...FIXTURE, 0, 0]));
    expect(parseVnetHeader(out12, 12)).toEqual(h);
  });

  it('a truncated header, or a size that is neither 10 nor 12, is no header', () => {
    expect(parseVnetHeader(FIXTURE.subarray(0, 9))).toBeUndefined();
    expect(parseVnetHeader(FIXTURE, 12)).toBeUndefined();
    expect(parseVnetHeader(new Uint8Array(16), 11)).toBeUndefined();
  });

  it('the kernel vouches for NEEDS_CSUM and DATA_VALID packets only', () => {
    expect(kernelVouches({ ...NO_OFFLOAD, flags: VNET_F_NEEDS_CSUM })).toBe(true);
    expect(kernelVouches({ ...NO_OFFLOAD, flags: VNET_F_DATA_VALID })).toBe(true);
    expect(kernelVouches(NO_OFFLOAD)).toBe(false);
  });
});

describe('vnetHeaderFor / frameForDevice (our packets to the kernel)', () => {
  it('an IPv4 super-segment: TCPV4, gso_size = MTU less its headers, partial sum completing to the real checksum', () => {
    const packet = emitPacket({ src: '10.1.0.2', dst: '10.1.0.1' }, segment(3 * 1448));
    const before = Uint8Array.from(packet);
    const frame = new Uint8Array(10 + packet.length);
    expect(frameForDevice(packet, 1500, frame)).toBe(10 + packet.length);
    const h = parseVnetHeader(frame);
    expect(h).toEqual({
      flags: VNET_F_NEEDS_CSUM,
      gsoType: VNET_GSO_TCPV4,
      hdrLen: 20 + 32,
      gsoSize: 1448,
      csumStart: 20,
      csumOffset: 16,
    });
    // The packet itself keeps its full checksum (captures see it); the frame's copy differs
    // only in the two checksum bytes.
    expect(packet).toEqual(before);
    const real = (packet[36] << 8) | packet[37];
    expect(completed(frame, 10, 20)).toBe(real);
    const diff = [...frame.subarray(10)].flatMap((b, i) => (b !== packet[i] ? [i] : []));
    expect(diff.every((i) => i === 36 || i === 37)).toBe(true);
  });

  it('a segment within the MTU: NEEDS_CSUM without segmentation', () => {
    const packet = emitPacket({ src: '10.1.0.2', dst: '10.1.0.1' }, segment(1448));
    const { header, partial } = vnetHeaderFor(packet, 1500);
    expect(header.gsoType).toBe(VNET_GSO_NONE);
    expect(header.gsoSize).toBe(0);
    expect(header.flags).toBe(VNET_F_NEEDS_CSUM);
    expect(partial).toBeGreaterThanOrEqual(0);
  });

  it('CWR on a super-segment sets the ECN bit of gso_type', () => {
    const packet = emitPacket({ src: '10.1.0.2', dst: '10.1.0.1' }, segment(4000, 'AW'));
    expect(vnetHeaderFor(packet, 1500).header.gsoType).toBe(VNET_GSO_TCPV4 | VNET_GSO_ECN);
  });

  it('an IPv6 super-segment: TCPV6, csum_start 40, and the completed sum is the real one', () => {
    const src = parseIpv6Address('fd00::2') as Uint8Array;
    const dst = parseIpv6Address('fd00::1') as Uint8Array;
    const packet = emitPacket6({ src, dst }, segment(5000));
    const frame = new Uint8Array(10 + packet.length);
    frameForDevice(packet, 1500, frame);
    const h = parseVnetHeader(frame);
    expect(h?.gsoType).toBe(VNET_GSO_TCPV6);
    expect(h?.gsoSize).toBe(1500 - 40 - 32);
    expect(h?.csumStart).toBe(40);
    expect(completed(frame, 10, 40)).toBe((packet[56] << 8) | packet[57]);
  });

  it('not TCP, or not a whole packet: no offload, bytes copied as they are', () => {
    const packet = emitPacket({ src: '10.1.0.2', dst: '10.1.0.1' }, segment(10));
    const icmp = Uint8Array.from(packet);
    icmp[9] = 1;
    expect(vnetHeaderFor(icmp, 1500)).toEqual({ header: NO_OFFLOAD, partial: -1 });
    expect(vnetHeaderFor(packet.subarray(0, packet.length - 1), 1500).partial).toBe(-1);
    expect(vnetHeaderFor(new Uint8Array(0), 1500).partial).toBe(-1);
    expect(vnetHeaderFor(Uint8Array.from([0x45, 0, 0]), 1500).partial).toBe(-1);
    const frame = new Uint8Array(10 + icmp.length);
    frameForDevice(icmp, 1500, frame);
    expect(frame.subarray(0, 10)).toEqual(new Uint8Array(10));
    expect(frame.subarray(10)).toEqual(icmp);
  });
});
