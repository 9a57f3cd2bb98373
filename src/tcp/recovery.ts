/**
 * Loss recovery, as Linux does it by default: which segment goes out next (RFC 6675 NextSeg,
 * over the retransmission queue of sent-segments.ts), when a loss is known (RACK, RFC 8985; or
 * RFC 6675 IsLost with DupThresh when config.rack is off), fast recovery paced by PRR (RFC
 * 6937), the state after a retransmission timeout with the scoreboard kept (RFC 6675 5.1),
 * NewReno (RFC 6582) for a peer without SACK, the tail loss probe (RFC 8985 7), and the undo of
 * reductions that proved spurious (D-SACK after RFC 3708, timestamps after RFC 3522, F-RTO
 * after RFC 5682). How much the window grows or shrinks is the controller's (cc.ts).
 */
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/types.js';
import { TcbOutput } from './output.js';
import { prrSndcnt } from './prr.js';
import { DUP_THRESH } from './rack.js';
import { isDsack } from './sack-scoreboard.js';
import type { SentSegment } from './sent-segments.js';
import { SENDING_STATES } from './tcb.js';

/** RFC 8985 (7.2) WCDelAckT: the worst-case delayed-ACK time added to a lone segment's PTO. */
const WC_DEL_ACK_T = 200;
/** RFC 8985 (7.2): the PTO before any RTT sample. */
const INITIAL_PTO = 1000;
/** A floor under the PTO, so that a near-zero SRTT cannot make the probe fire at once. */
const MIN_PTO = 10;

/** What one ACK told the sender, for recovery. */
export interface AckFacts {
  /** SND.UNA before the ACK. */
  priorUna: number;
  /** The flight before the ACK. */
  priorFlight: number;
  /** The ACK's SACK blocks as received (the first may be a D-SACK). */
  blocks: ReadonlyArray<readonly [number, number]>;
  /** It counted as a duplicate ACK (input.ts isDupAck). */
  dupAck: boolean;
  /** It reported octets not SACKed before. */
  newSack: boolean;
  /** TSecr, when timestamps are on and it is not zero. */
  echo: number | undefined;
  /** The RTT sample it gave under Karn's rule, if any. */
  rtt: number | undefined;
}

export abstract class TcbRecovery extends TcbOutput {
  /** RFC 6675 pipe in bytes (without SACK nothing is SACKed). */
  protected pipe(): number {
    const q = this.rv.sent;
    return Math.max(0, this.flight() - q.sackedBytes - q.lostBytes + q.rtxBytes);
  }

  /** Bytes the congestion window lets out now (RFC 3042 limited transmit without SACK). */
  private cwndRoom(): number {
    const limited =
      !this.sackOk && this.caState === 'open' ? Math.min(this.rv.dupAcks, 2) * this.effSndMss() : 0;
    return this.cc.cwnd + limited - this.pipe();
  }

  /** Data (and FIN) the send side may put out now; undefined when nothing is due. */
  protected buildData(now: number): TcpSegment | undefined {
    if (!this.sendsData()) return undefined;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    if (this.probePending) {
      this.probePending = false;
      if (seqLt(this.sndUna, dataEnd)) {
        // RFC 9293 3.8.6.1: a zero-window probe carries one byte beyond the window.
        this.stats.zeroWindowProbes++;
        return this.buildSegment(now, this.sndUna, 1);
      }
    }
    const rv = this.rvObj;
    if (rv === undefined) {
      // Nothing sent yet: no retransmission queue, only new data (or the FIN).
      // (The window is asked only when there is data to send: no controller for an idle one.)
      const room = seqLt(this.sndNxt, dataEnd) ? this.cc.cwnd - this.flight() : 0;
      return this.buildNew(now, dataEnd, room);
    }
    if (this.flight() === 0 && now - rv.lastSentAt > this.rtt.rto) {
      // RFC 5681 (4.1): idle longer than an RTO, the window starts again from the restart
      // window (Linux tcp_slow_start_after_idle).
      rv.lastSentAt = now;
      this.cc.onIdleRestart(now);
    }
    if (rv.tlpPending) {
      rv.tlpPending = false;
      const probe = this.buildProbe(now, dataEnd);
      if (probe !== undefined) return probe;
    }
    const mss = this.effSndMss();
    const room = this.cwndRoom();
    // F-RTO (RFC 5682 3.1 step 2b): new data rather than retransmissions, to see whether the
    // segments sent before the timeout arrive after all.
    if (this.rv.frto !== 'newdata') {
      const lost = this.rv.sent.firstLost();
      // Retransmissions too stay inside the peer's window (a closed one is probed instead).
      const inWindow = lost !== undefined && seqLt(lost.start, seqAdd(this.sndUna, this.sndWnd));
      if (
        lost !== undefined &&
        inWindow &&
        (this.rv.forcedRtx || room >= Math.min(mss, this.segBytes(lost)))
      ) {
        return this.retransmit(now, lost, dataEnd);
      }
    }
    const fresh = this.buildNew(now, dataEnd, room);
    if (fresh !== undefined || this.rv.frto === 'newdata') return fresh;
    if (this.caState === 'recovery' && this.sackOk && !this.config.rack && room >= mss) {
      return this.rule3or4(now, dataEnd);
    }
    return undefined;
  }

