/**
 * Explicit Congestion Notification for one connection (RFC 3168): negotiation on the SYN and
 * SYN,ACK, the IP codepoint of what we send, ECE back to the sender while CE marks arrive,
 * and the sender's window reduction on ECE, once per window of data, answered with CWR.
 *
 * The connection calls it at four points: the peer's SYN or SYN,ACK (`onPeerSyn`), every
 * segment received with its IP codepoint (`onReceive`, which says when to reduce), every
 * segment built (`mark`), and `codepoint(seg)` for the IP header the stack writes. The
 * reduction itself goes through the congestion controller's seam (cc.ts), as a loss would.
 */
import { seqGt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/types.js';
import type { CongestionController } from './cc.js';

/** The ECN field of the IP header (RFC 3168 5). */
export const NOT_ECT = 0;
export const ECT1 = 1;
export const ECT0 = 2;
export const CE = 3;

/**
 * ConnectionConfig.ecn, as Linux's net.ipv4.tcp_ecn: 'off' (0) never; 'on' (1) our SYNs ask
 * for ECN and we accept it; 'accept' (2, Linux's default) we accept it when the peer's SYN
 * asks, and our own SYNs do not ask.
 */
export type EcnMode = 'off' | 'on' | 'accept';

/**
 * The segments `mark` sent ECT(0), for `codepoint`: one set for every connection (each segment
 * object is one connection's), so that a connection pays nothing for it.
 */
const ECT_SEGMENTS = new WeakSet<TcpSegment>();

/**
 * The settings ECN reads at the moment it acts (ConnectionConfig.ecn and ecnSynRetries), passed
 * in by the connection: the connection's config may change (configure()), and a connection keeps
 * no closure over it.
 */
export interface EcnSettings {
  readonly ecn?: EcnMode | undefined;
  readonly ecnSynRetries?: number | undefined;
}

export class EcnState {
  /** Both ends agreed to ECN (RFC 3168 6.1.1). */
  ok = false;
  /** A CE mark arrived (tcpi_options' TCPI_OPT_ECN_SEEN). */
  seen = false;
  /** RFC 3168 6.1.3: ECE on every ACK from a CE mark until the sender's CWR. */
  private echo = false;
  /** RFC 3168 6.1.2: CWR on the next new data segment after our window was reduced. */
  private cwrPending = false;
  /** ECE is ignored until SND.UNA passes this (one reduction per window of data). */
  private recover: number | undefined;
  /** One past the highest sequence number sent: data below it is a retransmission. */
  private highest: number | undefined;
  /** A CE mark started an episode: acknowledge now (the connection clears it). */
  ackNow = false;
  /** Whether the SYN we sent last asked for ECN. */
  private asked = false;

  /**
   * The peer's SYN (passive side: ECE and CWR ask for ECN) or SYN,ACK (active side: ECE
   * without CWR agrees, when our SYN asked).
   */
  onPeerSyn(seg: TcpSegment, settings: EcnSettings): void {
    const f = seg.flags;
    if (modeOf(settings) === 'off') return;
    this.ok = f.ack ? this.asked && f.ece && !f.cwr : f.ece && f.cwr;
  }

  /**
   * A segment received with the IP header's ECN field. True when the sender must reduce its
   * window now: an ECE that acknowledges data sent after the last reduction (RFC 3168 6.1.2).
   */
  onReceive(seg: TcpSegment, ipEcn: number, sndUna: number, sndNxt: number): boolean {
    if (!this.ok || seg.flags.syn) return false;
    // RFC 3168 6.1.3: CWR stops the echo, a CE in the same packet starts it again.
    if (seg.flags.cwr) this.echo = false;
    if (ipEcn === CE) {
      // The first CE of an episode is acknowledged at once, as Linux does (tcp_ecn_check_ce:
      // the sender may have a small window); later ones follow the delayed-ACK rules.
      if (!this.echo) this.ackNow = true;
      this.echo = true;
      this.seen = true;
    }
    if (!seg.flags.ece || !seg.flags.ack) return false;
    if (this.recover !== undefined && !seqGt(sndUna, this.recover)) return false;
    this.recover = sndNxt;
    this.cwrPending = true;
    return true;
  }

  /**
   * Marks a segment we send: ECE and CWR on a SYN that asks, ECE on the SYN,ACK that agrees,
   * ECE on every other segment while echoing, CWR on the first new data after a reduction;
   * new data (not a retransmission, a SYN or a pure ACK) is sent ECT(0) (RFC 3168 6.1.5).
   * `settings.ecnSynRetries`: how many retransmitted SYNs still ask (RFC 3168 6.1.1.1 lets a
   * sender fall back after a loss): Linux none (tcp_ecn_fallback=1), FreeBSD ecn.maxretries (1).
   */
  mark(seg: TcpSegment, settings: EcnSettings, synRetransmits = 0): TcpSegment {
    const f = seg.flags;
    if (f.syn) {
      if (!f.ack) {
        this.asked = modeOf(settings) === 'on' && synRetransmits <= (settings.ecnSynRetries ?? 0);
        return this.asked ? { ...seg, flags: { ...f, ece: true, cwr: true } } : seg;
      }
      if (f.ack && this.ok) return { ...seg, flags: { ...f, ece: true } };
      return seg;
    }
    if (!this.ok || f.rst) return seg;
    const end = (seg.seq + seg.payload.byteLength) >>> 0;
    const fresh =
      seg.payload.byteLength > 0 && (this.highest === undefined || seqGt(end, this.highest));
    if (fresh) this.highest = end;
    const cwr = fresh && this.cwrPending;
    if (cwr) this.cwrPending = false;
    const out = this.echo || cwr ? { ...seg, flags: { ...f, ece: this.echo, cwr } } : seg;
    if (fresh) ECT_SEGMENTS.add(out);
    return out;
  }

  /** The ECN field for the IP header of a segment `mark` returned. */
  codepoint(seg: TcpSegment): number {
    return ECT_SEGMENTS.has(seg) ? ECT0 : NOT_ECT;
  }
}

/** ConnectionConfig.ecn, 'accept' when unset (Linux's default, tcp_ecn=2). */
function modeOf(settings: EcnSettings): EcnMode {
  return settings.ecn ?? 'accept';
}

/**
 * The sender's response to ECE (RFC 3168 6.1.2): the window is halved as for a loss (the
 * controller's decrease) but nothing is retransmitted; recovery is not entered.
 */
export function reduceForEcn(cc: CongestionController, flight: number, now: number): void {
  cc.onCongestion(flight, now);
  cc.cwnd = Math.min(cc.cwnd, cc.ssthresh);
  cc.onRecoveryEnd(now);
}
