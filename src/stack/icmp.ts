/** ICMP echo (RFC 792): the stack answers ping so that a TUN peer can check it is alive. */
import { internetChecksum } from '../wire/checksum.js';
import { ICMPV6_DEST_UNREACHABLE, ICMPV6_PACKET_TOO_BIG } from '../wire/icmpv6.js';
import { emitIpv4 } from '../wire/ipv4.js';
import { emitIpv6, ipv6UpperChecksum, NEXT_ICMPV6 } from '../wire/ipv6.js';
import { IPPROTO_ICMP, IPPROTO_TCP, type Ipv4Header } from '../wire/types.js';

const ECHO_REPLY = 0;
const ECHO_REQUEST = 8;

/** The echo reply to an ICMP message, or undefined when it is not a valid echo request. */
export function echoReply(ip: Ipv4Header, icmp: Uint8Array, ttl: number): Uint8Array | undefined {
  if (icmp.length < 8 || icmp[0] !== ECHO_REQUEST || icmp[1] !== 0) return undefined;
  if (internetChecksum(icmp) !== 0) return undefined;
  const reply = icmp.slice();
  reply[0] = ECHO_REPLY;
  reply[2] = 0;
  reply[3] = 0;
  const sum = internetChecksum(reply);
  reply[2] = sum >> 8;
  reply[3] = sum & 0xff;
  return emitIpv4({ src: ip.dst, dst: ip.src, protocol: IPPROTO_ICMP, ttl }, reply);
}

/** ICMP error types (RFC 792). */
export const ICMP_UNREACHABLE = 3;
export const ICMP_TIME_EXCEEDED = 11;

/** An ICMP error about one of our TCP segments: its type and code, and the segment quoted. */
export interface IcmpError {
  type: number;
  code: number;
  /** Next-hop MTU of fragmentation needed (RFC 1191), 0 otherwise. */
  mtu: number;
  /** The quoted segment: our address and port, the peer's, and its sequence number. */
  local: { address: string; port: number };
  remote: { address: string; port: number };
  seq: number;
}

/**
 * An ICMP error quoting a TCP segment we sent (RFC 792: the IP header and the first 8 bytes
 * of its data, which hold the ports and the sequence number), or undefined.
 */
export function readIcmpError(icmp: Uint8Array): IcmpError | undefined {
  if (icmp.length < 8 + 20 + 8) return undefined;
  const type = icmp[0];
  if (
    type !== ICMP_UNREACHABLE &&
    type !== ICMP_TIME_EXCEEDED &&
    type !== 4 &&
    type !== 5 &&
    type !== 12
  ) {
    return undefined;
  }
  if (internetChecksum(icmp) !== 0) return undefined;
  const inner = icmp.subarray(8);
  const ihl = (inner[0] & 0x0f) * 4;
  if (inner[0] >> 4 !== 4 || ihl < 20 || inner[9] !== IPPROTO_TCP || inner.length < ihl + 8) {
    return undefined;
  }
  const addr = (at: number) => `${inner[at]}.${inner[at + 1]}.${inner[at + 2]}.${inner[at + 3]}`;
  const view = new DataView(inner.buffer, inner.byteOffset + ihl, 8);
  return {
    type,
    code: icmp[1],
    mtu: (icmp[6] << 8) | icmp[7],
    local: { address: addr(12), port: view.getUint16(0) },
    remote: { address: addr(16), port: view.getUint16(2) },
    seq: view.getUint32(4),
  };
}

/**
 * What an ICMP error does to a connection still opening (RFC 1122 4.2.3.9, RFC 5927): the
 * errno of a hard error, which ends it, or undefined for a soft one, which is only noted.
 * As FreeBSD (tcp_ctlinput with icmp_may_rst=1): protocol and port unreachable and the
 * administratively prohibited codes (9, 10, 13) refuse the connection, time exceeded in
 * transit makes the host unreachable; every other code is soft.
 */
export function hardErrorErrno(e: IcmpError): string | undefined {
  if (e.type === ICMP_UNREACHABLE && [2, 3, 9, 10, 13].includes(e.code)) return 'ECONNREFUSED';
  if (e.type === ICMP_TIME_EXCEEDED && e.code === 0) return 'EHOSTUNREACH';
  return undefined;
}

/**
 * An ICMP error about `quoted` (the IPv4 packet that caused it), from `src` back to its sender:
 * the IP header and first 8 bytes of data quoted (RFC 792), `mtu` in the next-hop MTU field of
 * fragmentation needed (RFC 1191). What a router or a firewall (iptables REJECT) sends.
 */
export function icmpErrorPacket(
  src: string,
  type: number,
  code: number,
  quoted: Uint8Array,
  mtu = 0,
): Uint8Array {
  const ihl = (quoted[0] & 0x0f) * 4;
  const body = new Uint8Array(8 + Math.min(quoted.length, ihl + 8));
  body[0] = type;
  body[1] = code;
  body[6] = (mtu >> 8) & 0xff;
  body[7] = mtu & 0xff;
  body.set(quoted.subarray(0, body.length - 8), 8);
  const sum = internetChecksum(body);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  const dst = `${quoted[12]}.${quoted[13]}.${quoted[14]}.${quoted[15]}`;
  return emitIpv4({ src, dst, protocol: IPPROTO_ICMP, ttl: 64 }, body);
}

/** How much of the packet an ICMPv6 error quotes here: its IPv6 and TCP headers (RFC 4443 2.4). */
const ICMPV6_QUOTE = 48;

/**
 * The ICMPv6 twin of an ICMP error (`type`, `code` as ICMP's): fragmentation needed becomes
 * packet too big (RFC 8201), protocol and port unreachable become port unreachable (code 4),
 * administratively prohibited (13) stays prohibited (1), anything else is address unreachable (3).
 */
export function icmpv6ForIcmp(type: number, code: number): { type: number; code: number } {
  if (type === 3 && code === 4) return { type: ICMPV6_PACKET_TOO_BIG, code: 0 };
  if (type !== 3) return { type: ICMPV6_DEST_UNREACHABLE, code: 3 };
  const v6code = code === 2 || code === 3 ? 4 : code === 13 ? 1 : 3;
  return { type: ICMPV6_DEST_UNREACHABLE, code: v6code };
}

/**
 * An ICMPv6 error about `quoted` (the IPv6 packet that caused it), from `src` back to its
 * sender, quoting its first 48 bytes (RFC 4443 3); `mtu` fills packet too big's MTU field.
 */
export function icmpv6ErrorPacket(
  src: Uint8Array,
  type: number,
  code: number,
  quoted: Uint8Array,
  mtu = 0,
): Uint8Array {
  const body = new Uint8Array(8 + Math.min(quoted.length, ICMPV6_QUOTE));
  body[0] = type;
  body[1] = code;
  body[6] = (mtu >> 8) & 0xff;
  body[7] = mtu & 0xff;
  body.set(quoted.subarray(0, body.length - 8), 8);
  const dst = quoted.subarray(8, 24);
  const sum = ipv6UpperChecksum(src, dst, NEXT_ICMPV6, body);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return emitIpv6({ src, dst, nextHeader: NEXT_ICMPV6 }, body);
}
