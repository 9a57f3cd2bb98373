/**
 * Segment arrival (RFC 9293 3.10.7) in the RFC's order of checks: PAWS (RFC 7323 5), sequence
 * number, RST (RFC 5961 3), SYN (RFC 5961 4), ACK (RFC 5961 5, RFC 5681, RFC 6582), text, FIN.
 */
import type { Cause } from '../state/transitions.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from '../wire/seq.js';
import type { TcpSegment } from '../wire/types.js';
import { invalidSegmentAck } from './invalid-ack.js';
import { readSackBlocks, readSynOptions, readTimestamp, type Timestamp } from './options.js';
import {
  DEFAULT_SEND_MSS,
  MAX_UNSCALED_WINDOW,
  RECEIVING_STATES,
  RTO_AFTER_SYN_TIMEOUT,
} from './tcb.js';
import { isArmed, Timer } from './timer-table.js';
import { TcbTimers } from './timers.js';

/** Linux's TCP_MAX_QUICKACKS: in-order segments acknowledged at once after a quick-ACK trigger. */
const MAX_QUICKACKS = 16;

export abstract class TcbInput extends TcbTimers {
  /**
   * In-order data segments still to be acknowledged at once rather than delayed (Linux's
   * quick-ACK mode, icsk_ack.quick): set when a retransmission of data we hold arrives, which
   * says the peer timed out waiting for an ACK (Linux counts it as DelayedACKLost).
   */
  private quickAcks = 0;
  /** When in-order data last arrived (Linux icsk_ack.lrcvtime); undefined before any. */
  private lastDataAt: number | undefined;
  /** In-order data segments of the batch now arriving (config.ackPerBatch; settleAck). */
  private batchSegs = 0;

  /** RFC 9293 3.10.7.1: a segment for a connection that no longer exists. */
  protected segmentInClosed(seg: TcpSegment): void {
    this.drop();
    if (seg.flags.rst) return;
    this.queueRstFor(seg);
  }

