/**
 * Sorts what the kernel routes into a TUN device before the stack sees it. The kernel sends more
 * than our TCP: IPv6 router and neighbour solicitations as soon as the link is up, multicast
 * (IGMP, mDNS), UDP. Those are ignored and counted, as a host without those protocols would.
 */
export type PacketClass =
  | 'deliver'
  | 'ipv6'
  | 'router-solicitation'
  | 'other-protocol'
  | 'not-for-us'
  | 'malformed';

export interface FilterCounters {
  /** IPv6 packets to an IPv4-only stack. */
  ipv6: number;
  /** ICMPv6 router solicitations (RFC 4861 6.3.7) to an IPv6 stack: it is no router. */
  routerSolicitations: number;
  otherProtocol: number;
  notForUs: number;
  malformed: number;
}

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;

/** Our IPv4 address as a 32-bit number, for a compare without string work per packet. */
export function ipv4ToUint32(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${address}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function classifyPacket(packet: Uint8Array, ourAddress: number): PacketClass {
  if (packet.byteLength < 1) return 'malformed';
  const version = packet[0] >> 4;
  if (version === 6) return 'ipv6';
  if (version !== 4 || packet.byteLength < 20) return 'malformed';
  const dst = ((packet[16] << 24) | (packet[17] << 16) | (packet[18] << 8) | packet[19]) >>> 0;
  if (dst !== ourAddress) return 'not-for-us';
  const protocol = packet[9];
  if (protocol !== IPPROTO_TCP && protocol !== IPPROTO_ICMP) return 'other-protocol';
  return 'deliver';
}

const NEXT_ICMPV6 = 58;
const ROUTER_SOLICITATION = 133;

/**
 * `classifyPacket` for an IPv6 stack at `ours` (16 bytes): TCP and ICMPv6 to its address (or
 * behind extension headers, which the stack walks) are delivered; router solicitations are
 * counted apart; other multicast (MLD reports, neighbour solicitations) and IPv4 are not for us.
 */
export function classifyPacket6(packet: Uint8Array, ours: Uint8Array): PacketClass {
  if (packet.byteLength < 1) return 'malformed';
  if (packet[0] >> 4 === 4) return 'not-for-us';
  if (packet[0] >> 4 !== 6 || packet.byteLength < 40) return 'malformed';
  const next = packet[6];
  if (packet[24] === 0xff) {
    const rs = next === NEXT_ICMPV6 && packet.byteLength > 40 && packet[40] === ROUTER_SOLICITATION;
    return rs ? 'router-solicitation' : 'not-for-us';
  }
  for (let i = 0; i < 16; i++) if (packet[24 + i] !== ours[i]) return 'not-for-us';
  // 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options: the stack walks them.
  if (![IPPROTO_TCP, NEXT_ICMPV6, 0, 43, 44, 60].includes(next)) return 'other-protocol';
  return 'deliver';
}

export function newFilterCounters(): FilterCounters {
  return { ipv6: 0, routerSolicitations: 0, otherProtocol: 0, notForUs: 0, malformed: 0 };
}

export function countPacket(counters: FilterCounters, cls: PacketClass): void {
  if (cls === 'ipv6') counters.ipv6++;
  else if (cls === 'router-solicitation') counters.routerSolicitations++;
  else if (cls === 'other-protocol') counters.otherProtocol++;
  else if (cls === 'not-for-us') counters.notForUs++;
  else if (cls === 'malformed') counters.malformed++;
}
