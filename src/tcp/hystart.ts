/**
 * HyStart++ (RFC 9406): leave slow start when the round-trip time starts to rise, before the
 * queue overflows, and guard against a false alarm with Conservative Slow Start (CSS).
 *
 * A congestion controller asks this module, for each ACK it gets in slow start, how much the
 * window may grow and whether slow start is over (the controller then sets ssthresh = cwnd and
 * enters congestion avoidance, RFC 9406 4.3). Pure and deterministic: time is the caller's.
 *
 * Rounds. RFC 9406 (4.2) ends a round when the ACK for the highest sequence number sent at the
 * round's start arrives. A controller behind the CongestionController seam does not see
 * sequence numbers, so a round here is measured by the clock instead: it ends at the first ACK
 * that arrives at least one RTT (the latest sample) after the round began. For a sender that
 * keeps its window full this is the same instant to within one ACK's spacing; before any RTT
 * sample there is no round boundary (and no sample to compare, so nothing is lost).
 */

/** RFC 9406 (4.3): the recommended constants (times in milliseconds). */
export const HYSTART = {
  /** Lower bound of the RTT increase that counts as delay growth. */
  minRttThresh: 4,
  /** Upper bound of the same. */
  maxRttThresh: 16,
  /** The threshold is the last round's minimum RTT divided by this. */
  minRttDivisor: 8,
  /** RTT samples a round needs before its minimum is compared. */
  nRttSample: 8,
  /** CSS grows the window this many times slower than slow start. */
  cssGrowthDivisor: 4,
  /** Rounds of CSS after which slow start is over for good. */
  cssRounds: 5,
  /** Appropriate Byte Counting limit for a non-paced sender: at most L*SMSS per ACK. */
  l: 8,
} as const;

/** Where HyStart++ is: standard slow start, CSS, or finished (congestion avoidance or off). */
export type HyStartPhase = 'slow-start' | 'css' | 'done';

/** What one ACK in slow start allows: the growth in bytes, and whether slow start ends now. */
export interface HyStartStep {
  readonly increase: number;
  readonly exit: boolean;
}

export class HyStartPlusPlus {
  private phaseNow: HyStartPhase = 'slow-start';
  /** When the current round began; undefined before the first ACK. */
  private roundStart: number | undefined;
  /** The latest RTT sample: the length of a round. */
  private roundLength: number | undefined;
  private lastRoundMinRtt = Number.POSITIVE_INFINITY;
  private currentRoundMinRtt = Number.POSITIVE_INFINITY;
  private rttSampleCount = 0;
  private cssBaselineMinRtt = Number.POSITIVE_INFINITY;
  /** Rounds that ended while in CSS (the partial round CSS began in counts, RFC 9406 4.3). */
  private cssRoundsDone = 0;

  get phase(): HyStartPhase {
    return this.phaseNow;
  }

  /** The RTT increase over the last round's minimum that ends slow start (RFC 9406 4.3). */
  static rttThresh(lastRoundMinRtt: number): number {
    return Math.max(
      HYSTART.minRttThresh,
      Math.min(lastRoundMinRtt / HYSTART.minRttDivisor, HYSTART.maxRttThresh),
    );
  }

  /**
   * One ACK in slow start: `acked` new bytes, `rtt` its sample if one was taken. Returns the
   * window growth (RFC 9406 4.3: min(N, L*SMSS), divided by CSS_GROWTH_DIVISOR in CSS) and
   * `exit` when CSS_ROUNDS rounds of CSS are over. After `exit` (or disable) the phase is
   * 'done' and the growth is standard slow start, for the controller to use or not.
   */
  onAck(now: number, acked: number, rtt: number | undefined, mss: number): HyStartStep {
    const full = Math.min(acked, HYSTART.l * mss);
    if (this.phaseNow === 'done') return { increase: full, exit: false };
    if (this.roundStart === undefined) this.startRound(now);
    else if (this.roundLength !== undefined && now - this.roundStart >= this.roundLength) {
      if (this.phaseNow === 'css' && ++this.cssRoundsDone >= HYSTART.cssRounds) {
        // RFC 9406 (4.3): CSS lasted CSS_ROUNDS rounds: enter congestion avoidance.
        this.phaseNow = 'done';
        return { increase: 0, exit: true };
      }
      this.startRound(now);
    }
    const increase = this.phaseNow === 'css' ? full / HYSTART.cssGrowthDivisor : full;
    if (rtt !== undefined) {
      this.roundLength = rtt;
      this.currentRoundMinRtt = Math.min(this.currentRoundMinRtt, rtt);
      this.rttSampleCount++;
    }
    if (this.rttSampleCount >= HYSTART.nRttSample) {
      if (this.phaseNow === 'slow-start') {
        if (
          Number.isFinite(this.lastRoundMinRtt) &&
          this.currentRoundMinRtt >=
            this.lastRoundMinRtt + HyStartPlusPlus.rttThresh(this.lastRoundMinRtt)
        ) {
          // The delay grew: slow down to CSS, remembering the RTT that made us.
          this.cssBaselineMinRtt = this.currentRoundMinRtt;
          this.phaseNow = 'css';
          this.cssRoundsDone = 0;
        }
      } else if (this.currentRoundMinRtt < this.cssBaselineMinRtt) {
        // RFC 9406 (4.3): the increase was a false alarm (jitter): back to slow start.
        this.cssBaselineMinRtt = Number.POSITIVE_INFINITY;
        this.phaseNow = 'slow-start';
      }
    }
    return { increase, exit: false };
  }

  /**
   * Slow start is over by other means (a loss, a timeout): RFC 9406 (4.3) exits to congestion
   * avoidance and recommends HyStart++ for the initial slow start only, later ones having an
   * ssthresh learnt from the loss.
   */
  disable(): void {
    this.phaseNow = 'done';
  }

  /** A copy, for a controller's undo of a spurious congestion event. */
  clone(): HyStartPlusPlus {
    return Object.assign(new HyStartPlusPlus(), this);
  }

  private startRound(now: number): void {
    this.roundStart = now;
    this.lastRoundMinRtt = this.currentRoundMinRtt;
    this.currentRoundMinRtt = Number.POSITIVE_INFINITY;
    this.rttSampleCount = 0;
  }
}
