/**
 * IPv6 address text (RFC 4291 section 2.2) to its 16 bytes, and the IPv4-mapped range
 * (::ffff:0:0/96, RFC 4291 2.5.5.2) that a dual-stack socket uses for IPv4 peers. Text for
 * people goes the other way through util/address-text.ts (RFC 5952's canonical form).
 */
import { parseIpv4Address } from './address.js';

/**
 * Parses the three text forms of RFC 4291 2.2: eight groups of 1-4 hex digits (`2001:db8:0:0:
 * 8:800:200c:417a`), one `::` standing for one or more zero groups (`2001:db8::1`, `::`), and a
 * dotted IPv4 address in the last 32 bits (`::ffff:192.0.2.1`). Case does not matter. A zone
 * (`fe80::1%eth0`), brackets, a prefix length or anything else: undefined.
 */
export function parseIpv6Address(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const out = new Uint8Array(16);
  const gap = text.indexOf('::');
  if (gap >= 0 && text.indexOf('::', gap + 1) >= 0) return undefined;
  const head = gap >= 0 ? text.slice(0, gap) : text;
  const tail = gap >= 0 ? text.slice(gap + 2) : '';
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  if (gap < 0 && head === '') return undefined;
  const words: number[] = [];
  const last = gap >= 0 ? tailGroups : headGroups;
  // A dotted IPv4 part may end the address, standing for the last two groups.
  let ipv4: number | undefined;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    ipv4 = parseIpv4Address(last[last.length - 1]);
    if (ipv4 === undefined) return undefined;
    last.pop();
  }
  const headWords = parseGroups(headGroups);
  const tailWords = gap >= 0 ? parseGroups(tailGroups) : [];
  if (headWords === undefined || tailWords === undefined) return undefined;
  const given = headWords.length + tailWords.length + (ipv4 === undefined ? 0 : 2);
  if (gap >= 0 ? given > 7 : given !== 8) return undefined;
  words.push(...headWords);
  for (let i = given; i < 8; i++) words.push(0);
  words.push(...tailWords);
  if (ipv4 !== undefined) words.push(ipv4 >>> 16, ipv4 & 0xffff);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i] >> 8;
    out[2 * i + 1] = words[i];
  }
  return out;
}

function parseGroups(groups: string[]): number[] | undefined {
  const words: number[] = [];
  for (const g of groups) {
    if (g.length < 1 || g.length > 4 || !/^[0-9a-fA-F]+$/.test(g)) return undefined;
    words.push(Number.parseInt(g, 16));
  }
  return words;
}

/** Whether the 16 bytes are an IPv4-mapped address (::ffff:a.b.c.d). */
export function isIpv4Mapped(address: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (address[i] !== 0) return false;
  return address[10] === 0xff && address[11] === 0xff;
}

/** The IPv4-mapped form of an IPv4 address given as an unsigned 32-bit number. */
export function ipv4Mapped(ipv4: number): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out[12] = ipv4 >>> 24;
  out[13] = ipv4 >>> 16;
  out[14] = ipv4 >>> 8;
  out[15] = ipv4;
  return out;
}

/** Whether two 16-byte addresses are equal. */
export function sameIpv6(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}
