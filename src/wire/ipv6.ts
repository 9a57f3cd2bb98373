/**
 * IPv6 headers (RFC 8200). The fixed header, by byte offset: 0 version (4 bits) | traffic class
 * (8) | flow label (20), 4 payload length, 6 next header, 7 hop limit, 8 source (16 bytes),
 * 24 destination (16 bytes); then a chain of extension headers, each naming the next, up to the
 * upper-layer header.
 *
 * A receiver walks the chain in order (RFC 8200 section 4): hop-by-hop options (only first),
 * destination options, routing, fragment, authentication (AH, RFC 4302) are skipped by their
 * lengths; a fragment is refused with 'fragment', since nothing here reassembles; "no next
 * header" (59), ESP (50, whose length is encrypted) and any protocol this module does not know
 * end the walk, and the caller sees `protocol` as the last next-header value, to count and drop.
 */
import { checksumFinish, sumBytes } from './checksum.js';
import type { ParseResult } from './types.js';

export const IPV6_HEADER_LENGTH = 40;
/** RFC 8200 section 5: every link carries packets of 1280 bytes; no IPv6 MTU is smaller. */
export const IPV6_MIN_MTU = 1280;
/** Linux's default (net.ipv6.conf.*.hop_limit), as IPv4's TTL 64. */
export const IPV6_DEFAULT_HOP_LIMIT = 64;

/** Next-header values (IANA "Assigned Internet Protocol Numbers") this module walks or names. */
export const NEXT_HOP_BY_HOP = 0;
export const NEXT_TCP = 6;
export const NEXT_ROUTING = 43;
export const NEXT_FRAGMENT = 44;
export const NEXT_ESP = 50;
export const NEXT_AH = 51;
export const NEXT_ICMPV6 = 58;
export const NEXT_NONE = 59;
export const NEXT_DEST_OPTS = 60;

/** An extension header the walk passed over, as seen on the wire. */
export interface Ipv6Extension {
  /** Its own next-header value (0, 43, 51 or 60). */
  type: number;
  /** Offset of the extension header in the packet, and its length in bytes. */
  offset: number;
  length: number;
}

export interface Ipv6Header {
  /** Differentiated services code point and ECN bits (RFC 2474, RFC 3168). */
  trafficClass: number;
  flowLabel: number;
  hopLimit: number;
  /** Views of the 16 address bytes inside the packet. */
  src: Uint8Array;
  dst: Uint8Array;
  /** The upper-layer protocol after every extension header: 6 for TCP, 58 for ICMPv6, … */
  protocol: number;
  /** The extension headers skipped to reach it, in order. */
  extensions: Ipv6Extension[];
}

export interface ParsedIpv6 {
  header: Ipv6Header;
  /** The upper-layer bytes (a view, not a copy), up to the payload length. */
  payload: Uint8Array;
  /** Offset of the upper-layer header in the packet: 40 plus the extension headers. */
  headerLength: number;
}

export interface ParseIpv6Options {
  /**
   * Accept a packet shorter than its payload length, as the quote inside an ICMPv6 error is
   * (RFC 4443 2.4(c): as much of the invoking packet as fits), reading what is there.
   */
  allowTruncated?: boolean;
}

const NO_EXTENSIONS: Ipv6Extension[] = [];

/**
 * Parses an IPv6 packet and walks its extension headers to the upper layer. Bytes past the
 * payload length (link padding) are ignored. A jumbogram (payload length 0 with a hop-by-hop
 * jumbo option, RFC 2675) is 'bad-total-length': no link here carries one.
 */
