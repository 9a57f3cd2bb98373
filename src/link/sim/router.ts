/**
 * The router at the near end of a narrower link (the `mtu` setting, faults.ts): what it sends
 * back for a packet too big to forward, as a real router does. IPv4 with DF set gets ICMP
 * destination unreachable, fragmentation needed, with the next-hop MTU (RFC 1191 4); IPv6 gets
 * ICMPv6 packet too big with the link's MTU (RFC 4443 3.2, RFC 8201). Both quote the packet's
 * start, so that its sender can find the connection and check the sequence number (RFC 5927).
 */
import {
  ICMP_UNREACHABLE,
  icmpErrorPacket,
  icmpv6ErrorPacket,
  icmpv6ForIcmp,
} from '../../stack/icmp.js';

/** ICMP destination unreachable's code: fragmentation needed and DF set (RFC 792). */
const FRAG_NEEDED = 4;
/** IPv4's DF bit, in the flags and fragment offset field (bytes 6-7). */
const DF = 0x40;

/**
 * The router's answer to `packet` (larger than `mtu`), or undefined for an IPv4 packet without
 * DF (a router would fragment it; the simulator drops it). The router's address is the sender's
 * with the host part .254 (IPv4) or ::fe (IPv6): on its way, and never one of the hosts'.
 */
export function tooBigAnswer(packet: Uint8Array, mtu: number): Uint8Array | undefined {
  const version = packet[0] >> 4;
  if (version === 6 && packet.length >= 40) {
    const router = packet.slice(8, 24);
    router.fill(0, 8);
    router[15] = 0xfe;
    const v6 = icmpv6ForIcmp(ICMP_UNREACHABLE, FRAG_NEEDED);
    return icmpv6ErrorPacket(router, v6.type, v6.code, packet, mtu);
  }
  if (version !== 4 || packet.length < 20 || (packet[6] & DF) === 0) return undefined;
  const router = `${packet[12]}.${packet[13]}.${packet[14]}.254`;
  return icmpErrorPacket(router, ICMP_UNREACHABLE, FRAG_NEEDED, packet, mtu);
}

/** The name a router's packets carry in the network's trace (PacketRecord.from). */
export const ROUTER_NAME = 'router';
