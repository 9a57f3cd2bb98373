/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash made for short inputs such as a
 * 4-tuple; RFC 6528 (3) asks for a cryptographic function F with a secret key for ISNs. Every
 * handshake computes it (the ISN, SYN cookies), so the 64-bit words are held as pairs of 32-bit
 * halves in a Uint32Array, not as BigInt, whose arithmetic allocates.
 */

/** The state v0..v3, each as [high, low] 32-bit halves: v0 at 0, v1 at 2, v2 at 4, v3 at 6. */
const v = new Uint32Array(8);

/** v[a] += v[b] (mod 2^64). */
function add(a: number, b: number): void {
  const lo = v[a + 1] + v[b + 1];
  v[a + 1] = lo;
  v[a] = v[a] + v[b] + (lo > 0xffff_ffff ? 1 : 0);
}

/** v[a] = rotl(v[a], n) ^ v[b], for 0 < n < 32. */
function rotlXor(a: number, n: number, b: number): void {
  const h = v[a];
  const l = v[a + 1];
  v[a] = ((h << n) | (l >>> (32 - n))) ^ v[b];
  v[a + 1] = ((l << n) | (h >>> (32 - n))) ^ v[b + 1];
}

/** v[a] = rotl(v[a], 32): the halves swap. */
function swap(a: number): void {
  const h = v[a];
  v[a] = v[a + 1];
  v[a + 1] = h;
}

function round(): void {
  add(0, 2);
  rotlXor(2, 13, 0);
  swap(0);
  add(4, 6);
  rotlXor(6, 16, 4);
  add(0, 6);
  rotlXor(6, 21, 0);
  add(4, 2);
  rotlXor(2, 17, 4);
  swap(4);
}

/** A key as halves: [k0 high, k0 low, k1 high, k1 low]. */
export type SipKeyWords = Uint32Array;

export function sipKeyWords(k0: bigint, k1: bigint): SipKeyWords {
  return Uint32Array.of(
    Number(k0 >> 32n),
    Number(k0 & 0xffff_ffffn),
    Number(k1 >> 32n),
    Number(k1 & 0xffff_ffffn),
  );
}

/** Little-endian 32-bit word of `data` at `i`, bytes past the end read as 0. */
function le32(data: Uint8Array, i: number, end: number): number {
  let w = 0;
  for (let j = Math.min(3, end - i - 1); j >= 0; j--) w = (w << 8) | data[i + j];
  return w >>> 0;
}

/**
 * SipHash-2-4 of `data` under the key `k` (sipKeyWords); leaves the 64-bit result in `out` as
 * [high, low] and returns the low 32 bits (what ISNs and cookies take).
 */
export function siphash24Words(k: SipKeyWords, data: Uint8Array, out?: Uint32Array): number {
  v[0] = k[0] ^ 0x736f6d65;
  v[1] = k[1] ^ 0x70736575;
  v[2] = k[2] ^ 0x646f7261;
  v[3] = k[3] ^ 0x6e646f6d;
  v[4] = k[0] ^ 0x6c796765;
  v[5] = k[1] ^ 0x6e657261;
  v[6] = k[2] ^ 0x74656462;
  v[7] = k[3] ^ 0x79746573;
  const len = data.length;
  const end = len - (len % 8);
  for (let i = 0; i < end; i += 8) {
    const lo = le32(data, i, len);
    const hi = le32(data, i + 4, len);
    v[6] ^= hi;
    v[7] ^= lo;
    round();
    round();
    v[0] ^= hi;
    v[1] ^= lo;
  }
  // The last word: the remaining bytes, and the length's low byte as the top byte.
  const lo = end < len ? le32(data, end, len) : 0;
  const hi = ((end + 4 < len ? le32(data, end + 4, len) : 0) | ((len & 0xff) << 24)) >>> 0;
  v[6] ^= hi;
  v[7] ^= lo;
  round();
  round();
  v[0] ^= hi;
  v[1] ^= lo;
  v[5] ^= 0xff;
  round();
  round();
  round();
  round();
  const rh = (v[0] ^ v[2] ^ v[4] ^ v[6]) >>> 0;
  const rl = (v[1] ^ v[3] ^ v[5] ^ v[7]) >>> 0;
  if (out !== undefined) {
    out[0] = rh;
    out[1] = rl;
  }
  return rl;
}

const result = new Uint32Array(2);

/** SipHash-2-4 of `data` under the 128-bit key (k0, k1); returns the 64-bit result. */
export function siphash24(k0: bigint, k1: bigint, data: Uint8Array): bigint {
  siphash24Words(sipKeyWords(k0, k1), data, result);
  return (BigInt(result[0]) << 32n) | BigInt(result[1]);
}