  /** RFC 9293 3.10.7.3 (SYN-SENT). */
  protected segmentInSynSent(now: number, seg: TcpSegment): void {
    const f = seg.flags;
    let ackOk = false;
    if (f.ack) {
      // First: an ACK outside (ISS, SND.NXT] is unacceptable; answer with RST unless RST.
      if (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndNxt)) {
        this.drop();
        if (!f.rst) this.queueRst(seg.ack, undefined);
        return;
      }
      ackOk = seqLe(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndNxt);
    }
    if (f.rst) {
      // Second: RST counts only when it acknowledges our SYN (RFC 5961 3.2 for SYN-SENT).
      if (ackOk) {
        this.stats.resetsReceived++;
        this.finish(now, 'refused', 'rcv RST');
      } else this.drop();
      return;
    }
    if (!f.syn) {
      this.drop();
      return;
    }
    // Fourth: SYN.
    this.takePeerSyn(seg);
    if (ackOk) {
      this.ackSyn(now, seg.ack);
      if (this.tfo !== undefined) this.synDataAcked(seg.ack);
      this.setState(now, 'ESTABLISHED', 'rcv SYN,ACK');
      if (this.fin.kind === 'queued') this.setState(now, 'FIN_WAIT1', this.fin.cause);
      this.ackNow = true;
      // RFC 9293 3.10.7.3: continue with data or FIN on the SYN,ACK from the sixth step.
      this.processText(now, { ...seg, seq: seqAdd(seg.seq, 1), flags: { ...f, syn: false } });
    } else {
      // Simultaneous open: answer with SYN,ACK on our original ISS. Text on the SYN waits for
      // ESTABLISHED; a FIN on it is not kept (unacknowledged, the peer sends it again).
      if (seg.payload.byteLength > 0) {
        this.synText = { seq: seqAdd(seg.seq, 1), data: seg.payload.slice() };
      }
      this.setState(now, 'SYN_RECV', 'rcv SYN');
      this.synPending = true;
      this.synSends = 0;
      this.stopSendTimer();
    }
  }

  /** RFC 9293 3.10.7.4: SYN-RECEIVED and the synchronized states. */
  protected segmentInSynchronized(now: number, inSeg: TcpSegment): void {
    if (this.st === 'TIME_WAIT' && this.config.timeWaitInput === 'freebsd') {
      this.segmentInFreebsdTimeWait(now, inSeg);
      return;
    }
    let seg = inSeg;
    let f = seg.flags;
    let establishCause: Cause = 'rcv ACK';
    if (this.st === 'SYN_RECV' && f.syn && seg.seq === this.irs) {
      if (!f.ack) {
        // The peer's SYN again: our SYN,ACK was lost; send it again.
        if (!f.rst) this.synPending = true;
        return;
      }
      // Simultaneous open: the peer's SYN,ACK. Its SYN is a duplicate; keep the ACK.
      seg = { ...seg, seq: seqAdd(seg.seq, 1), flags: { ...f, syn: false } };
      f = seg.flags;
      establishCause = 'rcv SYN,ACK';
    }
    const ts = this.tsOk ? readTimestamp(seg) : undefined;
    // RFC 7323 (5.3) R1: PAWS, before the sequence check; RSTs are exempt.
    if (ts !== undefined && !f.rst && seqLt(ts.value, this.tsRecent)) {
      this.stats.pawsDropped++;
      this.drop();
      // R1's ACK tells a sender of old data or FIN where we are. For a pure ACK it would be an
      // ACK for an ACK: two ends that reorder each other's ACKs (two TIME_WAITs, say) would
      // trade them without end, growing with duplication. Such an ACK is a duplicate, which RFC
      // 9293 3.10.7.4 lets us ignore; FreeBSD's tcp_input too ACKs a PAWS drop only with data.
      // Within the rate limit of ACKs for invalid segments (Linux tcp_invalid_ratelimit).
      if (this.segLen(seg) > 0 && invalidSegmentAck(this, now, this.config.invalidAckInterval)) {
        this.ackNow = true;
      }
      return;
    }
    // First: sequence number check (RFC 9293 3.10.7.4 table).
    if (!this.acceptable(seg)) {
      this.drop();
      if (f.rst) return;
      // RFC 9293: TIME-WAIT acknowledges a retransmitted FIN and restarts the 2MSL timer.
      if (this.st === 'TIME_WAIT' && f.fin) this.armTimeWait(now);
      if (this.segLen(seg) === 0 && seqGt(seg.seq, this.rcvNxt)) {
        // A pure ACK beyond our window: no correct peer's SND.NXT passes the right edge we
        // advertised (only a lost sequence space, e.g. its data dropped for an ACK above our
        // SND.NXT after an injected FIN, puts it there). The peer answers our ACK with an ACK
        // of its own (RFC 9293 3.10.7.4), so an unthrottled reply starts an ACK storm that
        // never ends; answer it as RFC 5961 (5.2, 7) answers an ACK for unsent data, under the
        // challenge-ACK limit, where the first suppressed reply ends the exchange.
        this.challengeAck(now);
      } else {
        // RFC 9293 3.10.7.4: an old duplicate or a keepalive probe below RCV.NXT is answered.
        // Data retransmitted from just below RCV.NXT (within one receive buffer) is a real
        // duplicate and is answered at once, with its D-SACK; anything else within the rate
        // limit of ACKs for invalid segments (Linux tcp_invalid_ratelimit), so blind segments
        // draw few ACKs.
        const recentDuplicate =
          seg.payload.byteLength > 0 &&
          seqLt(seg.seq, this.rcvNxt) &&
          seqGe(seg.seq, seqAdd(this.rcvNxt, -this.config.receiveBufferSize));
        if (recentDuplicate) this.enterQuickAck();
        if (recentDuplicate || invalidSegmentAck(this, now, this.config.invalidAckInterval)) {
          this.ackNow = true;
          this.noteDuplicate(seg.seq, seg.payload.byteLength);
        }
      }
      return;
    }
    // RFC 7323 (4.3): remember the newest timestamp of a segment at or before Last.ACK.sent.
    if (ts !== undefined && seqLe(seg.seq, this.lastAckSent)) {
      this.tsRecent = ts.value;
    }
    // Second: RST (RFC 5961 3.2: only an exact match resets; in-window gets a challenge ACK).
    if (f.rst) {
      this.onRst(now, seg);
      return;
    }
    // Fourth: SYN in a synchronized state (RFC 5961 4): challenge ACK, drop.
    if (f.syn) {
      this.drop();
      if (this.config.synChallenge) this.challengeAck(now);
      // RFC 793 (and RFC 9293 without RFC 5961): an in-window SYN is an error; reset.
      else this.resetAndFinish(now, 'reset', 'rcv SYN');
      return;
    }
    // Fifth: ACK.
    if (!f.ack) {
      this.drop();
      return;
    }
    if (this.st === 'SYN_RECV') {
      if (!(seqLt(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndNxt))) {
        this.drop();
        this.queueRst(seg.ack, undefined);
        return;
      }
      // The SYN's octet; processAck below takes any data a Fast Open child sent since.
      this.ackSyn(now, seqAdd(this.iss, 1));
      this.setState(now, 'ESTABLISHED', establishCause);
      if (this.fin.kind === 'queued') this.setState(now, 'FIN_WAIT1', this.fin.cause);
      const queued = this.synText;
      if (queued !== undefined) {
        this.synText = undefined;
        const flags = { ...f, syn: false, fin: false, rst: false };
        this.processText(now, { ...seg, seq: queued.seq, payload: queued.data, flags });
      }
    }
    if (!this.processAck(now, seg, ts)) return;
    if (this.st === 'CLOSED') return;
    if (this.st === 'TIME_WAIT') {
      // RFC 9293: only a retransmitted FIN should arrive here; acknowledge it and restart 2MSL.
      if (f.fin) {
        this.ackNow = true;
        this.armTimeWait(now);
      } else if (seg.seq !== this.rcvNxt || seg.payload.byteLength > 0 || seg.ack !== this.sndNxt) {
        // Anything else but an exact duplicate ACK is acknowledged too, as Linux and FreeBSD
        // do; a duplicate ACK is not, so that two ends cannot trade ACKs forever.
        this.ackNow = true;
      }
      return;
    }
    // Sixth (URG) is not implemented: urgent data is delivered as ordinary data.
    // Seventh and eighth: text and FIN.
    this.processText(now, seg);
    this.afterText(now);
  }

  /**
   * FreeBSD's TIME_WAIT (tcp_twcheck, config.timeWaitInput 'freebsd'): no sequence check; a new
   * SYN above RCV.NXT was offered to the listener by the stack before this point.
   */
  private segmentInFreebsdTimeWait(now: number, seg: TcpSegment): void {
    const f = seg.flags;
    this.drop();
    if (f.rst || !f.ack) return;
    // A duplicate of the peer's FIN: restart 2MSL.
    const end = seqAdd(seg.seq, seg.payload.byteLength + (f.syn ? 1 : 0));
    if (f.fin && seqAdd(end, 1) === this.rcvNxt) this.armTimeWait(now);
    const dupAck =
      !f.syn &&
      !f.fin &&
      !f.psh &&
      !f.urg &&
      seg.payload.byteLength === 0 &&
      seg.seq === this.rcvNxt &&
      seg.ack === this.sndNxt;
    if (!dupAck) this.ackNow = true;
  }

  /** FIN_WAIT1 whose FIN is acknowledged and that did not get the peer's FIN: FIN_WAIT2. */
  protected afterText(now: number): void {
    if (this.st !== 'FIN_WAIT1' || this.fin.kind !== 'acked') return;
    this.setState(now, 'FIN_WAIT2', 'rcv ACK');
    // RFC 9293 leaves an orphan in FIN_WAIT2 forever; Linux's tcp_fin_timeout bounds it.
    if (this.orphan) this.timers[Timer.finWait2] = now + this.config.finWait2Timeout;
  }

  /** RFC 9293 3.10.7.4 first check: is any of the segment inside the receive window? */
  protected acceptable(seg: TcpSegment): boolean {
    const len = this.segLen(seg);
    const wnd = Math.max(0, seqDiff(this.rcvCheckEdge(), this.rcvNxt));
    const inWnd = (s: number) => seqLe(this.rcvNxt, s) && seqLt(s, seqAdd(this.rcvNxt, wnd));
    // RFC 9293 3.10.7.4: with a zero window, a segment at RCV.NXT is still taken for its ACK
    // and RST (its text is trimmed away in processText).
    if (wnd === 0) return seg.seq === this.rcvNxt;
    if (len === 0) return inWnd(seg.seq);
    return inWnd(seg.seq) || inWnd(seqAdd(seg.seq, len - 1));
  }

  protected onRst(now: number, seg: TcpSegment): void {
    if (seg.seq !== this.rcvNxt && this.config.rstChallenge) {
      // RFC 5961 (3.2): in the window but not exact: challenge ACK.
      this.drop();
      this.challengeAck(now);
      return;
    }
    this.stats.resetsReceived++;
    switch (this.st) {
      case 'TIME_WAIT':
        // RFC 1337 (TIME-WAIT assassination, fix 1): ignore RST in TIME-WAIT.
        this.drop();
        return;
      case 'SYN_RECV':
        // RFC 9293: a passive open goes back to LISTEN (the listener in stack/ stays); an
        // active (simultaneous) open was refused.
        this.finish(now, this.passive ? 'reset' : 'refused', 'rcv RST');
        return;
      default:
        this.finish(now, 'reset', 'rcv RST');
    }
  }

  /**
   * RFC 9293 3.10.7.4 fifth step for synchronized states. Returns false when the segment must
   * be dropped here.
   */
  protected processAck(now: number, seg: TcpSegment, ts: Timestamp | undefined): boolean {
    const ack = seg.ack;
    // RFC 5961 (5.2): acceptable only if SND.UNA - MAX.SND.WND <= SEG.ACK <= SND.NXT.
    if (seqGt(ack, this.sndNxt) || seqLt(ack, seqAdd(this.sndUna, -this.maxSndWnd))) {
      this.drop();
      this.challengeAck(now);
      return false;
    }
    const window = seg.window * 2 ** this.sndWndScale;
    const advanced = seqGt(ack, this.sndUna);
    const priorUna = this.sndUna;
    const priorFlight = this.flight();
    const rtt = advanced ? this.onNewAck(now, seg, ts) : undefined;
    if (this.isClosed()) return true;
    const blocks = this.sackOk ? readSackBlocks(seg) : [];
    const newSack = this.scoreboard.update(blocks, this.sndUna, this.sndNxt);
    const dupAck = this.isDupAck(seg, window, advanced, blocks.length > 0, newSack);
    if (dupAck) this.stats.dupAcksIn++;
    if (advanced || blocks.length > 0 || dupAck) {
      this.recoveryOnAck(now, {
        priorUna,
        priorFlight,
        blocks,
        dupAck,
        newSack,
        echo: ts !== undefined && ts.echo !== 0 ? ts.echo : undefined,
        rtt,
      });
    }
    // RFC 9293 3.10.7.4: update the send window from newer segments only.
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, ack))) {
      this.sndWnd = window;
      this.sndWl1 = seg.seq;
      this.sndWl2 = ack;
      this.maxSndWnd = Math.max(this.maxSndWnd, window);
      if (window > 0) this.persistCount = 0;
      this.persistUnanswered = 0;
    }
    return true;
  }

  /**
   * Is this ACK a duplicate acknowledgment? With SACK blocks, RFC 6675 (2): it reports octets
   * above SND.UNA not SACKed before, even if it also carries data, changes the window or moves
   * SND.UNA (after RFC 6675 5 reset DupAcks for the cumulative ACK; in recovery a cumulative ACK
   * is a partial ACK, RFC 6582, and not also a duplicate). A D-SACK block is no new information
   * (RFC 2883 4). Without SACK blocks, RFC 5681 (2): outstanding data, no data, no SYN or FIN,
   * SEG.ACK = SND.UNA and the window unchanged; and not a zero window, whose repeated ACKs
   * answer persist probes (RFC 9293 3.8.6.1) and tell of no loss.
   */
  private isDupAck(
    seg: TcpSegment,
    window: number,
    advanced: boolean,
    sackBlocks: boolean,
    newSack: boolean,
  ): boolean {
    if (!seqGt(this.sndNxt, this.sndUna)) return false;
    if (sackBlocks) return newSack && !(advanced && this.caState === 'recovery');
    return (
      !advanced &&
      seg.ack === this.sndUna &&
      seg.payload.byteLength === 0 &&
      !seg.flags.fin &&
      !seg.flags.syn &&
      window === this.sndWnd &&
      window > 0
    );
  }

  /** SND.UNA moved: free the buffer, take an RTT sample (returned), handle our FIN's ACK. */
  protected onNewAck(now: number, seg: TcpSegment, ts: Timestamp | undefined): number | undefined {
    const ack = seg.ack;
    // Bytes of the send buffer covered (the FIN's sequence number is not in the buffer).
    const dataAcked = Math.min(Math.max(0, seqDiff(ack, this.bufSeq)), this.sendBuf.length);
    if (dataAcked > 0) {
      this.sendBuf.consume(dataAcked);
      this.bufSeq = seqAdd(this.bufSeq, dataAcked);
      if (this.writeBlocked) {
        this.writeBlocked = false;
        this.events.push({ type: 'writable' });
      }
    }
    this.sndUna = ack;
    this.rtxCount = 0;
    let sample: number | undefined;
    // RTT sample: TSecr (RFC 7323 4.1) or the timed segment (RFC 6298 3, Karn's rule).
    if (ts !== undefined && ts.echo !== 0) {
      // A peer that got a retransmission as a duplicate (its ACK was lost) echoes the original's
      // TSval (RFC 7323 5.3 R2 comes before R3): that sample spans our timeout and would pin RTO
      // near maxRto (RFC 7323 4.3 (3)). As with Karn's rule, the backed-off RTO stays until a
      // segment sent after the timeout is echoed (RFC 6298 5.7 note).
      const beforeTimeout = this.rtoTsVal !== undefined && seqLt(ts.echo, this.rtoTsVal);
      if (!beforeTimeout) sample = seqDiff(this.tsVal(now), ts.echo);
    } else if (this.rttSeq !== undefined && seqGe(ack, this.rttSeq)) {
      sample = now - this.rttStart;
      this.rttSeq = undefined;
    }
    if (sample !== undefined) this.rtt.sample(sample);
    // RFC 6298 (5.2, 5.3): stop the timer, or restart it for the remaining data.
    this.stopSendTimer();
    this.unackedSince = seqGt(this.sndNxt, this.sndUna) ? now : undefined;
    if (this.fin.kind !== 'queued' || !seqGt(ack, this.fin.seq)) return sample;
    this.fin = { kind: 'acked', seq: this.fin.seq };
    switch (this.st) {
      case 'FIN_WAIT1':
        // Left to afterText(): the same segment may carry the peer's FIN, and then FIN_WAIT1
        // goes straight to TIME_WAIT (RFC 9293 3.10.7.4, eighth step).
        break;
      case 'CLOSING':
        this.enterTimeWait(now, 'rcv ACK');
        break;
      case 'LAST_ACK':
        this.finish(now, 'normal', 'rcv ACK');
        break;
    }
    return sample;
  }

  /** Seventh and eighth steps: deliver text, then process FIN. */
  protected processText(now: number, seg: TcpSegment): void {
    let seq = seg.seq;
    let data = seg.payload;
    let fin = seg.flags.fin;
    if (data.byteLength > 0 || fin) {
      // Trim what we already have and what lies beyond the advertised window.
      const before = seqDiff(this.rcvNxt, seq);
      if (before > 0) {
        if (data.byteLength > 0) this.enterQuickAck();
        this.noteDuplicate(seq, Math.min(before, data.byteLength));
        data = data.subarray(Math.min(before, data.byteLength));
        seq = this.rcvNxt;
      }
      const room = Math.max(0, seqDiff(this.rcvCheckEdge(), seq));
      if (data.byteLength > room) {
        data = data.subarray(0, room);
        fin = false;
        // Part of the segment did not fit: tell the peer where the window ends.
        this.ackNow = true;
      }
    }
    const peerFin = this.peerFin;
    if (
      peerFin.kind !== 'none' &&
      data.byteLength > 0 &&
      seqGt(seqAdd(seq, data.byteLength), peerFin.seq)
    ) {
      // Nothing follows the peer's FIN; a peer that sends more is ignored beyond it.
      data = data.subarray(0, Math.max(0, seqDiff(peerFin.seq, seq)));
      this.ackNow = true;
    }
    if (fin && peerFin.kind === 'none') {
      this.peerFin = { kind: 'seen', seq: seqAdd(seq, data.byteLength) };
    }
    if (data.byteLength > 0) {
      if (!RECEIVING_STATES.has(this.st)) {
        // CLOSE_WAIT, CLOSING, LAST_ACK: the peer's FIN came already; data cannot follow it.
        this.drop();
        return;
      }
      if (this.orphan) {
        // Nobody will read it: reset, as Linux does (RFC 9293 3.10.4, RFC 2525 2.17).
        this.resetAndFinish(now, 'aborted', 'rcv data after close()');
        return;
      }
      this.onData(now, seq, data);
    }
    if (this.peerFin.kind !== 'seen') return;
    if (this.rcvNxt === this.peerFin.seq) this.onFin(now);
    // RFC 5681 (4.2): a segment above RCV.NXT is acknowledged at once; a FIN beyond a gap is
    // one too (the duplicate ACK tells the sender of the hole even when the FIN carries no data).
    else if (fin) this.ackNow = true;
  }

  protected onData(now: number, seq: number, data: Uint8Array): void {
    this.lastRecvAt = now;
    this.stats.bytesIn += data.byteLength;
    // Never above our MSS (Linux's tcp_measure_rcv_mss: min(len, advmss)): a super-segment from
    // a link with receive offload (64 KB at once) is many MSS-sized segments.
    this.rcvMss = Math.max(this.rcvMss, Math.min(data.byteLength, this.config.mss));
    // No copy: the payload's bytes are never written again (Stack.handlePacket's contract);
    // recvBuf keeps a view of it, or copies a small piece, and copies out-of-order data.
    const own = data;
    if (seq === this.rcvNxt) {
      // Linux's tcp_event_data_recv: data after a silence longer than our RTO means the
      // sender is restarting (after its timeout): quick ACKs while its window is small.
      if (this.lastDataAt !== undefined && now - this.lastDataAt > this.rtt.rto) {
        this.enterQuickAck();
      }
      // Linux starts its delayed-ACK engine in quick-ACK mode on the first data segment.
      if (this.lastDataAt === undefined && this.config.quickAckAtStart) this.enterQuickAck();
      this.lastDataAt = now;
      const hadGap = this.recvBuf.hasOoo;
      this.recvBuf.push(own);
      this.rcvNxt = seqAdd(this.rcvNxt, own.byteLength);
      if (hadGap) {
        this.rcvNxt = this.recvBuf.drainOoo(this.rcvNxt);
        // RFC 5681 (4.2): ACK at once when a gap is filled.
        this.ackNow = true;
      }
      this.readablePending = true;
      this.decideAck(now);
      if (this.config.ackPerBatch !== false) this.batchSegs++;
    } else {
      // RFC 5681 (4.2): out-of-order data gets an immediate (duplicate) ACK, with SACK blocks.
      this.stats.outOfOrder++;
      const dup = this.recvBuf.insertOoo(seq, own);
      if (dup !== undefined) this.noteDuplicate(dup[0], seqDiff(dup[1], dup[0]));
      this.ackNow = true;
    }
  }

  /**
   * The delayed-ACK decision for in-order data (RFC 5681 4.2, RFC 9293 3.8.6.3): a quick ACK
   * while quick-ACK mode lasts (one per ACK, as Linux's tcp_dec_quickack_mode), an ACK at once
   * for two full segments or more since the last ACK, else the delayed-ACK timer.
   */
  private decideAck(now: number): void {
    if (this.quickAcks > 0) {
      this.quickAcks--;
      this.ackNow = true;
    } else if (
      !this.config.delayedAck ||
      seqDiff(this.rcvNxt, this.lastAckSent) >= 2 * this.rcvMss
    ) {
      this.ackNow = true;
    } else if (!isArmed(this.timers, Timer.delayedAck)) {
      this.timers[Timer.delayedAck] = now + this.config.delayedAckTimeout;
    }
  }

  /**
   * The end of a batch of arriving segments (config.ackPerBatch): a burst of two segments or
   * more is acknowledged to its end at once, not after the delayed-ACK timer.
   */
  protected settleAck(): void {
    const n = this.batchSegs;
    if (n === 0) return;
    this.batchSegs = 0;
    if (n >= 2 && this.rcvNxt !== this.lastAckSent && this.isSynchronized()) this.ackNow = true;
  }

  /**
   * A segment retransmitted from below RCV.NXT arrived: our ACK of it was lost or came too late
   * for the peer's timer. Acknowledge the next in-order segments at once, so a sender whose
   * window the timeout cut to one segment is not held a delayed-ACK timeout per round trip
   * (Linux's tcp_enter_quickack_mode on DelayedACKLost: as many as half the receive window in
   * segments, at most 16).
   */
  private enterQuickAck(): void {
    const wnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const n = Math.floor(wnd / (2 * Math.max(1, this.rcvMss)));
    this.quickAcks = Math.max(this.quickAcks, Math.min(MAX_QUICKACKS, Math.max(2, n)));
  }

  /**
   * RFC 2883 (4): `len` bytes at `seq` arrived a second time; the next ACK, sent at once, reports
   * them as its first SACK block (only when SACK was negotiated, RFC 2883 3).
   */
  private noteDuplicate(seq: number, len: number): void {
    if (len <= 0 || !this.sackOk || !this.config.dsack) return;
    this.dsack = [seq, seqAdd(seq, len)];
    this.ackNow = true;
  }

  protected onFin(now: number): void {
    this.peerFin = { kind: 'received', seq: this.rcvNxt };
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.ackNow = true;
    this.events.push({ type: 'end' });
    const cause = 'rcv FIN';
    switch (this.st) {
      case 'SYN_RECV':
      case 'ESTABLISHED':
        this.setState(now, 'CLOSE_WAIT', cause);
        break;
      case 'FIN_WAIT1':
        if (this.fin.kind === 'acked') {
          this.enterTimeWait(now, 'rcv FIN,ACK');
        } else {
          this.setState(now, 'CLOSING', cause);
        }
        break;
      case 'FIN_WAIT2':
        this.enterTimeWait(now, cause);
        break;
      default:
        break;
    }
  }

  /** Reads the peer's SYN: its ISN, window and options (negotiated only if we offer too). */
  protected takePeerSyn(seg: TcpSegment): void {
    this.irs = seg.seq;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.lastAckSent = this.rcvNxt;
    this.rcvAdvEdge = seqAdd(
      this.rcvNxt,
      Math.min(this.config.receiveBufferSize, MAX_UNSCALED_WINDOW),
    );
    const o = readSynOptions(seg);
    this.ecn.onPeerSyn(seg, this.config);
    this.sndMss = o.mss ?? this.config.defaultSendMss ?? DEFAULT_SEND_MSS;
    // RFC 7323 (2.2, 3.2): window scaling and timestamps only when both SYNs carry them.
    // In SYN_SENT we offered according to config; in LISTEN we answer only what we offer.
    this.wscaleOk = this.config.windowScale && o.wscale !== undefined;
    this.sndWndScale = this.wscaleOk ? (o.wscale ?? 0) : 0;
    if (!this.wscaleOk) this.rcvWndScale = 0;
    this.tsOk = this.config.timestamps && o.tsValue !== undefined;
    if (this.tsOk) this.tsRecent = o.tsValue ?? 0;
    // RFC 2018 (2): SACK-permitted only in SYNs.
    this.sackOk = this.config.sack && o.sackPermitted;
    // RFC 9293 3.10.7.3: the SYN's window is never scaled.
    this.sndWnd = seg.window;
    this.maxSndWnd = seg.window;
    this.sndWl1 = seg.seq;
    this.sndWl2 = seg.ack;
    this.rcvMss = Math.min(this.config.mss, this.config.defaultSendMss ?? DEFAULT_SEND_MSS);
    this.ccSetMss(this.effSndMss());
    if (this.config.roundBuffersToMss) this.roundBuffersToMss();
  }

  /** FreeBSD's tcp_mss_update: buffers grow to a whole number of segments (never shrink). */
  private roundBuffersToMss(): void {
    const mss = this.effSndMss();
    const up = (n: number): number => (n > mss ? Math.ceil(n / mss) * mss : n);
    const receiveBufferSize = up(this.config.receiveBufferSize);
    const sendBufferSize = up(this.config.sendBufferSize);
    this.config = { ...this.config, receiveBufferSize, sendBufferSize };
    this.sendBuf.capacity = sendBufferSize;
  }

  /**
   * RFC 7413 3: the SYN,ACK acknowledges the data our SYN carried, or only the SYN; data it
   * does not cover goes again as ordinary data (SND.NXT back to the ACK).
   */
  private synDataAcked(ack: number): void {
    const acked = Math.min(Math.max(0, seqDiff(ack, this.bufSeq)), this.sendBuf.length);
    if (acked > 0) {
      this.sendBuf.consume(acked);
      this.bufSeq = seqAdd(this.bufSeq, acked);
    }
    this.sndNxt = ack;
  }

  /** Our SYN was acknowledged (SYN_SENT on SYN,ACK, SYN_RECV on ACK). */
  protected ackSyn(now: number, ack: number): void {
    // Linux starts icsk_ack.lrcvtime when the connection is established (tcp_finish_connect).
    this.lastRecvAt = now;
    this.sndUna = ack;
    this.stats.delivered++;
    this.stopSendTimer();
    this.rtxCount = 0;
    if (this.rttSeq !== undefined && seqGe(ack, this.rttSeq)) {
      this.rtt.sample(now - this.rttStart);
      this.rttSeq = undefined;
    }
    this.unackedSince = undefined;
    if (this.synRetransmitted) this.rtt.resetAfterSynTimeout(RTO_AFTER_SYN_TIMEOUT);
    // RFC 5681 (3.1): after a retransmitted SYN the initial window is one segment.
    if (this.synRetransmitted) this.cc.cwnd = this.effSndMss();
  }
}
