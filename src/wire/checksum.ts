/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * 16-bit big-endian words. The sum is kept unfolded in a JS number (exact below 2^53, far more
 * than any IP packet needs) and folded once at the end, so a checksum can be built in pieces:
 * `checksumFinish(sumBytes(b, 0, n, pseudoHeaderSum(...)))`.
 */

/**
 * Adds the bytes `bytes[start..end)` to a running sum. A piece of odd length is padded with a
 * zero byte (RFC 1071 section 4.1), so only the last piece of a message may have odd length.
 * Four words per step: measured faster than one, and than reading through a Uint16Array or
 * DataView view, whose creation costs more than it saves at packet sizes.
 */
export function sumBytes(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  const end8 = end - ((end - start) & 7);
  for (; i < end8; i += 8) {
    sum +=
      ((bytes[i] << 8) | bytes[i + 1]) +
      ((bytes[i + 2] << 8) | bytes[i + 3]) +
      ((bytes[i + 4] << 8) | bytes[i + 5]) +
      ((bytes[i + 6] << 8) | bytes[i + 7]);
  }
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Folds the carries back in (end-around carry) and returns the 16-bit one's complement sum. */
export function foldSum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value for a running sum: the complement of the folded sum. */
export function checksumFinish(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** The Internet checksum of a whole byte range. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return checksumFinish(sumBytes(bytes, start, end));
}

/**
 * The sum of the IPv4 pseudo-header that TCP and UDP checksums cover (RFC 9293 section 3.1):
 * source and destination address, zero, protocol and the TCP length (header plus data).
 */
export function pseudoHeaderSum(
  src: number,
  dst: number,
  protocol: number,
  length: number,
): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
}

/**
 * Updates a checksum after one 16-bit word of the covered data changed from `oldWord` to
 * `newWord`, without re-summing (RFC 1624 equation 3: HC' = ~(~HC + ~m + m')).
 */
export function checksumUpdate16(checksum: number, oldWord: number, newWord: number): number {
  const sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~foldSum(sum) & 0xffff;
}
