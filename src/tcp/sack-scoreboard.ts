/**
 * The sender's SACK scoreboard (RFC 2018, a small part of RFC 6675): which ranges above
 * SND.UNA the peer reported as received, so recovery retransmits holes and not SACKed data.
 */
import { seqGe, seqGt, seqLe, seqLt, seqMax } from '../wire/seq.js';

export class SackScoreboard {
  /** Sorted, non-overlapping [left, right) ranges, all above SND.UNA. */
  private ranges: Array<[number, number]> = [];

  get blocks(): ReadonlyArray<readonly [number, number]> {
    return this.ranges;
  }

  clear(): void {
    this.ranges = [];
  }

  /** Adds reported blocks that lie in (sndUna, sndNxt] and forgets what sndUna passed. */
  update(reported: ReadonlyArray<readonly [number, number]>, sndUna: number, sndNxt: number): void {
    let next = this.ranges.filter(([, r]) => seqGt(r, sndUna));
    for (const [rawL, rawR] of reported) {
      const l = rawL >>> 0;
      const r = rawR >>> 0;
      // RFC 2018 (and RFC 5961-style sanity): ignore blocks that are empty, below SND.UNA or
      // beyond what we sent (a D-SACK or a bogus block).
      if (!seqLt(l, r) || seqLe(l, sndUna) || seqGt(r, sndNxt)) continue;
      next.push([l, r]);
    }
    next = next.map(([l, r]) => [seqMax(l, sndUna), r] as [number, number]);
    next.sort((a, b) => (seqLt(a[0], b[0]) ? -1 : seqGt(a[0], b[0]) ? 1 : 0));
    const merged: Array<[number, number]> = [];
    for (const [l, r] of next) {
      const last = merged[merged.length - 1];
      if (last !== undefined && seqGe(last[1], l)) {
        if (seqGt(r, last[1])) last[1] = r;
      } else merged.push([l, r]);
    }
    this.ranges = merged;
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
