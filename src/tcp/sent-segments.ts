/**
 * The retransmission queue: one record per segment sent and not yet cumulatively acknowledged,
 * in sequence order, with what the sender knows of it (RFC 6675 scoreboard per segment, RFC
 * 8985 transmit time). Counters kept on every change give RFC 6675's pipe in O(1):
 * pipe = (SND.NXT - SND.UNA) - sacked - lost + retransmitted (a segment deemed lost counts
 * nothing, its retransmission once; a retransmission of a segment not deemed lost twice), as
 * RFC 6675 (4) SetPipe and Linux's tcp_packets_in_flight count it.
 */
import { seqDiff, seqGe, seqGt, seqLe, seqLt } from '../wire/seq.js';

export interface SentSegment {
  /** Sequence space [start, end): payload, and the FIN's octet when it carries our FIN. */
  start: number;
  end: number;
  /** When it was (re)transmitted last, ms (RFC 8985 Segment.xmit_ts). */
  xmitTime: number;
  /** The connection's count of transmissions at that moment: orders sends within one ms. */
  xmitOrder: number;
  /** Times it was retransmitted. */
  retransmits: number;
  sacked: boolean;
  /** Deemed lost (RFC 6675 IsLost, RACK, a timeout); stays so when retransmitted. */
  lost: boolean;
  /** A retransmission of it is in flight (neither acknowledged nor deemed lost). */
  rtxInFlight: boolean;
  /**
   * Neighbours in transmit order (see SentSegments.oldestSent): the records RACK must still
   * look at, neither SACKed nor deemed lost and waiting for their retransmission.
   */
  tPrev: SentSegment | undefined;
  tNext: SentSegment | undefined;
  /** It is linked in that list. */
  timed: boolean;
}

const len = (s: SentSegment): number => seqDiff(s.end, s.start);
/** Deemed lost and not retransmitted since: NextSeg rule 1's candidates. */
const needsRtx = (s: SentSegment): boolean => s.lost && !s.rtxInFlight;

export class SentSegments {
  private segs: SentSegment[] = [];
  private head = 0;
  /**
   * The records RACK (RFC 8985 6.2 step 5) can still deem lost, oldest transmission first, as
   * Linux's tsorted_sent_queue: a retransmission moves its record to the end; a SACK, a
   * cumulative ACK or a loss mark takes it out. A walk from the oldest stops at the first one
   * sent after RACK.xmit_ts, so each ACK costs what it marks plus the few waiting out the
   * reordering window, not the whole flight.
   */
  private tHead: SentSegment | undefined;
  private tTail: SentSegment | undefined;
  /** No record below this sequence number needs a retransmission (firstLost's cursor). */
  private lostFrom: number | undefined;
  sackedBytes = 0;
  lostBytes = 0;
  rtxBytes = 0;
  /** Transmissions so far (SentSegment.xmitOrder). */
  private transmissions = 0;
  /** Records deemed lost with no retransmission in flight: NextSeg's rule 1 has work. */
  lostCount = 0;

  get size(): number {
    return this.segs.length - this.head;
  }

  at(i: number): SentSegment | undefined {
    return this.segs[this.head + i];
  }

  first(): SentSegment | undefined {
    return this.segs[this.head];
  }

  last(): SentSegment | undefined {
    return this.segs.length > this.head ? this.segs[this.segs.length - 1] : undefined;
  }

  /** A new segment [start, end) went out at `now`. */
  push(start: number, end: number, now: number): void {
    const last = this.last();
    if (last !== undefined && seqLt(start, last.end)) return;
    const s: SentSegment = {
      start,
      end,
      xmitTime: now,
      xmitOrder: ++this.transmissions,
      retransmits: 0,
      sacked: false,
      lost: false,
      rtxInFlight: false,
      tPrev: undefined,
      tNext: undefined,
      timed: false,
    };
    this.segs.push(s);
    this.link(s);
  }

  /** The oldest transmission RACK may still deem lost (walk on with `tNext`). */
  oldestSent(): SentSegment | undefined {
    return this.tHead;
  }

