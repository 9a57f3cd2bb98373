/**
 * Address text from the kernel's binary forms: IPv4 and IPv6 (RFC 5952 canonical text, with
 * IPv4-mapped addresses as ::ffff:a.b.c.d, the way `ss` prints them).
 */

export { formatIpv4, formatIpv6 } from '../util/address-text.js';

/** Whether an address (as formatted above) is IPv4-mapped IPv6. */
export function isV4Mapped(address: string): boolean {
  return address.startsWith('::ffff:') && address.includes('.');
}
