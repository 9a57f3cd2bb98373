/**
 * ICMPv6 (RFC 4443): echo, and the error messages a TCP acts on. Every message starts with
 * type, code and a checksum over the IPv6 pseudo-header (next header 58) and the message; errors
 * then carry 4 bytes (unused, the MTU of packet-too-big, or parameter-problem's pointer) and as
 * much of the packet that caused them as fits in 1280 bytes (RFC 4443 2.4(c)).
 */
import { checksumFinish, sumBytes } from './checksum.js';
import {
  emitIpv6,
  IPV6_DEFAULT_HOP_LIMIT,
  ipv6PseudoHeaderSum,
  NEXT_ICMPV6,
  NEXT_TCP,
  parseIpv6,
} from './ipv6.js';
import type { ParseResult } from './types.js';

export const ICMPV6_DEST_UNREACHABLE = 1;
export const ICMPV6_PACKET_TOO_BIG = 2;
export const ICMPV6_TIME_EXCEEDED = 3;
export const ICMPV6_PARAMETER_PROBLEM = 4;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
/** RFC 4861 4.1: hosts send these at start; a host stack ignores them (it is no router). */
export const ICMPV6_ROUTER_SOLICITATION = 133;

export type Icmpv6Message =
  | { kind: 'echo-request' | 'echo-reply'; identifier: number; sequence: number; data: Uint8Array }
  | {
      kind: 'error';
      type: number;
      code: number;
      /** Packet-too-big's MTU, parameter-problem's pointer; 0 for the others. */
      value: number;
      /** The quoted invoking packet, from its IPv6 header on (a view). */
      quote: Uint8Array;
    }
  /** Anything else (neighbour discovery, router solicitations, MLD…): named by type and code. */
  | { kind: 'other'; type: number; code: number; body: Uint8Array };

/**
 * Parses an ICMPv6 message that arrived from `src` to `dst`, checking its checksum. Errors are
 * types 0-127 (RFC 4443 2.1); informational messages 128-255.
 */
export function parseIcmpv6(
  bytes: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
): ParseResult<Icmpv6Message> {
  if (bytes.length < 4) {
    return { ok: false, reason: 'truncated', detail: `${bytes.length} bytes, ICMPv6 needs 4` };
  }
  const sum = sumBytes(
    bytes,
    0,
    bytes.length,
    ipv6PseudoHeaderSum(src, dst, NEXT_ICMPV6, bytes.length),
  );
  if (checksumFinish(sum) !== 0) {
    return {
      ok: false,
      reason: 'bad-checksum',
      detail: `ICMPv6 checksum 0x${((bytes[2] << 8) | bytes[3]).toString(16).padStart(4, '0')}`,
    };
  }
  const type = bytes[0];
  const code = bytes[1];
  if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
    if (bytes.length < 8) {
      return { ok: false, reason: 'truncated', detail: `echo of ${bytes.length} bytes, needs 8` };
    }
    return {
      ok: true,
      value: {
        kind: type === ICMPV6_ECHO_REQUEST ? 'echo-request' : 'echo-reply',
        identifier: (bytes[4] << 8) | bytes[5],
        sequence: (bytes[6] << 8) | bytes[7],
        data: bytes.subarray(8),
      },
    };
  }
  if (type < 128) {
    if (bytes.length < 8) {
      return { ok: false, reason: 'truncated', detail: `error of ${bytes.length} bytes, needs 8` };
    }
    const value = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
    return {
      ok: true,
      value: {
        kind: 'error',
        type,
        code,
        value: type === ICMPV6_PACKET_TOO_BIG || type === ICMPV6_PARAMETER_PROBLEM ? value : 0,
        quote: bytes.subarray(8),
      },
    };
  }
  return { ok: true, value: { kind: 'other', type, code, body: bytes.subarray(4) } };
}

/** What TCP needs of the segment an error quotes: its 4-tuple, and the sequence number sent. */
export interface QuotedTcp {
  /** The quoted packet's source: this host, which sent it. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  seq: number;
}

/**
 * The TCP header fields inside an error's quote, or undefined when the quote is not of a TCP
 * segment or is too short to hold its ports and sequence number (the first 8 bytes).
 */
export function quotedTcp(quote: Uint8Array): QuotedTcp | undefined {
  const ip = parseIpv6(quote, { allowTruncated: true });
  if (!ip.ok || ip.value.header.protocol !== NEXT_TCP) return undefined;
  const tcp = ip.value.payload;
  if (tcp.length < 8) return undefined;
  return {
    src: ip.value.header.src,
    dst: ip.value.header.dst,
    srcPort: (tcp[0] << 8) | tcp[1],
    dstPort: (tcp[2] << 8) | tcp[3],
    seq: ((tcp[4] << 24) | (tcp[5] << 16) | (tcp[6] << 8) | tcp[7]) >>> 0,
  };
}

/**
 * How an error bears on a connection, as Linux's icmpv6_err_convert decides: `hard` errors end a
 * connection that is still opening (RFC 1122 4.2.3.9; RFC 5927 calls the rest soft, reported
 * only if the connection later times out); `errno` is the code the socket reports.
 * Packet-too-big is neither: it lowers the path MTU (RFC 8201).
 */
export function classifyIcmpv6Error(
  type: number,
  code: number,
): { errno: string; hard: boolean } | { pmtu: true } {
  if (type === ICMPV6_PACKET_TOO_BIG) return { pmtu: true };
  if (type === ICMPV6_DEST_UNREACHABLE) {
    switch (code) {
      case 1: // communication with destination administratively prohibited
      case 5: // source address failed ingress/egress policy
      case 6: // reject route to destination
        return { errno: 'EACCES', hard: true };
      case 4: // port unreachable
        return { errno: 'ECONNREFUSED', hard: true };
      case 0: // no route to destination
        return { errno: 'ENETUNREACH', hard: false };
      default: // 2 beyond scope of source address, 3 address unreachable, and unknown codes
        return { errno: 'EHOSTUNREACH', hard: false };
    }
  }
  if (type === ICMPV6_PARAMETER_PROBLEM) return { errno: 'EPROTO', hard: true };
  return { errno: 'EHOSTUNREACH', hard: false };
}

/**
 * The echo reply to an echo request that arrived from `src` to `dst` (RFC 4443 4.2: the same
 * identifier, sequence number and data), sent back from `dst`.
 */
export function icmpv6EchoReply(
  request: { identifier: number; sequence: number; data: Uint8Array },
  src: Uint8Array,
  dst: Uint8Array,
  hopLimit = IPV6_DEFAULT_HOP_LIMIT,
): Uint8Array {
  const message = new Uint8Array(8 + request.data.length);
  message[0] = ICMPV6_ECHO_REPLY;
  message[4] = request.identifier >> 8;
  message[5] = request.identifier;
  message[6] = request.sequence >> 8;
  message[7] = request.sequence;
  message.set(request.data, 8);
  const checksum = checksumFinish(
    sumBytes(
      message,
      0,
      message.length,
      ipv6PseudoHeaderSum(dst, src, NEXT_ICMPV6, message.length),
    ),
  );
  message[2] = checksum >> 8;
  message[3] = checksum;
  return emitIpv6({ src: dst, dst: src, nextHeader: NEXT_ICMPV6, hopLimit }, message);
}