export function parseIpv6(
  bytes: Uint8Array,
  options: ParseIpv6Options = {},
): ParseResult<ParsedIpv6> {
  if (bytes.length < IPV6_HEADER_LENGTH) {
    return {
      ok: false,
      reason: 'truncated',
      detail: `${bytes.length} bytes, an IPv6 header needs 40`,
    };
  }
  const version = bytes[0] >> 4;
  if (version !== 6) return { ok: false, reason: 'bad-version', detail: `version ${version}` };
  const payloadLength = (bytes[4] << 8) | bytes[5];
  let end = IPV6_HEADER_LENGTH + payloadLength;
  if (bytes.length < end) {
    if (options.allowTruncated !== true) {
      return {
        ok: false,
        reason: 'truncated',
        detail: `${bytes.length} bytes, the payload length says ${end}`,
      };
    }
    end = bytes.length;
  }
  if (payloadLength === 0 && bytes[6] === NEXT_HOP_BY_HOP) {
    return { ok: false, reason: 'bad-total-length', detail: 'payload length 0 (a jumbogram)' };
  }
  let next = bytes[6];
  let offset = IPV6_HEADER_LENGTH;
  let extensions = NO_EXTENSIONS;
  for (;;) {
    if (next === NEXT_FRAGMENT) {
      if (offset + 8 > end) return truncatedExtension(next, offset, end);
      const fragment = (bytes[offset + 2] << 8) | bytes[offset + 3];
      const fragmentOffset = fragment >> 3;
      const more = (fragment & 1) !== 0;
      // An atomic fragment (offset 0, no more; RFC 6946) is a whole packet: read on through it.
      if (fragmentOffset !== 0 || more) {
        return {
          ok: false,
          reason: 'fragment',
          detail: `IPv6 fragment at offset ${fragmentOffset * 8}${more ? ', more follow' : ''}`,
        };
      }
    } else if (
      next !== NEXT_HOP_BY_HOP &&
      next !== NEXT_ROUTING &&
      next !== NEXT_DEST_OPTS &&
      next !== NEXT_AH
    ) {
      break;
    }
    if (next === NEXT_HOP_BY_HOP && offset !== IPV6_HEADER_LENGTH) {
      // RFC 8200 4.1: hop-by-hop options only directly after the fixed header.
      return {
        ok: false,
        reason: 'bad-option',
        detail: `hop-by-hop options at offset ${offset}, not right after the header`,
      };
    }
    if (offset + 2 > end) return truncatedExtension(next, offset, end);
    // AH counts 4-byte units less 2 (RFC 4302 2.2); the others 8-byte units less 1.
    const length =
      next === NEXT_FRAGMENT
        ? 8
        : next === NEXT_AH
          ? (bytes[offset + 1] + 2) * 4
          : (bytes[offset + 1] + 1) * 8;
    if (offset + length > end) return truncatedExtension(next, offset, end);
    if (extensions === NO_EXTENSIONS) extensions = [];
    extensions.push({ type: next, offset, length });
    next = bytes[offset];
    offset += length;
  }
  const header: Ipv6Header = {
    trafficClass: ((bytes[0] & 0x0f) << 4) | (bytes[1] >> 4),
    flowLabel: ((bytes[1] & 0x0f) << 16) | (bytes[2] << 8) | bytes[3],
    hopLimit: bytes[7],
    src: bytes.subarray(8, 24),
    dst: bytes.subarray(24, 40),
    protocol: next,
    extensions,
  };
  return {
    ok: true,
    value: { header, payload: bytes.subarray(offset, end), headerLength: offset },
  };
}

function truncatedExtension(type: number, offset: number, end: number): ParseResult<ParsedIpv6> {
  return {
    ok: false,
    reason: 'truncated',
    detail: `extension header ${type} at offset ${offset} runs past the payload's end at ${end}`,
  };
}

/** What `writeIpv6Header` needs: addresses and the next header; the rest has defaults. */
export interface Ipv6EmitHeader {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  trafficClass?: number;
  flowLabel?: number;
  hopLimit?: number;
}

/**
 * Writes the fixed 40-byte IPv6 header at `offset` of `out` for `payloadLength` bytes after it
 * (extension headers, if any, count in the payload). Throws RangeError for values that do not
 * fit: an address that is not 16 bytes, a payload over 65,535 bytes, a flow label over 20 bits.
 */
export function writeIpv6Header(
  out: Uint8Array,
  offset: number,
  header: Ipv6EmitHeader,
  payloadLength: number,
): number {
  if (header.src.length !== 16 || header.dst.length !== 16) {
    throw new RangeError(
      `IPv6 addresses are 16 bytes, not ${header.src.length} and ${header.dst.length}`,
    );
  }
  if (payloadLength > 0xffff) {
    throw new RangeError(`IPv6 payload of ${payloadLength} bytes exceeds 65535`);
  }
  const flowLabel = header.flowLabel ?? 0;
  if (flowLabel < 0 || flowLabel > 0xfffff) {
    throw new RangeError(`flow label ${flowLabel} does not fit in 20 bits`);
  }
  const trafficClass = header.trafficClass ?? 0;
  out[offset] = 0x60 | ((trafficClass >> 4) & 0x0f);
  out[offset + 1] = ((trafficClass & 0x0f) << 4) | (flowLabel >> 16);
  out[offset + 2] = flowLabel >> 8;
  out[offset + 3] = flowLabel;
  out[offset + 4] = payloadLength >> 8;
  out[offset + 5] = payloadLength;
  out[offset + 6] = header.nextHeader;
  out[offset + 7] = header.hopLimit ?? IPV6_DEFAULT_HOP_LIMIT;
  out.set(header.src, offset + 8);
  out.set(header.dst, offset + 24);
  return IPV6_HEADER_LENGTH;
}

/** Emits an IPv6 packet with no extension headers: the fixed header, then the payload. */
export function emitIpv6(header: Ipv6EmitHeader, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(IPV6_HEADER_LENGTH + payload.length);
  writeIpv6Header(out, 0, header, payload.length);
  out.set(payload, IPV6_HEADER_LENGTH);
  return out;
}

/**
 * The sum of the IPv6 pseudo-header that upper-layer checksums cover (RFC 8200 section 8.1):
 * source, destination (the final one, where a routing header names it), the upper-layer
 * length as 32 bits, three zero bytes and the next-header value of the upper layer.
 */
export function ipv6PseudoHeaderSum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  length: number,
): number {
  return (
    sumBytes(src, 0, 16) + sumBytes(dst, 0, 16) + (length >>> 16) + (length & 0xffff) + protocol
  );
}

/** The upper-layer checksum field for `payload` (checksum field zeroed) under IPv6. */
export function ipv6UpperChecksum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  payload: Uint8Array,
): number {
  return checksumFinish(
    sumBytes(payload, 0, payload.length, ipv6PseudoHeaderSum(src, dst, protocol, payload.length)),
  );
}
