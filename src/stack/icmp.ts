/** ICMP echo (RFC 792): the stack answers ping so that a TUN peer can check it is alive. */
import { internetChecksum } from '../wire/checksum.js';
import { emitIpv4 } from '../wire/ipv4.js';
import { IPPROTO_ICMP, type Ipv4Header } from '../wire/types.js';

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
