/**
 * Whole IPv4+TCP packets: what the stack reads from and writes to a link for every segment.
 * Parsing makes no copy (the payload is a view into the packet); emitting allocates the packet
 * once and writes header, options and payload into it.
 */
import { ipv4ToU32, readU32 } from './address.js';
import {
  checkIpv4,
  type Ipv4EmitHeader,
  ipv4HeaderLength,
  parseIpv4,
  writeIpv4Header,
} from './ipv4.js';
import { allocPacket } from './slab.js';
import { checkTcpFields, parseTcpU32, tcpHeaderLength, writeTcp } from './tcp.js';
import { IPPROTO_TCP, type Ipv4Header, type ParseResult, type TcpSegment } from './types.js';

export interface ParsedPacket {
  ip: Ipv4Header;
  tcp: TcpSegment;
}

export interface ParsePacketOptions {
  /** Check the IPv4 header and TCP checksums (default true). */
  verifyChecksum?: boolean;
}

/**
 * Parses an IPv4 packet carrying TCP, checking both checksums. Other protocols are 'not-tcp';
 * fragments are 'fragment' (nothing here reassembles them).
 */
export function parsePacket(
  bytes: Uint8Array,
  options: ParsePacketOptions = {},
): ParseResult<ParsedPacket> {
  const verifyChecksum = options.verifyChecksum !== false;
  const ip = parseIpv4(bytes, { verifyChecksum });
  if (!ip.ok) return ip;
  const { header, payload } = ip.value;
  if (header.protocol !== IPPROTO_TCP) {
    return { ok: false, reason: 'not-tcp', detail: `IP protocol ${header.protocol}` };
  }
  const tcp = parseTcpU32(payload, readU32(bytes, 12), readU32(bytes, 16), verifyChecksum);
  if (!tcp.ok) return tcp;
  return { ok: true, value: { ip: header, tcp: tcp.value } };
}

/** An IPv4 packet carrying TCP as a stack demultiplexes it: addresses as u32, no text. */
export interface TcpPacket {
  /** Source and destination address as unsigned 32-bit numbers. */
  src: number;
  dst: number;
  tcp: TcpSegment;
}

/**
 * `parsePacket` for a stack's receive path: the same checks and reasons (non-TCP protocols are
 * 'not-tcp'), but the addresses stay numbers and no IPv4 header repr is built. With
 * `verifyChecksum` false, neither checksum is looked at: only for a link that vouches for them
 * (it carries the bytes as the sending stack emitted them).
 */
export function parseTcpPacket(bytes: Uint8Array, verifyChecksum: boolean): ParseResult<TcpPacket> {
  const bad = checkIpv4(bytes, verifyChecksum, false);
  if (bad !== undefined) return bad;
  const protocol = bytes[9];
  if (protocol !== IPPROTO_TCP) {
    return { ok: false, reason: 'not-tcp', detail: `IP protocol ${protocol}` };
  }
  const src = readU32(bytes, 12);
  const dst = readU32(bytes, 16);
  const headerLength = (bytes[0] & 0x0f) * 4;
  const totalLength = (bytes[2] << 8) | bytes[3];
  const tcp = parseTcpU32(bytes.subarray(headerLength, totalLength), src, dst, verifyChecksum);
  if (!tcp.ok) return tcp;
  return { ok: true, value: { src, dst, tcp: tcp.value } };
}

/**
 * The IPv4 fields a sender chooses; protocol is TCP, lengths and checksums are computed.
 * Defaults: ttl 64, tos 0, identification 0, dontFragment true.
 */
export type PacketIpFields = Pick<
  Ipv4EmitHeader,
  'src' | 'dst' | 'ttl' | 'tos' | 'identification' | 'dontFragment'
> & {
  options?: Uint8Array;
};

/** The size `emitPacket` will produce for this segment. */
export function packetLength(tcp: TcpSegment, ipOptions?: Uint8Array): number {
  return ipv4HeaderLength(ipOptions) + tcpHeaderLength(tcp.options) + tcp.payload.length;
}

/**
 * Emits an IPv4 packet carrying `tcp`, into one buffer written once. The buffer may be a view
 * into a slab shared with other packets (see slab.ts): `.slice()` it to own its ArrayBuffer.
 * Throws RangeError for fields that do not fit (a port above 65535, more than 40 bytes of
 * options, a packet above 65535 bytes, an address that is not IPv4): those are bugs in the
 * caller, not input from the network.
 */
export function emitPacket(ip: PacketIpFields, tcp: TcpSegment): Uint8Array {
  checkTcpFields(tcp);
  const src = ipv4ToU32(ip.src);
  const dst = ipv4ToU32(ip.dst);
  const out = allocPacket(packetLength(tcp, ip.options));
  writePacketU32(out, 0, ip, src, dst, tcp);
  return out;
}

/**
 * Writes the packet `emitPacket` would make into `out` at `offset` (room: `packetLength`), for
 * a caller that manages its own buffers. Returns the bytes written.
 */
export function writePacket(
  out: Uint8Array,
  offset: number,
  ip: PacketIpFields,
  tcp: TcpSegment,
): number {
  checkTcpFields(tcp);
  return writePacketU32(out, offset, ip, ipv4ToU32(ip.src), ipv4ToU32(ip.dst), tcp);
}

function writePacketU32(
  out: Uint8Array,
  offset: number,
  ip: PacketIpFields,
  src: number,
  dst: number,
  tcp: TcpSegment,
): number {
  const ipHeaderLength = ipv4HeaderLength(ip.options);
  const total = ipHeaderLength + tcpHeaderLength(tcp.options) + tcp.payload.length;
  writeIpv4Header(
    out,
    offset,
    {
      src,
      dst,
      protocol: IPPROTO_TCP,
      ttl: ip.ttl,
      tos: ip.tos,
      identification: ip.identification,
      // Linux sets DF on TCP for path MTU discovery (RFC 1191); so do we unless told otherwise.
      dontFragment: ip.dontFragment ?? true,
      options: ip.options,
    },
    total,
  );
  writeTcp(out, offset + ipHeaderLength, tcp, src, dst);
  return total;
}
