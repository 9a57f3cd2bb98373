/**
 * Proportional Rate Reduction (RFC 6937 3, with Slow Start Reduction Bound): how many bytes
 * fast recovery may send on one ACK, so that the flight falls to ssthresh smoothly and by the
 * end of recovery, rather than in one halving burst or by the one-hole-per-ACK trickle of
 * NewReno.
 */

export interface PrrInput {
  /** prr_delivered, including this ACK's DeliveredData. */
  prrDelivered: number;
  /** prr_out: bytes sent since recovery began. */
  prrOut: number;
  /** RecoverFS: the flight when recovery began. */
  recoverFs: number;
  ssthresh: number;
  /** pipe after this ACK was processed. */
  pipe: number;
  /** DeliveredData of this ACK: the change in SND.UNA plus the change in SACKed bytes. */
  delivered: number;
  mss: number;
}

/** RFC 6937 (3.1) sndcnt, in bytes (never negative). */
export function prrSndcnt(p: PrrInput): number {
  let sndcnt: number;
  if (p.pipe > p.ssthresh) {
    // Proportional part: CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out.
    sndcnt = Math.ceil((p.prrDelivered * p.ssthresh) / Math.max(1, p.recoverFs)) - p.prrOut;
  } else {
    // PRR-SSRB: grow back towards ssthresh at most as fast as slow start would.
    const limit = Math.max(p.prrDelivered - p.prrOut, p.delivered) + p.mss;
    sndcnt = Math.min(p.ssthresh - p.pipe, limit);
  }
  return Math.max(0, sndcnt);
}
