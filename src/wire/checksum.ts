/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * 16-bit big-endian words. The sum is kept unfolded in a JS number (exact below 2^53, far more
 * than any IP packet needs) and folded once at the end, so a checksum can be built in pieces:
 * `checksumFinish(sumBytes(b, 0, n, pseudoHeaderSum(...)))`.
 */

/**
 * Ranges at least this long whose first byte sits at a 4-byte boundary of its ArrayBuffer are
 * summed as 32-bit words (`sumWords`); shorter ones (IP headers, bare ACKs) byte by byte, where
 * setting up a word view would cost more than it saves.
 */
const WORD_MIN = 64;
/** The platform's byte order: Uint32Array reads words in it. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
/**
 * The word view of the last buffer summed: packets carved from one slab (slab.ts), or read into
 * one link buffer, share it, so the view is made once per buffer, not once per packet.
 */
let wordsOf: ArrayBufferLike | undefined;
let words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * Adds the bytes `bytes[start..end)` to a running sum. A piece of odd length is padded with a
 * zero byte (RFC 1071 section 4.1), so only the last piece of a message may have odd length.
 * The returned value is unfolded: only `foldSum` of it is meaningful.
 */
export function sumBytes(bytes: Uint8Array, start: number, end: number, initial = 0): number {
  if (end - start >= WORD_MIN && ((bytes.byteOffset + start) & 3) === 0) {
    return initial + sumWords(bytes, start, end);
  }
  return sumPairs(bytes, start, end, initial);
}

/**
 * Four words per step: measured faster than one, and than reading through a Uint16Array or
 * DataView view made per call, whose creation costs more than it saves at packet sizes.
 */
function sumPairs(bytes: Uint8Array, start: number, end: number, initial: number): number {
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

/**
 * The folded sum of a 4-byte-aligned range, read as 32-bit words in the platform's order. The
 * one's complement sum does not depend on byte order (RFC 1071 section 2(B)): summed
 * little-endian it comes out byte-swapped, and one swap after folding puts it right. Each word
 * adds two 16-bit halves below 2^17, so the sum stays exact for any buffer JS can hold.
 */
function sumWords(bytes: Uint8Array, start: number, end: number): number {
  const buffer = bytes.buffer;
  if (buffer !== wordsOf) {
    words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    wordsOf = buffer;
  }
  const w = words;
  let i = (bytes.byteOffset + start) >>> 2;
  const count = (end - start) >>> 2;
  const stop = i + count;
  const stop4 = stop - (count & 3);
  let sum = 0;
  for (; i < stop4; i += 4) {
    const a = w[i];
    const b = w[i + 1];
    const c = w[i + 2];
    const d = w[i + 3];
    sum +=
      (a >>> 16) +
      (a & 0xffff) +
      (b >>> 16) +
      (b & 0xffff) +
      (c >>> 16) +
      (c & 0xffff) +
      (d >>> 16) +
      (d & 0xffff);
  }
  for (; i < stop; i++) {
    const a = w[i];
    sum += (a >>> 16) + (a & 0xffff);
  }
  let folded = foldSum(sum);
  if (LITTLE_ENDIAN) folded = ((folded & 0xff) << 8) | (folded >>> 8);
  const tail = start + count * 4;
  return tail < end ? sumPairs(bytes, tail, end, folded) : folded;
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
