/**
 * The sender's SACK scoreboard (RFC 2018, a small part of RFC 6675): which ranges above
 * SND.UNA the peer reported as received, so recovery retransmits holes and not SACKed data.
 */
import { seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax } from '../wire/seq.js';

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

/** Octets held by sorted, non-overlapping ranges. */
function covered(ranges: ReadonlyArray<readonly [number, number]>): number {
  let n = 0;
  for (const [l, r] of ranges) n += seqDiff(r, l);
  return n;
}

export class SackScoreboard {
  /** Sorted, non-overlapping [left, right) ranges, all above SND.UNA. */
  private ranges: Array<[number, number]> = [];

  get blocks(): ReadonlyArray<readonly [number, number]> {
    return this.ranges;
  }

  clear(): void {
    this.ranges = [];
  }

  /**
   * Adds reported blocks that lie in (sndUna, sndNxt] and forgets what sndUna passed. Returns
   * true when the blocks SACKed octets not SACKed before: RFC 6675 (2)'s test for a duplicate
   * acknowledgment. A D-SACK block (RFC 2883) is no SACK information and is left out.
   */
  update(
    reported: ReadonlyArray<readonly [number, number]>,
    sndUna: number,
    sndNxt: number,
  ): boolean {
    const next = this.ranges
      .filter(([, r]) => seqGt(r, sndUna))
      .map(([l, r]) => [seqMax(l, sndUna), r] as [number, number]);
    const before = covered(next);
    for (const [rawL, rawR] of isDsack(reported, sndUna) ? reported.slice(1) : reported) {
      const l = rawL >>> 0;
      const r = rawR >>> 0;
      // RFC 2018: ignore blocks that are empty, at or below SND.UNA or beyond what we sent.
      if (!seqLt(l, r) || seqLe(l, sndUna) || seqGt(r, sndNxt)) continue;
      next.push([l, r]);
    }
    next.sort((a, b) => (seqLt(a[0], b[0]) ? -1 : seqGt(a[0], b[0]) ? 1 : 0));
    const merged: Array<[number, number]> = [];
    for (const [l, r] of next) {
      const last = merged[merged.length - 1];
      if (last !== undefined && seqGe(last[1], l)) {
        if (seqGt(r, last[1])) last[1] = r;
      } else merged.push([l, r]);
    }
    this.ranges = merged;
    return covered(merged) > before;
  }

  /** True when `seq` was SACKed. */
  isSacked(seq: number): boolean {
    return this.ranges.some(([l, r]) => seqLe(l, seq) && seqLt(seq, r));
  }

  /** The left edge of the first SACKed range at or after `seq`, or `seq` itself if SACKed. */
  nextSacked(seq: number): number | undefined {
    for (const [l, r] of this.ranges) {
      if (seqLt(seq, r)) return seqGt(l, seq) ? l : seq;
    }
    return undefined;
  }

  /**
   * The first unSACKed sequence number at or after `from` that lies below the highest SACKed
   * byte (RFC 6675 NextSeg rule 1, without its IsLost test); undefined when there is none.
   */
  nextHole(from: number, sndNxt: number): number | undefined {
    const last = this.ranges[this.ranges.length - 1];
    if (last === undefined) return undefined;
    let seq = from;
    for (const [l, r] of this.ranges) {
      if (seqLt(seq, l)) return seqLt(seq, sndNxt) ? seq : undefined;
      if (seqLt(seq, r)) seq = r;
    }
    return undefined;
  }
}
