/**
 * TCP headers (RFC 9293 section 3.1). Layout, by byte offset:
 * 0 source port, 2 destination port, 4 sequence number, 8 acknowledgment number,
 * 12 data offset (high 4 bits) | reserved, 13 control bits, 14 window, 16 checksum,
 * 18 urgent pointer, 20 options (data offset * 4 - 20 bytes), then data.
 */
import { type Ipv4Address, ipv4ToU32 } from './address.js';
import { checksumFinish, pseudoHeaderSum, sumBytes } from './checksum.js';
import { flagsFromByte, flagsToByte } from './flags.js';
import {
  MAX_OPTIONS_LENGTH,
  parseTcpOptions,
  tcpOptionsLength,
  writeTcpOptions,
} from './tcp-options.js';
import { IPPROTO_TCP, type ParseResult, type TcpOption, type TcpSegment } from './types.js';

export const TCP_MIN_HEADER_LENGTH = 20;
export const TCP_MAX_HEADER_LENGTH = 60;

export interface ParseTcpOptions {
  /** Check the checksum over the pseudo-header, header and data (default true). */
  verifyChecksum?: boolean;
}

/** Header length for these options: 20 plus the options padded to a 32-bit boundary. */
export function tcpHeaderLength(options: readonly TcpOption[]): number {
  return TCP_MIN_HEADER_LENGTH + ((tcpOptionsLength(options) + 3) & ~3);
}

/**
 * Parses a TCP segment (the whole IP payload) sent from `src` to `dst`, whose addresses enter the
 * checksum. The payload is a view into `bytes`, not a copy. Never throws on any bytes; throws
 * RangeError only when `src` or `dst` is not an IPv4 address (a caller's bug).
 */
export function parseTcp(
  bytes: Uint8Array,
  src: Ipv4Address,
  dst: Ipv4Address,
  options: ParseTcpOptions = {},
): ParseResult<TcpSegment> {
  return parseTcpU32(bytes, ipv4ToU32(src), ipv4ToU32(dst), options.verifyChecksum !== false);
}

/** `parseTcp` with the addresses already as u32 (what `parsePacket` has in hand). */
export function parseTcpU32(
  bytes: Uint8Array,
  src: number,
  dst: number,
  verifyChecksum: boolean,
): ParseResult<TcpSegment> {
  const length = bytes.length;
  return parseTcpSummed(
    bytes,
    verifyChecksum ? pseudoHeaderSum(src, dst, IPPROTO_TCP, length) : undefined,
  );
}

/**
 * `parseTcp` given the pseudo-header's sum (IPv4's, or IPv6's of RFC 8200 8.1), or undefined to
 * skip the checksum.
 */
export function parseTcpSummed(
  bytes: Uint8Array,
  pseudoSum: number | undefined,
): ParseResult<TcpSegment> {
  const length = bytes.length;
  if (length < TCP_MIN_HEADER_LENGTH) {
    return { ok: false, reason: 'truncated', detail: `${length} bytes, a TCP header needs 20` };
  }
  if (pseudoSum !== undefined && checksumFinish(sumBytes(bytes, 0, length, pseudoSum)) !== 0) {
    return {
      ok: false,
      reason: 'bad-checksum',
      detail: `TCP checksum 0x${((bytes[16] << 8) | bytes[17]).toString(16).padStart(4, '0')}`,
    };
  }
  const headerLength = (bytes[12] >> 4) * 4;
  if (headerLength < TCP_MIN_HEADER_LENGTH) {
    return {
      ok: false,
      reason: 'bad-data-offset',
      detail: `data offset ${headerLength / 4} is below 5`,
    };
  }
  if (headerLength > length) {
    return {
      ok: false,
      reason: 'bad-data-offset',
      detail: `data offset ${headerLength / 4} (${headerLength} bytes) exceeds the ${length}-byte segment`,
    };
  }
  let options: TcpOption[] = [];
  if (headerLength > TCP_MIN_HEADER_LENGTH) {
    const parsed = parseTcpOptions(bytes, TCP_MIN_HEADER_LENGTH, headerLength);
    if (!parsed.ok) return parsed as ParseResult<never>;
    options = parsed.value;
  }
  return {
    ok: true,
    value: {
      srcPort: (bytes[0] << 8) | bytes[1],
      dstPort: (bytes[2] << 8) | bytes[3],
      seq: ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0,
      ack: ((bytes[8] << 24) | (bytes[9] << 16) | (bytes[10] << 8) | bytes[11]) >>> 0,
      flags: flagsFromByte(bytes[13]),
      window: (bytes[14] << 8) | bytes[15],
      urgentPointer: (bytes[18] << 8) | bytes[19],
      options,
      payload: bytes.subarray(headerLength),
    },
  };
}

