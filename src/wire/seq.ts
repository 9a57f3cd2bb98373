/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4). Sequence numbers are plain
 * numbers in [0, 2^32); comparisons are valid when the two numbers are less than 2^31 apart.
 */

const MOD = 0x1_0000_0000;

/** `a + n` modulo 2^32 (n may be negative). */
export function seqAdd(a: number, n: number): number {
  return (((a + n) % MOD) + MOD) % MOD;
}

/** Signed distance `a - b` in (-2^31, 2^31]. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}

/** `start <= x < start + len` modulo 2^32 (the RFC's window test). */
export function seqInWindow(x: number, start: number, len: number): boolean {
  const d = seqDiff(x, start);
  return d >= 0 && d < len;
}

/** The larger of two sequence numbers in modular order. */
export function seqMax(a: number, b: number): number {
  return seqGt(a, b) ? a : b;
}

/** The smaller of two sequence numbers in modular order. */
export function seqMin(a: number, b: number): number {
  return seqLt(a, b) ? a : b;
}
