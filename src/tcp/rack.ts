/**
 * RACK (RFC 8985 6): time-based loss detection. A segment is deemed lost when a segment sent
 * after it was delivered and more than RACK.rtt + reo_wnd has passed since it was sent. This
 * file keeps RACK's variables and its per-ACK steps; recovery.ts calls them.
 */
import { seqGt, seqLt } from '../wire/seq.js';
import type { SentSegment, SentSegments } from './sent-segments.js';

/** RFC 8985 (6.2 step 4): the reordering window persists this many recoveries after a D-SACK. */
const REO_WND_PERSIST = 16;
/** RFC 6675 DupThresh, which RFC 8985 (6.2 step 4) also uses. */
export const DUP_THRESH = 3;

/**
 * RFC 8985 (6.1) RACK_sent_after: t1 was sent after t2. The RFC breaks a tie of the clock by
 * sequence number, which holds for new data only: a retransmission sent in the same
 * millisecond after new data has the lower number. The transmit order (SentSegment.xmitOrder)
 * breaks it instead.
 */
export function sentAfter(t1: number, order1: number, t2: number, order2: number): boolean {
  return t1 > t2 || (t1 === t2 && order1 > order2);
}

export class Rack {
  /** RACK.xmit_ts (with its transmit order): the most recently sent segment delivered so far. */
  xmitTs = Number.NEGATIVE_INFINITY;
  xmitOrder = 0;
  /** RACK.rtt: the RTT of that segment. */
  rtt = 0;
  /** RACK.min_RTT: the smallest RTT seen (RFC 8985 uses it for reo_wnd and Karn-like checks). */
  minRtt = Number.POSITIVE_INFINITY;
  /** RACK.fack: the highest end sequence delivered. */
  fack = 0;
  /** RACK.reordering_seen. */
  reorderingSeen = false;
  /** RACK.reo_wnd_mult, RACK.reo_wnd_persist, RACK.dsack_round. */
  reoWndMult = 1;
  private reoWndPersist = 0;
  private dsackRound: number | undefined;

  constructor(iss: number) {
    this.fack = iss;
  }

  /**
   * RFC 8985 (6.2 step 2, 3): a segment was newly delivered (acknowledged or SACKed). `echo`
   * is the ACK's TSecr when timestamps are on, `tsOf` our TSval of a transmit time.
   */
  onDelivered(
    s: SentSegment,
    now: number,
    echo: number | undefined,
    tsOf: (t: number) => number,
  ): void {
    const rtt = now - s.xmitTime;
    if (s.retransmits > 0) {
      // The ACK may be for the original transmission: take no sample from it.
      if (echo !== undefined && seqLt(echo, tsOf(s.xmitTime))) return;
      if (rtt < this.minRtt) return;
    }
    if (rtt >= 0) this.minRtt = Math.min(this.minRtt, rtt);
    if (sentAfter(s.xmitTime, s.xmitOrder, this.xmitTs, this.xmitOrder)) {
      this.rtt = rtt;
      this.xmitTs = s.xmitTime;
      this.xmitOrder = s.xmitOrder;
    }
    // Step 3: a segment below the highest delivered one that was never retransmitted arrived
    // late: the network reorders.
    if (s.retransmits === 0 && seqLt(s.end, this.fack)) this.reorderingSeen = true;
    if (seqGt(s.end, this.fack)) this.fack = s.end;
  }

  /** RFC 8985 (6.2 step 4): a D-SACK arrived; widen the window once per round trip. */
  onDsack(sndUna: number, sndNxt: number): void {
    if (this.dsackRound !== undefined && seqLt(sndUna, this.dsackRound)) return;
    this.dsackRound = sndNxt;
    this.reoWndMult++;
    this.reoWndPersist = REO_WND_PERSIST;
  }

  /** RFC 8985 (6.2 step 4): after a recovery without a D-SACK the window shrinks back. */
  onRecoveryEnd(): void {
    if (this.reoWndPersist > 0) this.reoWndPersist--;
    if (this.reoWndPersist === 0) this.reoWndMult = 1;
  }

  /** RFC 8985 (6.2 step 4): RACK.reo_wnd. */
  reoWnd(inRecovery: boolean, sackedSegments: number, srtt: number | undefined): number {
    if (!this.reorderingSeen && (inRecovery || sackedSegments >= DUP_THRESH)) return 0;
    const min = Number.isFinite(this.minRtt) ? this.minRtt : 0;
    return Math.min(((this.reoWndMult * min) / 4) | 0, srtt ?? Number.POSITIVE_INFINITY);
  }

  /**
   * RFC 8985 (6.2 step 5): marks lost what was sent before RACK.xmit_ts and has waited longer
   * than RACK.rtt + reo_wnd. Returns the time left until the next one would be (the RACK
   * reorder timer), or 0 when none is waiting.
   */
  detectLoss(q: SentSegments, now: number, reoWnd: number, onLost: () => void): number {
    let timeout = 0;
    // Oldest transmission first (SentSegments keeps that order): the walk ends at the first
    // record sent after RACK.xmit_ts, as everything after it was sent later still.
    let s = q.oldestSent();
    while (s !== undefined) {
      const next = s.tNext;
      if (!sentAfter(this.xmitTs, this.xmitOrder, s.xmitTime, s.xmitOrder)) break;
      const remaining = s.xmitTime + this.rtt + reoWnd - now;
      if (remaining <= 0) {
        q.markLost(s);
        onLost();
      } else timeout = Math.max(timeout, remaining);
      s = next;
    }
    return timeout;
  }
}
