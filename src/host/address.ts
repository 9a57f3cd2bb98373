/**
 * Address text from the kernel's binary forms: IPv4 and IPv6 (RFC 5952 canonical text, with
 * IPv4-mapped addresses as ::ffff:a.b.c.d, the way `ss` prints them).
 */

export function formatIpv4(bytes: ArrayLike<number>, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** RFC 5952: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(bytes: ArrayLike<number>, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1]);
  // ::ffff:0:0/96 (RFC 4291 2.5.5.2) prints its IPv4 part in dotted form (RFC 5952 5).
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** Whether an address (as formatted above) is IPv4-mapped IPv6. */
export function isV4Mapped(address: string): boolean {
  return address.startsWith('::ffff:') && address.includes('.');
}
