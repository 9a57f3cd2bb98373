/**
 * Addresses as the stack keeps them: IPv4 as an unsigned 32-bit number (the fast path, no
 * allocation per packet), IPv6 as its 16 bytes. Demux keys follow (demux.ts): an IPv4 remote end
 * is one exact number, address * 2^16 + port; an IPv6 one is a 9-character string, the eight
 * 16-bit groups and the port as UTF-16 code units. Numbers and strings never compare equal in a
 * Map, so one table holds both families.
 *
 * A dual-stack socket (an IPv6 listener on `::` without IPV6_V6ONLY) talks to IPv4 peers with
 * IPv4 packets while naming both ends in the IPv4-mapped form `::ffff:a.b.c.d` (RFC 4291
 * 2.5.5.2, RFC 3493 3.7), as Linux does.
 */
import { formatIpv6 } from '../util/address-text.js';
import { parseIpv4Address, u32ToIpv4 } from '../wire/address.js';
import { isIpv4Mapped, parseIpv6Address } from '../wire/address6.js';

/** An address parsed for the stack: its family, and for IPv4-mapped text the IPv4 inside it. */
export type StackAddress =
  | { family: 4; v4: number; mapped: boolean }
  | { family: 6; v6: Uint8Array };

/**
 * Dotted quad, IPv6 text, or IPv4-mapped IPv6 text (family 4, `mapped`); undefined for
 * anything else.
 */
export function parseStackAddress(text: string): StackAddress | undefined {
  const v4 = parseIpv4Address(text);
  if (v4 !== undefined) return { family: 4, v4, mapped: false };
  const v6 = parseIpv6Address(text);
  if (v6 === undefined) return undefined;
  if (isIpv4Mapped(v6)) {
    const mappedV4 = ((v6[12] << 24) | (v6[13] << 16) | (v6[14] << 8) | v6[15]) >>> 0;
    return { family: 4, v4: mappedV4, mapped: true };
  }
  return { family: 6, v6 };
}

/** The demux key of an IPv6 remote end (see the module comment). */
export function remoteKey6(address: Uint8Array, port: number): string {
  return String.fromCharCode(
    (address[0] << 8) | address[1],
    (address[2] << 8) | address[3],
    (address[4] << 8) | address[5],
    (address[6] << 8) | address[7],
    (address[8] << 8) | address[9],
    (address[10] << 8) | address[11],
    (address[12] << 8) | address[13],
    (address[14] << 8) | address[15],
    port,
  );
}

/** The 16 address bytes back from an IPv6 demux key. */
export function addressOfKey6(key: string): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const w = key.charCodeAt(i);
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w;
  }
  return out;
}

/** The text an IPv4 address takes on a socket: dotted, or mapped on a dual-stack socket. */
export function ipv4Text(address: number, mapped: boolean): string {
  return mapped ? `::ffff:${u32ToIpv4(address)}` : u32ToIpv4(address);
}

/** An IPv6 address's canonical text (RFC 5952). */
export function ipv6Text(address: Uint8Array): string {
  return formatIpv6(address);
}

export const IPV4_ANY = '0.0.0.0';
export const IPV6_ANY = '::';

/**
 * The 4-tuple as bytes for a keyed hash (ISNs, SYN cookies): local address, local port, remote
 * address, remote port, in network order, then `extra` bytes of room. IPv4 (and IPv4-mapped)
 * tuples take 12 bytes, IPv6 ones 36 (RFC 6528 hashes the tuple as the packets carry it).
 * The bytes are a scratch buffer, one per size, valid until the next call: the caller hashes
 * them at once (every handshake hashes its tuple; a fresh ArrayBuffer each time cost more than
 * the hash). Every byte of it is written, by this function or (the extra room) by the caller.
 */
export function tupleBytes(
  localAddress: string,
  localPort: number,
  remoteAddress: string,
  remotePort: number,
  extra: number,
): { bytes: Uint8Array; view: DataView; length: number } {
  const l = parsedLocal(localAddress);
  const r = parseStackAddress(remoteAddress);
  if (l === undefined || r === undefined || l.family !== r.family) {
    throw new RangeError(`not one family's 4-tuple: ${localAddress}, ${remoteAddress}`);
  }
  const size = l.family === 4 ? 4 : 16;
  const length = 2 * size + 4;
  const scratch = scratchOf(length + extra);
  const { bytes, view } = scratch;
  if (l.family === 4 && r.family === 4) {
    view.setUint32(0, l.v4);
    view.setUint32(6, r.v4);
  } else if (l.family === 6 && r.family === 6) {
    bytes.set(l.v6, 0);
    bytes.set(r.v6, 18);
  }
  view.setUint16(size, localPort);
  view.setUint16(2 * size + 2, remotePort);
  scratch.length = length;
  return scratch;
}

const scratches = new Map<number, { bytes: Uint8Array; view: DataView; length: number }>();

function scratchOf(size: number): { bytes: Uint8Array; view: DataView; length: number } {
  let s = scratches.get(size);
  if (s === undefined) {
    const bytes = new Uint8Array(size);
    s = { bytes, view: new DataView(bytes.buffer), length: 0 };
    scratches.set(size, s);
  }
  return s;
}

/**
 * Local addresses parsed, by text: each host has one or two, so a few dozen entries serve every
 * stack of a process (the table starts over when it would grow past that).
 */
const locals = new Map<string, StackAddress | undefined>();
const MAX_LOCALS = 64;

function parsedLocal(text: string): StackAddress | undefined {
  let parsed = locals.get(text);
  if (parsed === undefined && !locals.has(text)) {
    if (locals.size >= MAX_LOCALS) locals.clear();
    parsed = parseStackAddress(text);
    locals.set(text, parsed);
  }
  return parsed;
}
