/**
 * Congestion control: RFC 5681 slow start and congestion avoidance, with NewReno fast
 * recovery (RFC 6582). All quantities are in bytes.
 */
import { seqGe } from '../wire/seq.js';

export class NewReno {
  cwnd: number;
  /** RFC 5681 (3.1): "arbitrarily high" initially; 2^30 stays a safe positive number. */
  ssthresh = 2 ** 30;
  /** RFC 6582 (3.2): the highest sequence number sent when recovery began. */
  recover: number;
  inRecovery = false;
  dupAcks = 0;
  /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 5681 3.1, eq. 3 note). */
  private caAcked = 0;

  constructor(
    private mss: number,
    initialCwndSegments: number,
    iss: number,
  ) {
    this.cwnd = NewReno.initialWindow(mss, initialCwndSegments);
    this.recover = iss;
  }

  /**
   * RFC 6928 (2): IW = min(10*MSS, max(2*MSS, 14600)); generalised to N segments as
   * min(N*MSS, max(2*MSS, N*1460)).
   */
  static initialWindow(mss: number, segments: number): number {
    return Math.min(segments * mss, Math.max(2 * mss, segments * 1460));
  }

  setMss(mss: number, initialCwndSegments: number): void {
    this.mss = mss;
    this.cwnd = NewReno.initialWindow(mss, initialCwndSegments);
  }

  /**
   * A cumulative ACK advanced SND.UNA by `acked` bytes. Returns true when it was a partial ACK
   * during recovery (the caller retransmits the next hole, RFC 6582 3.2 step 5).
   */
  onNewAck(ack: number, acked: number, flightAfter: number): boolean {
    this.dupAcks = 0;
    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        // Full acknowledgment (RFC 6582 3.2 step 3): deflate to min(ssthresh, FlightSize + MSS).
        this.cwnd = Math.min(this.ssthresh, Math.max(flightAfter, this.mss) + this.mss);
        this.inRecovery = false;
        return false;
      }
      // Partial acknowledgment (RFC 6582 3.2 step 4): deflate by the amount acked, add back one
      // MSS if at least one MSS was acked.
      this.cwnd = Math.max(this.mss, this.cwnd - acked + (acked >= this.mss ? this.mss : 0));
      return true;
    }
    if (this.cwnd < this.ssthresh) {
      // RFC 5681 (3.1) eq. 2 with appropriate byte counting L = 1 SMSS (RFC 3465).
      this.cwnd += Math.min(acked, this.mss);
    } else {
      // RFC 5681 (3.1): about one SMSS per RTT, counted in bytes acknowledged.
      this.caAcked += acked;
      if (this.caAcked >= this.cwnd) {
        this.caAcked -= this.cwnd;
        this.cwnd += this.mss;
      }
    }
    return false;
  }

  /**
   * A duplicate ACK (RFC 5681 2 definition). Returns true on the third one when fast
   * retransmit should happen (RFC 5681 3.2 step 2; RFC 6582 3.2 step 2 "recover" check).
   */
  onDupAck(ack: number, sndNxt: number, flight: number): boolean {
    this.dupAcks++;
    if (this.inRecovery) {
      // RFC 5681 (3.2) step 4: inflate for each further duplicate.
      this.cwnd += this.mss;
      return false;
    }
    if (this.dupAcks !== 3) return false;
    // RFC 6582 (3.2 step 2, 4.1): no new recovery while the ACK does not reach "recover" (the
    // duplicates may be echoes of a retransmission after a timeout).
    if (!seqGe(ack, this.recover)) return false;
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.mss);
    this.recover = sndNxt;
    this.cwnd = this.ssthresh + 3 * this.mss;
    this.inRecovery = true;
    return true;
  }

  /** RFC 5681 (3.1) eq. 4 and loss window; RFC 6582 (4): recover <- highest sent. */
  onTimeout(flight: number, sndNxt: number): void {
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.mss);
    this.cwnd = this.mss;
    this.caAcked = 0;
    this.inRecovery = false;
    this.dupAcks = 0;
    this.recover = sndNxt;
  }
}
