/**
 * The sender's SACK scoreboard (RFC 2018, a small part of RFC 6675): which ranges above
 * SND.UNA the peer reported as received, so recovery retransmits holes and not SACKed data.
 */
import { seqDiff, seqGt, seqLe, seqLt } from '../wire/seq.js';

/**
 * RFC 2883 (4): the first block of an ACK is a D-SACK, reporting a duplicate segment, when it
 * lies below the cumulative ACK or inside the second block.
 */
export function isDsack(blocks: ReadonlyArray<readonly [number, number]>, cumAck: number): boolean {
  const first = blocks[0];
  if (first === undefined) return false;
  if (seqLe(first[1], cumAck)) return true;
  const second = blocks[1];
  return second !== undefined && seqLe(second[0], first[0]) && seqLe(first[1], second[1]);
}

/**
 * Shared by every scoreboard that holds nothing (an idle connection allocates no arrays);
 * written into never: `insert` gives a scoreboard its own arrays first.
 */
const NONE: Array<[number, number]> = [];

export class SackScoreboard {
  /** Sorted, non-overlapping [left, right) ranges, all above SND.UNA. */
  private ranges: Array<[number, number]> = NONE;
  private freshRanges: Array<[number, number]> = NONE;

  get blocks(): ReadonlyArray<readonly [number, number]> {
    return this.ranges;
  }

  /**
   * What the last update covered that no range covered before, in the order reported: the
   * only octets whose segments recovery must mark SACKed, so an ACK that repeats a large SACK
   * block costs what is new in it, not a walk over everything it covers.
   */
  get fresh(): ReadonlyArray<readonly [number, number]> {
    return this.freshRanges;
  }

  clear(): void {
    if (this.ranges !== NONE) this.ranges = [];
    this.freshRanges.length = 0;
  }

  /**
   * Adds reported blocks that lie in (sndUna, sndNxt] and forgets what sndUna passed. Returns
   * true when the blocks SACKed octets not SACKed before: RFC 6675 (2)'s test for a duplicate
   * acknowledgment. A D-SACK block (RFC 2883) is no SACK information and is left out. Each
   * block costs a binary search over the ranges (and a splice where it merges some).
   */
  update(
    reported: ReadonlyArray<readonly [number, number]>,
    sndUna: number,
    sndNxt: number,
  ): boolean {
    // No SACK information now or before (every ACK of a connection without loss): nothing to do.
    if (this.ranges === NONE && reported.length === 0) return false;
    this.forgetBelow(sndUna);
    this.freshRanges.length = 0;
    let grew = false;
    for (let i = isDsack(reported, sndUna) ? 1 : 0; i < reported.length; i++) {
      const block = reported[i] as readonly [number, number];
      const l = block[0] >>> 0;
      const r = block[1] >>> 0;
      // RFC 2018: ignore blocks that are empty, at or below SND.UNA or beyond what we sent.
      if (!seqLt(l, r) || seqLe(l, sndUna) || seqGt(r, sndNxt)) continue;
      if (this.insert(l, r)) grew = true;
    }
    return grew;
  }

  /** True when `seq` was SACKed. */
  isSacked(seq: number): boolean {
    const range = this.ranges[this.firstEndingAfter(seq)];
    return range !== undefined && seqLe(range[0], seq);
  }

  /** The left edge of the first SACKed range at or after `seq`, or `seq` itself if SACKed. */
  nextSacked(seq: number): number | undefined {
    const range = this.ranges[this.firstEndingAfter(seq)];
    if (range === undefined) return undefined;
    return seqGt(range[0], seq) ? range[0] : seq;
  }

  /**
   * The first unSACKed sequence number at or after `from` that lies below the highest SACKed
   * byte (RFC 6675 NextSeg rule 1, without its IsLost test); undefined when there is none.
   */
  nextHole(from: number, sndNxt: number): number | undefined {
    const i = this.firstEndingAfter(from);
    const range = this.ranges[i];
    if (range === undefined) return undefined;
    // Inside a range: the hole starts at its right edge, if another range lies above it.
    const seq = seqLe(range[0], from) ? range[1] : from;
    if (seq !== from && this.ranges[i + 1] === undefined) return undefined;
    return seqLt(seq, sndNxt) ? seq : undefined;
  }

  /** The right edge of the range holding `seq`, or `seq` itself when it is not SACKed. */
  coveredTo(seq: number): number {
    const range = this.ranges[this.firstEndingAfter(seq)];
    return range !== undefined && seqLe(range[0], seq) ? range[1] : seq;
  }

  /** Index of the first range whose right edge lies above `seq` (ranges.length if none). */
  private firstEndingAfter(seq: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqGt((this.ranges[mid] as [number, number])[1], seq)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Drops the ranges SND.UNA passed and trims the one it entered. */
  private forgetBelow(sndUna: number): void {
    const i = this.firstEndingAfter(sndUna);
    if (i > 0) this.ranges.splice(0, i);
    const first = this.ranges[0];
    if (first !== undefined && seqLt(first[0], sndUna)) first[0] = sndUna;
  }

  /** Merges [l, r) into the ranges; true when it covered octets not covered before. */
  private insert(l: number, r: number): boolean {
    if (this.ranges === NONE) {
      this.ranges = [];
      this.freshRanges = [];
    }
    // The first range that touches or follows l (its right edge at or above l).
    let i = this.firstEndingAfter(l);
    const before = this.ranges[i - 1];
    if (before !== undefined && before[1] === l) i--;
    let left = l;
    let right = r;
    let had = 0;
    let j = i;
    // The first octet of [l, r) not known to be covered yet: gaps before each range are fresh.
    let cursor = l;
    for (; j < this.ranges.length; j++) {
      const range = this.ranges[j] as [number, number];
      if (seqGt(range[0], r)) break;
      if (seqGt(range[0], cursor)) this.freshRanges.push([cursor, range[0]]);
      if (seqGt(range[1], cursor)) cursor = range[1];
      had += seqDiff(seqLt(range[1], r) ? range[1] : r, seqGt(range[0], l) ? range[0] : l);
      if (seqLt(range[0], left)) left = range[0];
      if (seqGt(range[1], right)) right = range[1];
    }
    if (seqLt(cursor, r)) this.freshRanges.push([cursor, r]);
    this.ranges.splice(i, j - i, [left, right]);
    return had < seqDiff(r, l);
  }
}
