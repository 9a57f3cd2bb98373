/**
 * The seam between loss recovery and congestion control.
 *
 * Loss detection and recovery (RFC 6675, RFC 8985 RACK-TLP, RFC 6937 PRR) decide *when* a
 * congestion event happens and pace the sending during recovery; a controller decides *how much*
 * the window grows on ACKs and shrinks on a congestion event. Linux splits its code the same way
 * (tcp_input.c against tcp_cong.c / tcp_cubic.c). All quantities are bytes and milliseconds on
 * the connection's clock; a controller is pure and deterministic.
 */

/** The controllers a connection can use (ConnectionConfig.congestionControl). */
export type CongestionControlKind = 'newreno' | 'cubic';

export interface CongestionController {
  readonly kind: CongestionControlKind;
  /** The congestion window. Recovery (PRR) sets it directly while recovery lasts. */
  cwnd: number;
  /** The slow-start threshold (RFC 5681 3.1). */
  ssthresh: number;

  /**
   * New data was cumulatively acknowledged while not in loss recovery: grow the window.
   * `acked` is the number of newly acknowledged bytes, `rtt` the RTT sample this ACK gave (if
   * one was taken under Karn's rule), `flight` the bytes in flight before this ACK (a controller
   * may decline to grow when the sender was application-limited, RFC 7661).
   */
  onAck(acked: number, now: number, rtt: number | undefined, flight: number): void;

  /**
   * A loss was detected and recovery begins (fast retransmit, RACK): set ssthresh to the
   * controller's decrease (RFC 5681 eq. 4 for NewReno, beta_cubic = 0.7 for CUBIC). The
   * caller's recovery (PRR) then brings cwnd down to ssthresh; the controller must not set cwnd.
   */
  onCongestion(flight: number, now: number): void;

  /** Recovery ended (the recovery point was acknowledged); the caller has set cwnd. */
  onRecoveryEnd(now: number): void;

  /** The retransmission timer expired: ssthresh as for a loss, cwnd = one segment (RFC 5681 eq. 5). */
  onTimeout(flight: number, now: number): void;

  /**
   * The last congestion event (onCongestion or onTimeout) was spurious (D-SACK, F-RTO or
   * timestamps showed the data had arrived): restore cwnd, ssthresh and the controller's own
   * state as they were just before it, as Linux's tcp_undo_cwnd does.
   */
  undo(now: number): void;

  /** The sender was idle for more than an RTO (RFC 5681 4.1, RFC 9438 4.8): restart the window. */
  onIdleRestart(now: number): void;

  /** The effective send MSS changed (after the handshake, PMTU). */
  setMss(mss: number): void;
}
