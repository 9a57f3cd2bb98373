/**
 * Whole IPv6+TCP packets (RFC 8200, RFC 9293): the IPv6 twin of packet.ts. Parsing walks the
 * extension headers (ipv6.ts) and makes no copy; emitting writes the fixed header, then the
 * segment, with the checksum over the IPv6 pseudo-header (RFC 8200 8.1), into one buffer.
 * The stack sends no extension headers.
 */
import { formatIpv6 } from '../util/address-text.js';
import {
  IPV6_DEFAULT_HOP_LIMIT,
  IPV6_HEADER_LENGTH,
  ipv6PseudoHeaderSum,
  parseIpv6,
  writeIpv6Header,
} from './ipv6.js';
import { parsePacket } from './packet.js';
import { allocPacket } from './slab.js';
import { checkTcpFields, parseTcpSummed, tcpHeaderLength, writeTcpSummed } from './tcp.js';
import { IPPROTO_TCP, type ParseResult, type TcpSegment } from './types.js';

/** An IPv6 packet carrying TCP: the addresses as views of the packet's 16-byte fields. */
export interface Tcp6Packet {
  src: Uint8Array;
  dst: Uint8Array;
  hopLimit: number;
  trafficClass: number;
  tcp: TcpSegment;
}

/**
 * Parses an IPv6 packet carrying TCP, past any extension headers a receiver skips. Another
 * upper layer is 'not-tcp'; a fragment is 'fragment'. `verifyChecksum` false skips the TCP
 * checksum (only for a link that vouches for it, as in packet.ts).
 */
export function parseTcpPacket6(
  bytes: Uint8Array,
  verifyChecksum: boolean,
): ParseResult<Tcp6Packet> {
  const ip = parseIpv6(bytes);
  if (!ip.ok) return ip;
  const { header, payload } = ip.value;
  if (header.protocol !== IPPROTO_TCP) {
    return { ok: false, reason: 'not-tcp', detail: `IPv6 next header ${header.protocol}` };
  }
  const sum = verifyChecksum
    ? ipv6PseudoHeaderSum(header.src, header.dst, IPPROTO_TCP, payload.length)
    : undefined;
  const tcp = parseTcpSummed(payload, sum);
  if (!tcp.ok) return tcp;
  return {
    ok: true,
    value: {
      src: header.src,
      dst: header.dst,
      hopLimit: header.hopLimit,
      trafficClass: header.trafficClass,
      tcp: tcp.value,
    },
  };
}

/** The IPv6 fields a sender chooses; next header is TCP, lengths and checksum are computed. */
export interface Packet6IpFields {
  src: Uint8Array;
  dst: Uint8Array;
  /** 64 by default (Linux's hop_limit). */
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

/** The size `emitPacket6` will produce for this segment. */
export function packet6Length(tcp: TcpSegment): number {
  return IPV6_HEADER_LENGTH + tcpHeaderLength(tcp.options) + tcp.payload.length;
}

/**
 * Emits an IPv6 packet carrying `tcp` (possibly a view into a slab, as emitPacket's). Throws
 * RangeError for fields that do not fit: those are the caller's bugs.
 */
export function emitPacket6(ip: Packet6IpFields, tcp: TcpSegment): Uint8Array {
  checkTcpFields(tcp);
  const tcpLength = tcpHeaderLength(tcp.options) + tcp.payload.length;
  const out = allocPacket(IPV6_HEADER_LENGTH + tcpLength);
  writeIpv6Header(
    out,
    0,
    {
      src: ip.src,
      dst: ip.dst,
      nextHeader: IPPROTO_TCP,
      hopLimit: ip.hopLimit ?? IPV6_DEFAULT_HOP_LIMIT,
      trafficClass: ip.trafficClass,
      flowLabel: ip.flowLabel,
    },
    tcpLength,
  );
  writeTcpSummed(
    out,
    IPV6_HEADER_LENGTH,
    tcp,
    ipv6PseudoHeaderSum(ip.src, ip.dst, IPPROTO_TCP, tcpLength),
  );
  return out;
}

/** A TCP packet of either IP version, as tools that only look at the segment read it. */
export interface AnyTcpPacket {
  version: 4 | 6;
  /** Addresses as text: dotted quad, or IPv6 in RFC 5952 form. */
  src: string;
  dst: string;
  tcp: TcpSegment;
}

/**
 * Parses a TCP packet of either version (the version nibble says which), checking checksums
 * unless told not to, with the addresses as text: for traces, drill's expected segments, pcaps.
 */
export function parseAnyTcpPacket(
  bytes: Uint8Array,
  verifyChecksum = true,
): ParseResult<AnyTcpPacket> {
  if (bytes.length > 0 && bytes[0] >> 4 === 6) {
    const p = parseTcpPacket6(bytes, verifyChecksum);
    if (!p.ok) return p;
    return {
      ok: true,
      value: {
        version: 6,
        src: formatIpv6(p.value.src),
        dst: formatIpv6(p.value.dst),
        tcp: p.value.tcp,
      },
    };
  }
  const p = parsePacket(bytes, { verifyChecksum });
  if (!p.ok) return p;
  return {
    ok: true,
    value: { version: 4, src: p.value.ip.src, dst: p.value.ip.dst, tcp: p.value.tcp },
  };
}
