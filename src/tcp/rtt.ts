/**
 * The retransmission timer's estimator (RFC 6298 section 2) and its exponential backoff
 * (section 5.5).
 */

/** RFC 6298 (2.3): alpha = 1/8, beta = 1/4. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
/** RFC 6298 (2.3): K = 4. */
const K = 4;
/** Clock granularity G (RFC 6298 2): our clock is in ms, so 1 ms. */
const CLOCK_GRANULARITY = 1;

export class RttEstimator {
  srtt: number | undefined;
  rttvar: number | undefined;
  /** The RTO before backoff. */
  private baseRto: number;
  /** Number of consecutive backoffs (RFC 6298 5.5), reset by a new RTT sample. */
  backoffs = 0;
  /**
   * Added to every RTO but the initial one (FreeBSD's net.inet.tcp.rexmit_slop, 200 ms, which
   * TCPT_RANGESET adds); 0 by default.
   */
  slop = 0;

  constructor(
    initialRto: number,
    private minRto: number,
    private maxRto: number,
  ) {
    // RFC 6298 (2.1): RTO <- 1 s until a sample is made.
    this.baseRto = initialRto;
  }

  /** The current RTO including backoff, clamped to [minRto, maxRto] (RFC 6298 2.4, 2.5). */
  get rto(): number {
    const slop = this.backoffs > 0 || this.srtt !== undefined ? this.slop : 0;
    return Math.min(this.maxRto, this.baseRto * 2 ** this.backoffs + slop);
  }

  sample(r: number): void {
    const rtt = Math.max(0, r);
    if (this.srtt === undefined || this.rttvar === undefined) {
      // RFC 6298 (2.2): first measurement.
      this.srtt = rtt;
      this.rttvar = rtt / 2;
    } else {
      // RFC 6298 (2.3): RTTVAR first, with the old SRTT.
      this.rttvar = (1 - BETA) * this.rttvar + BETA * Math.abs(this.srtt - rtt);
      this.srtt = (1 - ALPHA) * this.srtt + ALPHA * rtt;
    }
    const rto = this.srtt + Math.max(CLOCK_GRANULARITY, K * this.rttvar);
    this.baseRto = Math.min(this.maxRto, Math.max(this.minRto, rto));
    this.backoffs = 0;
  }

  /** RFC 6298 (5.5): RTO <- RTO * 2 on each expiry. */
  backoff(): void {
    if (this.rto < this.maxRto) this.backoffs++;
  }

  /**
   * RFC 6298 (5.7): after the SYN timed out, once the connection is established with no RTT
   * sample, RTO goes back to 3 s.
   */
  resetAfterSynTimeout(rto: number): void {
    if (this.srtt === undefined) {
      this.baseRto = Math.min(this.maxRto, Math.max(this.minRto, rto));
      this.backoffs = 0;
    }
  }

  reconfigure(minRto: number, maxRto: number): void {
    this.minRto = minRto;
    this.maxRto = maxRto;
  }
}