/**
 * Writes a TCP segment (header, options, payload) at `offset` of `out`, with the checksum for
 * `src` -> `dst`. `out` must have `tcpHeaderLength(seg.options) + seg.payload.length` bytes of
 * room there. Returns the bytes written. Throws RangeError for fields that do not fit.
 */
export function writeTcp(
  out: Uint8Array,
  offset: number,
  seg: TcpSegment,
  src: number,
  dst: number,
): number {
  const total = tcpHeaderLength(seg.options) + seg.payload.length;
  return writeTcpSummed(out, offset, seg, pseudoHeaderSum(src, dst, IPPROTO_TCP, total));
}

/**
 * `writeTcp` given the pseudo-header's sum for this segment's length (IPv4's or IPv6's).
 */
export function writeTcpSummed(
  out: Uint8Array,
  offset: number,
  seg: TcpSegment,
  pseudoSum: number,
): number {
  const optionsLength = tcpOptionsLength(seg.options);
  if (optionsLength > MAX_OPTIONS_LENGTH) {
    throw new RangeError(`TCP options of ${optionsLength} bytes exceed the 40-byte limit`);
  }
  const headerLength = TCP_MIN_HEADER_LENGTH + ((optionsLength + 3) & ~3);
  const total = headerLength + seg.payload.length;
  const o = offset;
  out[o] = seg.srcPort >> 8;
  out[o + 1] = seg.srcPort;
  out[o + 2] = seg.dstPort >> 8;
  out[o + 3] = seg.dstPort;
  out[o + 4] = seg.seq >>> 24;
  out[o + 5] = seg.seq >>> 16;
  out[o + 6] = seg.seq >>> 8;
  out[o + 7] = seg.seq;
  out[o + 8] = seg.ack >>> 24;
  out[o + 9] = seg.ack >>> 16;
  out[o + 10] = seg.ack >>> 8;
  out[o + 11] = seg.ack;
  out[o + 12] = (headerLength >> 2) << 4;
  out[o + 13] = flagsToByte(seg.flags);
  out[o + 14] = seg.window >> 8;
  out[o + 15] = seg.window;
  out[o + 16] = 0;
  out[o + 17] = 0;
  out[o + 18] = seg.urgentPointer >> 8;
  out[o + 19] = seg.urgentPointer;
  if (headerLength > TCP_MIN_HEADER_LENGTH) {
    writeTcpOptions(out, o + TCP_MIN_HEADER_LENGTH, o + headerLength, seg.options);
  }
  out.set(seg.payload, o + headerLength);
  const checksum = checksumFinish(sumBytes(out, o, o + total, pseudoSum));
  out[o + 16] = checksum >> 8;
  out[o + 17] = checksum;
  return total;
}

/** Emits a TCP segment from `src` to `dst` (addresses enter the checksum). */
export function emitTcp(seg: TcpSegment, src: Ipv4Address, dst: Ipv4Address): Uint8Array {
  checkTcpFields(seg);
  const out = new Uint8Array(tcpHeaderLength(seg.options) + seg.payload.length);
  writeTcp(out, 0, seg, ipv4ToU32(src), ipv4ToU32(dst));
  return out;
}

/** Range checks for the 16-bit fields, done once per emitted segment. */
export function checkTcpFields(seg: TcpSegment): void {
  if ((seg.srcPort | seg.dstPort | seg.window | seg.urgentPointer) >>> 16 !== 0) {
    throw new RangeError(
      `TCP 16-bit field out of range: srcPort ${seg.srcPort}, dstPort ${seg.dstPort}, window ${seg.window}, urgentPointer ${seg.urgentPointer}`,
    );
  }
}
