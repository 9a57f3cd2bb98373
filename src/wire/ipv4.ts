/**
 * IPv4 headers (RFC 791). Layout, by byte offset:
 * 0 version|IHL, 1 TOS, 2 total length, 4 identification, 6 flags|fragment offset, 8 TTL,
 * 9 protocol, 10 header checksum, 12 source, 16 destination, 20 options (IHL*4 - 20 bytes).
 */
import { type Ipv4Address, ipv4ToU32, readU32, u32ToIpv4, writeU32 } from './address.js';
import { checksumFinish, sumBytes } from './checksum.js';
import type { Ipv4Header, ParseResult } from './types.js';

export const IPV4_MIN_HEADER_LENGTH = 20;
export const IPV4_MAX_HEADER_LENGTH = 60;
/** RFC 1700's recommended TTL, and Linux's default (net.ipv4.ip_default_ttl). */
export const IPV4_DEFAULT_TTL = 64;

/** Shared by every header without options (nearly all): a zero-length view nobody can write to. */
const NO_OPTIONS = new Uint8Array(0);

const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

export interface ParsedIpv4 {
  header: Ipv4Header;
  /** The bytes after the header up to the total length (a view, not a copy). */
  payload: Uint8Array;
  headerLength: number;
}

export interface ParseIpv4Options {
  /** Check the header checksum (default true). */
  verifyChecksum?: boolean;
  /** Accept fragments instead of answering 'fragment' (default false: this stack does not reassemble). */
  allowFragments?: boolean;
}

/**
 * Parses an IPv4 packet. Bytes past the total length (link-layer padding) are ignored; a buffer
 * shorter than the total length is 'truncated'. Fragments are refused with 'fragment' unless
 * allowed, since nothing above this layer reassembles them.
 */
export function parseIpv4(
  bytes: Uint8Array,
  options: ParseIpv4Options = {},
): ParseResult<ParsedIpv4> {
  const bad = checkIpv4(bytes, options.verifyChecksum !== false, options.allowFragments === true);
  if (bad !== undefined) return bad;
  const headerLength = (bytes[0] & 0x0f) * 4;
  const totalLength = (bytes[2] << 8) | bytes[3];
  const flagsOffset = (bytes[6] << 8) | bytes[7];
  const moreFragments = (flagsOffset & FLAG_MF) !== 0;
  const fragmentOffset = flagsOffset & OFFSET_MASK;
  const header: Ipv4Header = {
    tos: bytes[1],
    identification: (bytes[4] << 8) | bytes[5],
    dontFragment: (flagsOffset & FLAG_DF) !== 0,
    moreFragments,
    fragmentOffset,
    ttl: bytes[8],
    protocol: bytes[9],
    src: u32ToIpv4(readU32(bytes, 12)),
    dst: u32ToIpv4(readU32(bytes, 16)),
    options:
      headerLength === IPV4_MIN_HEADER_LENGTH
        ? NO_OPTIONS
        : bytes.subarray(IPV4_MIN_HEADER_LENGTH, headerLength),
  };
  return {
    ok: true,
    value: { header, payload: bytes.subarray(headerLength, totalLength), headerLength },
  };
}

/**
 * The checks `parseIpv4` makes, without building a header: a failure, or undefined when the
 * packet is a well-formed IPv4 packet (for parsers that read the fields they need themselves).
 */
export function checkIpv4(
  bytes: Uint8Array,
  verifyChecksum: boolean,
  allowFragments: boolean,
): ParseResult<never> | undefined {
  if (bytes.length < IPV4_MIN_HEADER_LENGTH) {
    return {
      ok: false,
      reason: 'truncated',
      detail: `${bytes.length} bytes, an IPv4 header needs 20`,
    };
  }
  const version = bytes[0] >> 4;
  if (version !== 4) return { ok: false, reason: 'bad-version', detail: `version ${version}` };
  const headerLength = (bytes[0] & 0x0f) * 4;
  if (headerLength < IPV4_MIN_HEADER_LENGTH) {
    return { ok: false, reason: 'bad-header-length', detail: `IHL ${headerLength / 4} is below 5` };
  }
  if (bytes.length < headerLength) {
    return {
      ok: false,
      reason: 'truncated',
      detail: `${bytes.length} bytes, header is ${headerLength}`,
    };
  }
  const totalLength = (bytes[2] << 8) | bytes[3];
  if (totalLength < headerLength) {
    return {
      ok: false,
      reason: 'bad-total-length',
      detail: `total length ${totalLength} is less than the header length ${headerLength}`,
    };
  }
  if (bytes.length < totalLength) {
    return {
      ok: false,
      reason: 'truncated',
      detail: `${bytes.length} bytes, total length is ${totalLength}`,
    };
  }
  if (verifyChecksum && checksumFinish(sumBytes(bytes, 0, headerLength)) !== 0) {
    return {
      ok: false,
      reason: 'bad-checksum',
      detail: `IPv4 header checksum 0x${((bytes[10] << 8) | bytes[11]).toString(16).padStart(4, '0')}`,
    };
  }
  const flagsOffset = (bytes[6] << 8) | bytes[7];
  const moreFragments = (flagsOffset & FLAG_MF) !== 0;
  const fragmentOffset = flagsOffset & OFFSET_MASK;
  if ((moreFragments || fragmentOffset !== 0) && !allowFragments) {
    return {
      ok: false,
      reason: 'fragment',
      detail: `fragment at offset ${fragmentOffset * 8}${moreFragments ? ', more follow' : ''}`,
    };
  }
  return undefined;
}

