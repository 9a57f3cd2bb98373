/**
 * Loss recovery's state beyond the few fields every connection has (tcb.ts): the
 * retransmission queue, RACK, PRR, the tail loss probe, undo and F-RTO. A connection makes it
 * when it first sends data (Tcb.rv), so that an idle connection stays small.
 */
import { Rack } from './rack.js';
import { SentSegments } from './sent-segments.js';

export class RecoveryVars {
  /** Every segment in flight, with its SACK, loss and transmit-time state (recovery.ts). */
  readonly sent = new SentSegments();
  /** RFC 6675 RecoveryPoint (RFC 6582 "recover"): SND.NXT when the episode began. */
  recoveryPoint: number;
  /** Duplicate ACKs since SND.UNA last moved (RFC 5681 2, RFC 6675 2). */
  dupAcks = 0;
  /** The tail loss probe's and the RACK reorder timer's deadlines (RFC 8985 7.2, 6.3). */
  tlpAt = Number.POSITIVE_INFINITY;
  reoAt = Number.POSITIVE_INFINITY;
  /** When data last went out (RFC 5681 4.1 restart after idle). */
  lastSentAt = 0;
  /**
   * RFC 6675 IsLost (config.rack off) has been applied to every record below this sequence
   * number: nothing there changes until an undo or a renege (which clear it), so each ACK
   * looks only at what lies above.
   */
  isLostTo: number | undefined;
  /** RFC 6675 HighRxt and RescueRxt. */
  highRxt = 0;
  rescueRxt: number | undefined;
  /** RFC 6937 PRR: prr_delivered, prr_out, RecoverFS. */
  prrDelivered = 0;
  prrOut = 0;
  recoverFs = 0;
  /** The next retransmission goes out whatever the window (fast retransmit, RFC 5681 3.2). */
  forcedRtx = false;
  /** RFC 8985 RACK's state, and the tail loss probe's (TLP.end_seq, TLP.is_retrans). */
  readonly rack: Rack;
  tlpEndSeq: number | undefined;
  tlpStart = 0;
  tlpIsRetrans = false;
  tlpPending = false;
  /** A new PTO is due: new data went out or an ACK moved SND.UNA (RFC 8985 7.2). */
  tlpRearm = false;
  /**
   * Undo (RFC 3708, RFC 3522, RFC 5682 as Linux does them): SND.UNA at the last window
   * reduction (undefined when there is none to undo), the retransmissions since not shown
   * spurious by a D-SACK, and the TSval of the first of them.
   */
  undoMarker: number | undefined;
  undoRetrans = 0;
  retransStamp: number | undefined;
  /**
   * F-RTO (RFC 5682 3.1, SACK-enhanced): `first` after a timeout's retransmission, `newdata`
   * once the first ACK moved SND.UNA and new data was sent; `frtoHigh` is SND.NXT then.
   */
  frto: 'off' | 'first' | 'newdata' = 'off';
  frtoHigh = 0;
  /** The loss state was entered for a path MTU drop (recovery.ts mtuRetransmit), not a timeout. */
  mtuLoss = false;

  constructor(iss: number) {
    this.recoveryPoint = iss;
    this.rack = new Rack(iss);
  }
}