  /** Index of the record holding `seq`, or undefined. Binary search: records are sorted. */
  indexOf(seq: number): number | undefined {
    let lo = this.head;
    let hi = this.segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.segs[mid] as SentSegment;
      if (seqLt(seq, s.start)) hi = mid - 1;
      else if (seqGe(seq, s.end)) lo = mid + 1;
      else return mid - this.head;
    }
    return undefined;
  }

  /** Splits the record holding `seq` so that one starts at `seq`. */
  splitAt(seq: number): void {
    const i = this.indexOf(seq);
    if (i === undefined) return;
    const s = this.segs[this.head + i] as SentSegment;
    if (s.start === seq) return;
    const right: SentSegment = {
      ...s,
      start: seq,
      tPrev: undefined,
      tNext: undefined,
      timed: false,
    };
    s.end = seq;
    this.segs.splice(this.head + i + 1, 0, right);
    if (needsRtx(s)) this.lostCount++;
    if (s.timed) {
      // Sent at the same moment as its left part: next to it in transmit order.
      right.timed = true;
      right.tPrev = s;
      right.tNext = s.tNext;
      if (s.tNext === undefined) this.tTail = right;
      else s.tNext.tPrev = right;
      s.tNext = right;
    }
  }

  /**
   * Drops what SND.UNA passed; calls `delivered` for each record (or part) newly acknowledged
   * that was not SACKed before. Returns the bytes newly acknowledged that were not SACKed.
   */
  ackTo(una: number, delivered: (s: SentSegment) => void): number {
    let bytes = 0;
    while (this.head < this.segs.length) {
      const s = this.segs[this.head] as SentSegment;
      if (seqLe(s.end, una)) {
        if (!s.sacked) {
          bytes += len(s);
          delivered(s);
        }
        this.forget(s, len(s), true);
        this.unlink(s);
        this.head++;
      } else {
        if (seqGt(una, s.start)) {
          const part = seqDiff(una, s.start);
          if (!s.sacked) {
            bytes += part;
            delivered(s);
          }
          this.forget(s, part, false);
          s.start = una;
        }
        break;
      }
    }
    if (this.head === this.segs.length) {
      this.segs = [];
      this.head = 0;
      this.tHead = undefined;
      this.tTail = undefined;
    } else if (this.head > 64 && this.head * 2 > this.segs.length) {
      this.segs = this.segs.slice(this.head);
      this.head = 0;
    }
    return bytes;
  }

  /** Marks records inside [left, right) SACKed; calls `delivered` for each newly SACKed one. */
  sack(left: number, right: number, delivered: (s: SentSegment) => void): number {
    this.splitAt(left);
    this.splitAt(right);
    const i = this.indexOf(left);
    if (i === undefined) return 0;
    let bytes = 0;
    for (let j = this.head + i; j < this.segs.length; j++) {
      const s = this.segs[j] as SentSegment;
      if (seqGt(s.end, right)) break;
      if (s.sacked) continue;
      this.forget(s, len(s), true);
      s.lost = false;
      s.rtxInFlight = false;
      s.sacked = true;
      this.unlink(s);
      this.sackedBytes += len(s);
      bytes += len(s);
      delivered(s);
    }
    return bytes;
  }

  /** Forgets every SACK mark (RFC 2018 8: the receiver reneged). */
  clearSacks(): void {
    for (let j = this.head; j < this.segs.length; j++) {
      (this.segs[j] as SentSegment).sacked = false;
    }
    this.sackedBytes = 0;
    this.relink();
  }

  /** `s` (or its last retransmission) is deemed lost. */
  markLost(s: SentSegment): void {
    if (s.sacked || needsRtx(s)) return;
    if (!s.lost) {
      s.lost = true;
      this.lostBytes += len(s);
    }
    if (s.rtxInFlight) {
      s.rtxInFlight = false;
      this.rtxBytes -= len(s);
    }
    this.lostCount++;
    this.unlink(s);
    if (this.lostFrom === undefined || seqLt(s.start, this.lostFrom)) this.lostFrom = s.start;
  }

  /** Clears every loss mark (an undo: the losses were not real). */
  unmarkLost(): void {
    for (let j = this.head; j < this.segs.length; j++) {
      const s = this.segs[j] as SentSegment;
      s.lost = false;
    }
    this.lostBytes = 0;
    this.lostCount = 0;
    this.lostFrom = undefined;
    this.relink();
  }

  /** `s` was retransmitted at `now`. */
  retransmitted(s: SentSegment, now: number): void {
    if (needsRtx(s)) this.lostCount--;
    if (!s.rtxInFlight && !s.sacked) {
      s.rtxInFlight = true;
      this.rtxBytes += len(s);
    }
    s.retransmits++;
    s.xmitTime = now;
    s.xmitOrder = ++this.transmissions;
    // The newest transmission now: to the end of the transmit order.
    this.unlink(s);
    if (!s.sacked) this.link(s);
  }

  /**
   * The first record deemed lost (NextSeg rule 1). From a cursor below which none is: a loss
   * mark lower down moves it back, so the walks add up to about one pass per recovery.
   */
  firstLost(): SentSegment | undefined {
    if (this.lostCount === 0 || this.size === 0) return undefined;
    const from = this.lostFrom;
    let j = this.head;
    if (from !== undefined && seqGt(from, (this.segs[this.head] as SentSegment).start)) {
      j = this.head + (this.indexOf(from) ?? this.segs.length - this.head);
    }
    const begin = j;
    for (; j < this.segs.length; j++) {
      const s = this.segs[j] as SentSegment;
      if (needsRtx(s)) {
        this.lostFrom = s.start;
        return s;
      }
    }
    // Not reached while the cursor keeps its promise; a full walk costs no correctness.
    this.lostFrom = undefined;
    return begin > this.head ? this.firstLost() : undefined;
  }

  forEach(f: (s: SentSegment) => void): void {
    for (let j = this.head; j < this.segs.length; j++) f(this.segs[j] as SentSegment);
  }

  /** Walks from the highest record down; stops when `f` returns false. */
  forEachDown(f: (s: SentSegment) => boolean): void {
    for (let j = this.segs.length - 1; j >= this.head; j--) {
      if (!f(this.segs[j] as SentSegment)) return;
    }
  }

  clear(): void {
    this.segs = [];
    this.head = 0;
    this.sackedBytes = 0;
    this.lostBytes = 0;
    this.rtxBytes = 0;
    this.lostCount = 0;
    this.tHead = undefined;
    this.tTail = undefined;
    this.lostFrom = undefined;
  }

  /** Appends `s` to the transmit order. */
  private link(s: SentSegment): void {
    s.timed = true;
    s.tNext = undefined;
    s.tPrev = this.tTail;
    if (this.tTail === undefined) this.tHead = s;
    else this.tTail.tNext = s;
    this.tTail = s;
  }

  private unlink(s: SentSegment): void {
    if (!s.timed) return;
    if (s.tPrev === undefined) this.tHead = s.tNext;
    else s.tPrev.tNext = s.tNext;
    if (s.tNext === undefined) this.tTail = s.tPrev;
    else s.tNext.tPrev = s.tPrev;
    s.tPrev = undefined;
    s.tNext = undefined;
    s.timed = false;
  }

  /**
   * Rebuilds the transmit order from the records (after a renege or an undo put SACKed or lost
   * records back in play): rare, so a sort is fine.
   */
  private relink(): void {
    const live: SentSegment[] = [];
    for (let j = this.head; j < this.segs.length; j++) {
      const s = this.segs[j] as SentSegment;
      s.timed = false;
      s.tPrev = undefined;
      s.tNext = undefined;
      if (!s.sacked && !needsRtx(s)) live.push(s);
    }
    live.sort((a, b) => a.xmitTime - b.xmitTime || a.xmitOrder - b.xmitOrder);
    this.tHead = undefined;
    this.tTail = undefined;
    for (const s of live) this.link(s);
  }

  /** Takes `n` bytes of `s` out of the counters (acknowledged or SACKed); `whole`: all of it. */
  private forget(s: SentSegment, n: number, whole: boolean): void {
    if (s.sacked) this.sackedBytes -= n;
    if (whole && needsRtx(s)) this.lostCount--;
    if (s.lost) this.lostBytes -= n;
    if (s.rtxInFlight) this.rtxBytes -= n;
  }
}