/** What `emitIpv4` needs: addresses and protocol; the rest has defaults. */
export type Ipv4EmitHeader = Partial<Omit<Ipv4Header, 'src' | 'dst'>> & {
  src: Ipv4Address;
  dst: Ipv4Address;
  protocol: number;
};

/** Header length for the given IP options (padded to 32 bits, RFC 791). */
export function ipv4HeaderLength(options: Uint8Array | undefined): number {
  const optionsLength = options ? (options.length + 3) & ~3 : 0;
  return IPV4_MIN_HEADER_LENGTH + optionsLength;
}

/**
 * Writes an IPv4 header at `offset` of `out` for a packet whose total length is `totalLength`,
 * with its checksum. Returns the header length. Throws RangeError for values that do not fit.
 */
export function writeIpv4Header(
  out: Uint8Array,
  offset: number,
  header: Ipv4EmitHeader,
  totalLength: number,
): number {
  const options = header.options;
  const headerLength = ipv4HeaderLength(options);
  if (headerLength > IPV4_MAX_HEADER_LENGTH) {
    throw new RangeError(`IPv4 options of ${options?.length} bytes exceed the 40-byte limit`);
  }
  if (totalLength > 0xffff)
    throw new RangeError(`IPv4 packet of ${totalLength} bytes exceeds 65535`);
  const fragmentOffset = header.fragmentOffset ?? 0;
  if (fragmentOffset < 0 || fragmentOffset > OFFSET_MASK) {
    throw new RangeError(`fragment offset ${fragmentOffset} does not fit in 13 bits`);
  }
  const src = ipv4ToU32(header.src);
  const dst = ipv4ToU32(header.dst);
  const id = header.identification ?? 0;
  const flagsOffset =
    (header.dontFragment === true ? FLAG_DF : 0) |
    (header.moreFragments === true ? FLAG_MF : 0) |
    fragmentOffset;
  const ttl = header.ttl ?? IPV4_DEFAULT_TTL;
  out[offset] = 0x40 | (headerLength >> 2);
  out[offset + 1] = header.tos ?? 0;
  out[offset + 2] = totalLength >> 8;
  out[offset + 3] = totalLength;
  out[offset + 4] = id >> 8;
  out[offset + 5] = id;
  out[offset + 6] = flagsOffset >> 8;
  out[offset + 7] = flagsOffset;
  out[offset + 8] = ttl;
  out[offset + 9] = header.protocol;
  out[offset + 10] = 0;
  out[offset + 11] = 0;
  writeU32(out, offset + 12, src);
  writeU32(out, offset + 16, dst);
  if (options && options.length > 0) {
    out.set(options, offset + IPV4_MIN_HEADER_LENGTH);
    // End-of-option-list padding (RFC 791): zero bytes.
    out.fill(0, offset + IPV4_MIN_HEADER_LENGTH + options.length, offset + headerLength);
  }
  const checksum = checksumFinish(sumBytes(out, offset, offset + headerLength));
  out[offset + 10] = checksum >> 8;
  out[offset + 11] = checksum;
  return headerLength;
}

/** Emits an IPv4 packet: header (length and checksum computed) followed by the payload. */
export function emitIpv4(header: Ipv4EmitHeader, payload: Uint8Array): Uint8Array {
  const headerLength = ipv4HeaderLength(header.options);
  const out = new Uint8Array(headerLength + payload.length);
  writeIpv4Header(out, 0, header, out.length);
  out.set(payload, headerLength);
  return out;
}