  /** NextSeg rule 2: new data within the peer's window and the congestion window. */
  private buildNew(now: number, dataEnd: number, room: number): TcpSegment | undefined {
    const unsent = seqDiff(dataEnd, this.sndNxt);
    if (unsent > 0) {
      const mss = this.effSndMss();
      const usable = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt);
      const len = Math.min(unsent, this.tsoLimit(mss), usable, room);
      if (len > 0 && this.mayTransmit(len, unsent, mss)) {
        this.notePrrOut(len);
        return this.buildSegment(now, this.sndNxt, len);
      }
      return undefined;
    }
    if (this.fin.kind === 'queued' && this.sndNxt === this.fin.seq) {
      return this.buildSegment(now, this.fin.seq, 0);
    }
    return undefined;
  }

  /**
   * NextSeg rules 3 and 4 (RFC 6675 4), with DupThresh loss detection only: an unSACKed
   * segment above HighRxt below the highest SACKed octet, else once per episode the rescue
   * retransmission of the highest unSACKed segment.
   */
  private rule3or4(now: number, dataEnd: number): TcpSegment | undefined {
    const q = this.rv.sent;
    const ranges = this.scoreboard.blocks;
    const top = ranges[ranges.length - 1];
    if (top !== undefined) {
      // Rule 3: the first record at or above HighRxt, below the highest SACKed octet, neither
      // SACKed nor retransmitted; SACKed runs are stepped over a range at a time.
      const highSacked = top[1];
      let seq = seqGt(this.rv.highRxt, this.sndUna) ? this.rv.highRxt : this.sndUna;
      let i = q.indexOf(seq);
      while (i !== undefined) {
        const s = q.at(i) as SentSegment;
        if (!seqLt(s.start, highSacked)) break;
        if (s.sacked) {
          seq = this.scoreboard.coveredTo(s.start);
          if (seq === s.start) seq = s.end;
          i = q.indexOf(seq);
          continue;
        }
        if (!s.rtxInFlight && seqGe(s.start, this.rv.highRxt)) {
          return this.retransmit(now, s, dataEnd);
        }
        i = i + 1 < q.size ? i + 1 : undefined;
      }
    }
    if (this.rv.rescueRxt === undefined || seqGt(this.sndUna, this.rv.rescueRxt)) {
      // Rule 4: the highest record not SACKed: the last one, or the one below the top range.
      let last = q.last();
      if (last?.sacked === true && top !== undefined && seqGt(top[0], this.sndUna)) {
        const j = q.indexOf(seqAdd(top[0], -1));
        last = j === undefined ? undefined : q.at(j);
      } else if (last?.sacked === true) last = undefined;
      if (last !== undefined && !last.sacked && !last.rtxInFlight) {
        this.rv.rescueRxt = this.rv.recoveryPoint;
        const high = this.rv.highRxt;
        const seg = this.retransmit(now, last, dataEnd);
        // RFC 6675 (4) rule 4: HighRxt is not updated by the rescue.
        this.rv.highRxt = high;
        return seg;
      }
    }
    return undefined;
  }

  /**
   * The most new data one segment may carry: the MSS, or with config.tsoMaxBytes as many whole
   * MSS as fit, for the link to cut (only out of recovery, and only when the peer's MSS is at
   * least ours and no narrower path MTU was learned, so the link, which cuts at its MTU, cuts at
   * this connection's MSS).
   */
  private tsoLimit(mss: number): number {
    const tso = this.config.tsoMaxBytes;
    if (tso === undefined || this.caState !== 'open') return mss;
    if (this.sndMss < this.config.mss || this.mtuMss < this.config.mss) return mss;
    return Math.max(mss, Math.floor(tso / mss) * mss);
  }

  /** Payload bytes of a record (its FIN's octet is not in the buffer). */
  private segBytes(s: SentSegment): number {
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    return Math.max(0, seqDiff(seqLt(dataEnd, s.end) ? dataEnd : s.end, s.start));
  }

  /** Sends `s` again (one MSS of it at most) and updates the scoreboard and the undo state. */
  private retransmit(now: number, s: SentSegment, _dataEnd: number, probe = false): TcpSegment {
    const mss = this.effSndMss();
    if (this.segBytes(s) > mss) this.rv.sent.splitAt(seqAdd(s.start, mss));
    const seg = this.buildSegment(now, s.start, this.segBytes(s));
    const sentEnd = seqAdd(seqAdd(s.start, seg.payload.byteLength), seg.flags.fin ? 1 : 0);
    if (seqLt(sentEnd, s.end)) this.rv.sent.splitAt(sentEnd);
    this.rv.sent.retransmitted(s, now);
    this.rv.lastSentAt = now;
    this.rv.forcedRtx = false;
    if (seqGt(s.end, this.rv.highRxt)) this.rv.highRxt = s.end;
    this.notePrrOut(seg.payload.byteLength);
    // A probe is neither an RTO's retransmission nor one of the episode's (it does not count
    // for undo).
    if (probe) return seg;
    if (this.caState === 'loss' && !this.rv.mtuLoss) this.stats.rtoRetransmits++;
    if (this.rv.undoMarker !== undefined) {
      this.rv.undoRetrans++;
      this.rv.retransStamp ??= this.tsVal(now);
    }
    return seg;
  }

  private notePrrOut(bytes: number): void {
    if (this.caState === 'recovery') this.rv.prrOut += bytes;
  }

  /**
   * RFC 8985 (7.3): the tail loss probe: one new segment if the peer's window allows, else the
   * last segment sent again; then the RTO runs from now.
   */
  private buildProbe(now: number, dataEnd: number): TcpSegment | undefined {
    const unsent = seqDiff(dataEnd, this.sndNxt);
    const usable = seqDiff(seqAdd(this.sndUna, this.sndWnd), this.sndNxt);
    let seg: TcpSegment | undefined;
    const start = this.sndNxt;
    if (unsent > 0 && usable > 0) {
      seg = this.buildSegment(now, this.sndNxt, Math.min(unsent, usable, this.effSndMss()));
      this.rv.tlpIsRetrans = false;
      this.rv.tlpStart = start;
    } else {
      const last = this.rv.sent.last();
      if (last === undefined || last.sacked) return undefined;
      this.rv.tlpStart = last.start;
      seg = this.retransmit(now, last, dataEnd, true);
      this.rv.tlpIsRetrans = true;
    }
    this.rv.tlpEndSeq = this.sndNxt;
    this.stats.lossProbes++;
    this.rv.tlpAt = Number.POSITIVE_INFINITY;
    this.rtoAt = now + this.rtt.rto;
    return seg;
  }

  /** A probe could go out now: new data within the peer's window, or a last segment unSACKed. */
  protected probeAvailable(): boolean {
    if (!SENDING_STATES.has(this.st) || this.sndWnd === 0) return false;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    if (seqLt(this.sndNxt, dataEnd) && seqLt(this.sndNxt, seqAdd(this.sndUna, this.sndWnd))) {
      return true;
    }
    const last = this.rv.sent.last();
    return last !== undefined && !last.sacked;
  }

  /** RFC 8985 (7.2): when the probe is due, or undefined when none may be scheduled. */
  protected probeDeadline(now: number): number | undefined {
    if (!this.config.rack || !this.sackOk) return undefined;
    if (this.caState !== 'open' && this.config.probeInRecovery === false) return undefined;
    // After a timeout, one probe for its retransmission; after a second timeout in a row the
    // path looks gone, and the backed-off timer alone goes on asking.
    if (this.caState === 'loss' && this.rtxCount > 1) return undefined;
    if (this.rv.tlpEndSeq !== undefined || this.rv.frto !== 'off' || this.rv.tlpPending)
      return undefined;
    if (this.flight() === 0 || !this.probeAvailable()) return undefined;
    const srtt = this.rtt.srtt;
    let pto = INITIAL_PTO;
    if (srtt !== undefined) {
      pto = 2 * srtt;
      if (this.flight() <= this.effSndMss()) pto += WC_DEL_ACK_T;
    }
    return now + Math.max(MIN_PTO, pto);
  }

  /** The PTO fired: send the probe on the next pollTransmit. */
  protected onProbeTimeout(): void {
    this.rv.tlpPending = true;
  }

  /** The RACK reorder timer fired (RFC 8985 6.3): look again, and recover what is lost. */
  protected onReorderTimeout(now: number): void {
    if (this.rv.sent.size === 0) return;
    this.rackDetect(now);
    this.afterLossMarks(now, 0);
  }

  /**
   * RFC 6675 (5.1), RFC 5681 (3.1), RFC 8985 (6.3): the retransmission timer expired on data.
   * Everything not SACKed is deemed lost; retransmission starts from SND.UNA, skipping SACKed
   * segments (no go-back-N over data the peer holds).
   */
  protected onDataTimeout(now: number): void {
    if (this.caState === 'loss' && this.rv.mtuLoss) {
      // A timeout during a path MTU retransmission is the first real loss of the episode.
      this.caState = 'open';
    }
    this.rv.mtuLoss = false;
    if (this.caState !== 'loss') {
      // F-RTO (RFC 5682 3.1, SACK-enhanced; Linux tcp_frto=2): on the first timeout only, and
      // not when it interrupts a fast recovery (as Linux's tcp_enter_loss): that episode's
      // losses are known from SACK, and sending new data first would delay their repair by
      // a round trip.
      const frto = this.sackOk && this.caState === 'open';
      this.cc.onTimeout(this.flight(), now);
      this.rv.undoMarker = this.sndUna;
      this.rv.undoRetrans = 0;
      this.rv.retransStamp = undefined;
      this.rv.frto = frto ? 'first' : 'off';
      this.rv.frtoHigh = this.sndNxt;
    } else {
      this.cc.cwnd = this.effSndMss();
      this.rv.frto = 'off';
    }
    this.caState = 'loss';
    this.rv.recoveryPoint = this.sndNxt;
    this.rv.dupAcks = 0;
    this.rv.highRxt = this.sndUna;
    this.rv.tlpEndSeq = undefined;
    this.rv.tlpPending = false;
    this.rv.reoAt = Number.POSITIVE_INFINITY;
    this.rv.tlpAt = Number.POSITIVE_INFINITY;
    this.rv.sent.forEach((s) => {
      this.rv.sent.markLost(s);
    });
    this.rv.forcedRtx = true;
  }

  /**
   * The path MTU fell (Connection.pathMtuChanged), as Linux's tcp_simple_retransmit: every
   * segment in flight larger than the new MSS is deemed lost and goes again at once, split to
   * the new size (retransmit() splits). No window reduction and no congestion event: the
   * network dropped them for their size, not for congestion; only the unit changed. Outside
   * the loss state the connection enters it until SND.NXT is acknowledged, with ssthresh kept
   * at least 3/4 of cwnd (tcp_current_ssthresh) and nothing to undo. A SYN that carried Fast
   * Open data (RFC 7413) goes again at once without it; the data follows the handshake.
   */
  protected mtuRetransmit(): void {
    if (this.st === 'SYN_SENT') {
      if (seqDiff(this.sndNxt, this.iss) > 1 && !this.synPending) {
        this.synPending = true;
        this.pmtuSynRetransmit = true;
        // Karn (RFC 6298 3): the SYN is sent again, its ACK gives no RTT sample.
        this.rttSeq = undefined;
      }
      return;
    }
    const rv = this.rvObj;
    if (rv === undefined) return;
    const mss = this.effSndMss();
    rv.sent.forEach((s) => {
      if (this.segBytes(s) > mss) rv.sent.markLost(s);
    });
    if (rv.sent.lostCount === 0) return;
    if (this.caState !== 'loss') {
      // tcp_current_ssthresh: during a reduction (fast recovery) ssthresh stays as it is.
      if (this.caState === 'open') {
        this.cc.ssthresh = Math.max(this.cc.ssthresh, Math.floor((3 * this.cc.cwnd) / 4));
      }
      this.caState = 'loss';
      rv.recoveryPoint = this.sndNxt;
      rv.highRxt = this.sndUna;
      rv.undoMarker = undefined;
      rv.frto = 'off';
      rv.tlpEndSeq = undefined;
      rv.tlpPending = false;
      rv.mtuLoss = true;
    }
    rv.forcedRtx = true;
  }

  /** Recovery's part of an acceptable ACK, after SND.UNA and the SACK scoreboard moved. */
  protected recoveryOnAck(now: number, a: AckFacts): void {
    const advanced = seqGt(this.sndUna, a.priorUna);
    const acked = seqDiff(this.sndUna, a.priorUna);
    const priorSacked = this.rv.sent.sackedBytes;
    let origDelivered = false;
    const deliver = (s: SentSegment): void => {
      if (s.retransmits === 0 && seqLe(s.end, this.rv.frtoHigh)) origDelivered = true;
      // A whole record (a part ACKed now counts when the rest is).
      if (s.sacked || seqLe(s.end, this.sndUna)) this.stats.delivered++;
      this.rv.rack.onDelivered(s, now, a.echo, (t) => this.tsVal(t));
    };
    this.rv.sent.ackTo(this.sndUna, deliver);
    const dsack = isDsack(a.blocks, this.sndUna);
    if (this.sackOk) {
      // What this ACK's blocks (D-SACK and blocks outside the flight left out) newly SACKed,
      // as the scoreboard found when it took them: the records it covers are marked once.
      for (const [l, r] of this.scoreboard.fresh) this.rv.sent.sack(l, r, deliver);
      // RFC 2018 (8): SND.UNA reached data the peer had SACKed and it still asks for it: the
      // receiver dropped what it SACKed (reneging). Trust no SACK information from before.
      if (this.rv.sent.first()?.sacked === true) {
        this.rv.sent.clearSacks();
        this.scoreboard.clear();
        this.rv.isLostTo = undefined;
      }
    }
    const delivered = acked + this.rv.sent.sackedBytes - priorSacked;
    if (advanced) {
      this.rv.dupAcks = 0;
      this.rv.tlpRearm = true;
    } else if (a.dupAck) this.rv.dupAcks++;
    const dsackBlock = a.blocks[0];
    if (dsack && dsackBlock !== undefined) this.onDsack(now, dsackBlock);
    this.tlpOnAck(now, dsack, advanced, a.newSack);
    if (advanced) this.eifel(now, a.echo);
    if (this.caState === 'loss' && this.rv.frto !== 'off') {
      this.frtoOnAck(now, advanced, origDelivered, a.newSack || a.dupAck);
    }
    if (this.sackOk) {
      if (this.config.rack) this.rackDetect(now);
      else if (a.newSack) this.markIsLost();
    }
    switch (this.caState) {
      case 'open':
        if (advanced) this.cc.onAck(acked, now, a.rtt, a.priorFlight);
        if (this.sackOk) this.afterLossMarks(now, delivered);
        else if (a.dupAck && this.rv.dupAcks === DUP_THRESH) this.enterNewReno(now);
        break;
      case 'recovery':
        if (seqGe(this.sndUna, this.rv.recoveryPoint)) this.endRecovery(now);
        else if (this.sackOk) this.prrOnAck(delivered);
        else this.newRenoOnAck(acked, a.dupAck);
        break;
      case 'loss':
        if (advanced) this.cc.onAck(acked, now, a.rtt, a.priorFlight);
        if (seqGe(this.sndUna, this.rv.recoveryPoint)) {
          this.caState = 'open';
          this.rv.frto = 'off';
          this.rv.mtuLoss = false;
        }
        break;
    }
  }

  /** A loss is marked (RACK, IsLost) or DupThresh reached: enter fast recovery (RFC 6675 5). */
  private afterLossMarks(now: number, delivered: number): void {
    if (this.caState !== 'open' || !this.sackOk) return;
    const byDupAcks = !this.config.rack && this.rv.dupAcks >= DUP_THRESH;
    if (this.rv.sent.lostCount === 0 && !byDupAcks) return;
    // RFC 6582 (3.2 step 2) / RFC 6675 (5): not before the last episode's RecoveryPoint.
    if (seqLt(this.sndUna, this.rv.recoveryPoint)) return;
    this.caState = 'recovery';
    this.stats.fastRetransmits++;
    this.rv.recoveryPoint = this.sndNxt;
    this.rv.rescueRxt = undefined;
    this.rv.highRxt = this.sndUna;
    this.beginReduction(now);
    this.rv.prrDelivered = 0;
    this.rv.prrOut = 0;
    this.rv.recoverFs = this.flight();
    const head = this.rv.sent.first();
    // RFC 6675 (5 step 4.3): the first unSACKed segment is retransmitted whatever IsLost says.
    if (head !== undefined && !head.sacked && !head.rtxInFlight) this.rv.sent.markLost(head);
    this.rv.tlpEndSeq = undefined;
    this.prrOnAck(delivered);
  }

  /** The window is reduced for a loss: the controller decreases, undo keeps the way back. */
  private beginReduction(now: number): void {
    this.cc.onCongestion(this.flight(), now);
    this.rv.undoMarker = this.sndUna;
    this.rv.undoRetrans = 0;
    this.rv.retransStamp = undefined;
  }

  /** RFC 6937 (3): cwnd = pipe + sndcnt; the first retransmission goes out in any case. */
  private prrOnAck(delivered: number): void {
    this.rv.prrDelivered += delivered;
    const mss = this.effSndMss();
    const pipe = this.pipe();
    let sndcnt = prrSndcnt({
      prrDelivered: this.rv.prrDelivered,
      prrOut: this.rv.prrOut,
      recoverFs: this.rv.recoverFs,
      ssthresh: this.cc.ssthresh,
      pipe,
      delivered,
      mss,
    });
    // As Linux's tcp_cwnd_reduction: force the fast retransmit on entering recovery.
    if (this.rv.prrOut === 0) sndcnt = Math.max(sndcnt, mss);
    this.cc.cwnd = pipe + sndcnt;
  }

  /** RFC 6937 (3): at the end of recovery cwnd = ssthresh. */
  private endRecovery(now: number): void {
    if (this.sackOk) this.cc.cwnd = this.cc.ssthresh;
    else {
      // RFC 6582 (3.2 step 3): deflate to min(ssthresh, FlightSize + MSS).
      const mss = this.effSndMss();
      this.cc.cwnd = Math.min(this.cc.ssthresh, Math.max(this.flight(), mss) + mss);
    }
    this.caState = 'open';
    this.cc.onRecoveryEnd(now);
    this.rv.rack.onRecoveryEnd();
  }

  /** RFC 6582 (3.2 step 2) for a peer without SACK: fast retransmit on the third duplicate. */
  private enterNewReno(now: number): void {
    if (seqLt(this.sndUna, this.rv.recoveryPoint)) return;
    this.caState = 'recovery';
    this.stats.fastRetransmits++;
    this.rv.recoveryPoint = this.sndNxt;
    this.beginReduction(now);
    this.cc.cwnd = this.cc.ssthresh + 3 * this.effSndMss();
    this.retransmitHead();
  }

  /** RFC 6582 (3.2 steps 4, 5) and RFC 5681 (3.2 step 4). */
  private newRenoOnAck(acked: number, dupAck: boolean): void {
    const mss = this.effSndMss();
    if (acked > 0) {
      // Partial ACK: deflate by the amount acked, add back one MSS, retransmit the next hole.
      this.cc.cwnd = Math.max(mss, this.cc.cwnd - acked + (acked >= mss ? mss : 0));
      this.retransmitHead();
    } else if (dupAck) this.cc.cwnd += mss;
  }

  private retransmitHead(): void {
    const head = this.rv.sent.first();
    if (head === undefined) return;
    this.rv.sent.markLost(head);
    this.rv.forcedRtx = true;
  }

  /** RFC 8985 (6.2 step 5, 6.3): time-based marks, and the reorder timer for the rest. */
  private rackDetect(now: number): void {
    if (this.caState === 'open' && this.rv.sent.sackedBytes === 0 && this.rv.sent.rtxBytes === 0) {
      return;
    }
    const sackedSegs = Math.floor(this.rv.sent.sackedBytes / this.effSndMss());
    const reoWnd = this.rv.rack.reoWnd(this.caState !== 'open', sackedSegs, this.rtt.srtt);
    const wait = this.rv.rack.detectLoss(this.rv.sent, now, reoWnd, () => {});
    this.rv.reoAt = wait > 0 ? now + wait : Number.POSITIVE_INFINITY;
  }

  /**
   * RFC 6675 (4) IsLost: an unSACKed segment is lost when DupThresh discontiguous SACKed
   * ranges, or more than (DupThresh - 1) * SMSS SACKed bytes, lie above it.
   */
  private markIsLost(): void {
    // Walking the SACKed ranges down from the highest: below the left edge of the one that
    // brings the SACKed bytes above the limit, or the ranges to DupThresh, every record is lost.
    const limit = (DUP_THRESH - 1) * this.effSndMss();
    const ranges = this.scoreboard.blocks;
    let sackedAbove = 0;
    let boundary: number | undefined;
    for (let k = ranges.length - 1, runs = 1; k >= 0; k--, runs++) {
      const [l, r] = ranges[k] as readonly [number, number];
      sackedAbove += seqDiff(r, l);
      if (sackedAbove > limit || runs >= DUP_THRESH) {
        boundary = l;
        break;
      }
    }
    if (boundary === undefined) return;
    const q = this.rv.sent;
    const from = this.rv.isLostTo;
    let i = q.indexOf(from !== undefined && seqGt(from, this.sndUna) ? from : this.sndUna);
    for (; i !== undefined && i < q.size; i++) {
      const s = q.at(i) as SentSegment;
      if (!seqLt(s.start, boundary)) break;
      if (!s.sacked && !s.rtxInFlight) q.markLost(s);
    }
    if (this.rv.isLostTo === undefined || seqGt(boundary, this.rv.isLostTo)) {
      this.rv.isLostTo = boundary;
    }
  }

  /**
   * A D-SACK (RFC 2883) arrived: RACK widens its reordering window (RFC 8985 6.2 step 4), and
   * a retransmission of the episode proved spurious (RFC 3708 ideas, as Linux's undo_retrans):
   * once all are, the reduction is undone.
   */
  private onDsack(now: number, block: readonly [number, number]): void {
    const [l, r] = [block[0] >>> 0, block[1] >>> 0];
    this.rv.rack.onDsack(this.sndUna, this.sndNxt);
    if (this.rv.tlpIsRetrans && this.rv.tlpEndSeq !== undefined && seqGe(l, this.rv.tlpStart))
      return;
    if (this.rv.undoMarker === undefined || this.rv.undoRetrans <= 0) return;
    if (!seqGe(l, this.rv.undoMarker) || seqGt(r, this.sndNxt)) return;
    if (seqGt(r, this.sndUna)) {
      // Above SND.UNA only a range we retransmitted counts.
      const i = this.rv.sent.indexOf(l);
      const s = i === undefined ? undefined : this.rv.sent.at(i);
      if (s === undefined || s.retransmits === 0) return;
    }
    const segs = Math.max(1, Math.ceil(seqDiff(r, l) / this.effSndMss()));
    this.rv.undoRetrans = Math.max(0, this.rv.undoRetrans - segs);
    if (this.rv.undoRetrans === 0) this.undo(now, false);
  }

  /**
   * Eifel detection (RFC 3522): an ACK that moves SND.UNA and echoes a TSval older than the
   * episode's first retransmission was sent for an original transmission: the reduction was
   * spurious. As Linux's tcp_packet_delayed, only once no retransmission is still in flight.
   */
  private eifel(now: number, echo: number | undefined): void {
    if (
      echo === undefined ||
      this.rv.undoMarker === undefined ||
      this.rv.retransStamp === undefined
    ) {
      return;
    }
    if (this.caState === 'open' || this.rv.sent.rtxBytes > 0) return;
    if (seqLt(echo, this.rv.retransStamp)) this.undo(now, this.caState === 'loss');
  }

  /** F-RTO (RFC 5682 3.1, SACK-enhanced), on an ACK after a retransmission timeout. */
  private frtoOnAck(now: number, advanced: boolean, origDelivered: boolean, dup: boolean): void {
    if (origDelivered) {
      // Step 3b: data sent before the timeout and never retransmitted arrived: spurious.
      this.undo(now, true);
      return;
    }
    if (this.rv.frto === 'newdata') {
      // Step 3a: a duplicate ACK after the new data: the loss was real.
      if (dup || advanced) this.rv.frto = 'off';
      return;
    }
    if (!advanced) {
      if (dup) this.rv.frto = 'off';
      return;
    }
    // Step 2b: the retransmission was acknowledged; try new data before more retransmissions.
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    const canSendNew =
      seqLt(this.sndNxt, dataEnd) && seqLt(this.sndNxt, seqAdd(this.sndUna, this.sndWnd));
    if (canSendNew && seqLt(this.sndUna, this.rv.recoveryPoint)) {
      this.rv.frto = 'newdata';
      this.rv.frtoHigh = this.sndNxt;
    } else this.rv.frto = 'off';
  }

  /** RFC 8985 (7.4): how the tail loss probe's episode ends. */
  private tlpOnAck(now: number, dsack: boolean, advanced: boolean, newSack: boolean): void {
    const end = this.rv.tlpEndSeq;
    if (end === undefined || seqLt(this.sndUna, end)) {
      if (end !== undefined && !advanced && !newSack && dsack && this.rv.tlpIsRetrans) {
        this.rv.tlpEndSeq = undefined;
      }
      return;
    }
    this.rv.tlpEndSeq = undefined;
    if (!this.rv.tlpIsRetrans || dsack) return;
    // The probe repaired a loss: reduce the window once, as for a recovery (Linux CWR).
    if (this.caState === 'open') {
      this.cc.onCongestion(this.flight(), now);
      this.cc.cwnd = Math.min(this.cc.cwnd, this.cc.ssthresh);
      this.cc.onRecoveryEnd(now);
    }
  }

  /** Undo the last reduction (Linux tcp_undo_cwnd_reduction): the losses were not real. */
  private undo(now: number, spuriousRto: boolean): void {
    this.cc.undo(now);
    this.stats.undos++;
    if (spuriousRto) {
      this.stats.spuriousRtos++;
      // The timeout was spurious (the path was there all along), so its backoff is void, as
      // in the Eifel response (RFC 4015): the RTO goes back to the estimator's value without
      // waiting for a sample of a segment sent after the timeout (input.ts onNewAck).
      this.rtt.backoffs = 0;
    }
    this.rv.undoMarker = undefined;
    this.rv.retransStamp = undefined;
    this.rv.frto = 'off';
    this.rv.rack.reorderingSeen = true;
    if (this.caState !== 'open') {
      this.rv.sent.unmarkLost();
      this.rv.isLostTo = undefined;
      this.caState = 'open';
      this.rv.forcedRtx = false;
      this.rv.rack.onRecoveryEnd();
    }
  }
}
