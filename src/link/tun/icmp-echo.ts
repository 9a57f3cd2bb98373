/**
 * ICMP echo (RFC 792) for the TUN link: so that `ping` to the stack's address is answered even
 * by a stack that has no ICMP of its own. TunHost hands every echo request to the stack first
 * and answers here only when the stack's output for that batch held no reply to it.
 */
const IPPROTO_ICMP = 1;
const ECHO_REPLY = 0;
const ECHO_REQUEST = 8;

function ihl(p: Uint8Array): number {
  return (p[0] & 0x0f) * 4;
}

function isIcmp(p: Uint8Array, type: number): boolean {
  if (p.byteLength < 20 || p[0] >> 4 !== 4 || p[9] !== IPPROTO_ICMP) return false;
  const h = ihl(p);
  return h >= 20 && p.byteLength >= h + 8 && p[h] === type && p[h + 1] === 0;
}

export const isEchoRequest = (p: Uint8Array): boolean => isIcmp(p, ECHO_REQUEST);
export const isEchoReply = (p: Uint8Array): boolean => isIcmp(p, ECHO_REPLY);

/** "identifier/sequence/peer" of an echo request (as seen from us) or reply (as sent by us). */
export function echoKey(p: Uint8Array, peerIsSource: boolean): string {
  const h = ihl(p);
  const peer = peerIsSource ? p.subarray(12, 16) : p.subarray(16, 20);
  return `${(p[h + 4] << 8) | p[h + 5]}/${(p[h + 6] << 8) | p[h + 7]}/${peer.join('.')}`;
}

/** RFC 1071 one's complement sum over `bytes`, folded and inverted. */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  const n = bytes.byteLength & ~1;
  for (let i = 0; i < n; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.byteLength & 1) sum += bytes[n] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The reply to an echo request: addresses swapped, type 0, the request's identifier, sequence
 * number and data returned unchanged (RFC 792), IP options dropped.
 */
export function echoReply(request: Uint8Array): Uint8Array {
  const h = ihl(request);
  const totalLength = (request[2] << 8) | request[3];
  const icmp = request.subarray(h, Math.min(totalLength, request.byteLength));
  const out = new Uint8Array(20 + icmp.byteLength);
  out[0] = 0x45;
  out[2] = out.byteLength >> 8;
  out[3] = out.byteLength & 0xff;
  out[6] = 0x40; // DF, as Linux sets on replies
  out[8] = 64;
  out[9] = IPPROTO_ICMP;
  out.set(request.subarray(16, 20), 12);
  out.set(request.subarray(12, 16), 16);
  const ipSum = checksum(out.subarray(0, 20));
  out[10] = ipSum >> 8;
  out[11] = ipSum & 0xff;
  out.set(icmp, 20);
  out[20] = ECHO_REPLY;
  out[22] = 0;
  out[23] = 0;
  const icmpSum = checksum(out.subarray(20));
  out[22] = icmpSum >> 8;
  out[23] = icmpSum & 0xff;
  return out;
}
