/**
 * NewReno's window arithmetic (RFC 5681 slow start and congestion avoidance, the decrease of
 * RFC 5681 eq. 4 and 5) as a CongestionController. When a loss is detected and how the sending
 * is paced during recovery (RFC 6675, RFC 6582 for a peer without SACK, RFC 6937 PRR) live in
 * recovery.ts, not here. All quantities are bytes.
 */
import type { CongestionController } from './cc.js';

/** RFC 5681 (3.1): ssthresh starts "arbitrarily high"; 2^30 stays a safe positive number. */
const INITIAL_SSTHRESH = 2 ** 30;

/**
 * RFC 6928 (2): IW = min(10*MSS, max(2*MSS, 14600)); generalised to N segments as
 * min(N*MSS, max(2*MSS, N*1460)).
 */
export function initialWindow(mss: number, segments: number): number {
  return Math.min(segments * mss, Math.max(2 * mss, segments * 1460));
}

export class NewRenoController implements CongestionController {
  /** On the prototype: one field less per connection. */
  get kind(): 'newreno' {
    return 'newreno';
  }
  cwnd: number;
  ssthresh = INITIAL_SSTHRESH;
  /** Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 5681 3.1, eq. 3 note). */
  private caAcked = 0;
  /** cwnd and ssthresh just before the last decrease, for undo (Linux prior_cwnd, prior_ssthresh). */
  private priorCwnd = 0;
  private priorSsthresh = 0;

  constructor(
    private mss: number,
    private readonly initialSegments: number,
  ) {
    this.cwnd = initialWindow(mss, initialSegments);
  }

  setMss(mss: number): void {
    if (mss === this.mss || mss <= 0) return;
    const f = mss / this.mss;
    const initial = this.cwnd === initialWindow(this.mss, this.initialSegments);
    this.mss = mss;
    // After the handshake the initial window is defined on the peer's MSS (RFC 5681 3.1); a
    // later change (the path MTU, RFC 1191) keeps the windows' sizes in segments, as CUBIC does.
    if (initial) {
      this.cwnd = initialWindow(mss, this.initialSegments);
      return;
    }
    this.cwnd = Math.max(mss, Math.round(this.cwnd * f));
    if (this.ssthresh < INITIAL_SSTHRESH)
      this.ssthresh = Math.max(2 * mss, Math.round(this.ssthresh * f));
  }

  onAck(acked: number, _now: number, _rtt: number | undefined, _flight: number): void {
    if (this.cwnd < this.ssthresh) {
      // RFC 5681 (3.1) eq. 2 with appropriate byte counting, L = 2 SMSS (RFC 3465 2.2): a
      // delayed ACK covering two segments grows the window as two ACKs would, so slow start
      // (after a timeout too) still doubles the window per round trip with delayed ACKs.
      this.cwnd += Math.min(acked, 2 * this.mss);
      return;
    }
    // RFC 5681 (3.1): about one SMSS per RTT, counted in bytes acknowledged.
    this.caAcked += acked;
    if (this.caAcked >= this.cwnd) {
      this.caAcked -= this.cwnd;
      this.cwnd += this.mss;
    }
  }

  onCongestion(flight: number, _now: number): void {
    this.remember();
    this.ssthresh = this.half(flight);
  }

  onRecoveryEnd(_now: number): void {
    this.caAcked = 0;
  }

  onTimeout(flight: number, _now: number): void {
    this.remember();
    // RFC 5681 (3.1) eq. 4 and the loss window of eq. 5.
    this.ssthresh = this.half(flight);
    this.cwnd = this.mss;
    this.caAcked = 0;
  }

  undo(_now: number): void {
    // As Linux's tcp_undo_cwnd_reduction: never below what the window has grown to since.
    this.cwnd = Math.max(this.cwnd, this.priorCwnd);
    this.ssthresh = Math.max(this.ssthresh, this.priorSsthresh);
  }

  onIdleRestart(_now: number): void {
    // RFC 5681 (4.1): the restart window.
    this.cwnd = Math.min(this.cwnd, initialWindow(this.mss, this.initialSegments));
  }

  /**
   * RFC 5681 (3.1) eq. 4, with the flight taken as at most cwnd (as Linux's tcp_reno_ssthresh
   * halves cwnd): SND.NXT - SND.UNA counts SACKed data and what PRR or RACK's reorder wait let
   * out past the hole, often half a window more, so halving it cut the window by a quarter.
   */
  private half(flight: number): number {
    return Math.max(Math.floor(Math.min(flight, this.cwnd) / 2), 2 * this.mss);
  }

  private remember(): void {
    this.priorCwnd = this.cwnd;
    this.priorSsthresh = this.ssthresh;
  }
}
