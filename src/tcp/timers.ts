/**
 * Timers (RFC 6298 retransmission, RFC 9293 3.8.6.1 persist, keepalive, user timeout): when
 * each is armed, and what happens when it fires.
 */
import { seqAdd, seqGt, seqLt } from '../wire/seq.js';
import { TcbOutput } from './output.js';
import { MIN_PERSIST, SENDING_STATES } from './tcb.js';

export abstract class TcbTimers extends TcbOutput {
  protected userTimeoutDeadline(): number | undefined {
    if (this.config.userTimeout <= 0 || this.unackedSince === undefined) return undefined;
    if (!SENDING_STATES.has(this.st) && this.st !== 'SYN_SENT' && this.st !== 'SYN_RECV') {
      return undefined;
    }
    return this.unackedSince + this.config.userTimeout;
  }

  /** Arms or stops timers after any change (RFC 6298 5.1-5.3, persist, keepalive). */
  protected updateTimers(now: number): void {
    if (this.st === 'CLOSED' || this.st === 'TIME_WAIT') return;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    const pending = SENDING_STATES.has(this.st) && seqLt(this.sndUna, dataEnd);
    if (pending && this.sndWnd === 0 && (this.flight() === 0 || this.rtxKind === 'persist')) {
      // RFC 9293 3.8.6.1: zero window: probe with the persist timer.
      if (this.rtxDeadline === undefined || this.rtxKind !== 'persist') {
        this.rtxKind = 'persist';
        this.rtxDeadline = now + this.persistInterval();
      }
    } else if (seqGt(this.sndNxt, this.sndUna)) {
      // RFC 6298 (5.1): data outstanding: the retransmission timer runs.
      if (this.rtxDeadline === undefined || this.rtxKind !== 'retransmit') {
        this.rtxKind = 'retransmit';
        this.rtxDeadline = now + this.rtt.rto;
      }
    } else if (pending && seqLt(this.rtxNxt, dataEnd)) {
      // Data held back by sender SWS avoidance: the override timeout (RFC 9293 3.8.6.2.1).
      if (this.rtxDeadline === undefined || this.rtxKind !== 'persist') {
        this.rtxKind = 'persist';
        this.rtxDeadline = now + this.persistInterval();
      }
    } else {
      // RFC 6298 (5.2): all data acknowledged.
      this.rtxDeadline = undefined;
      this.rtxKind = 'retransmit';
    }
    const ka = this.config.keepalive;
    // Linux keeps keepalive in every synchronized state but TIME_WAIT; FIN_WAIT2 after
    // shutdown() would otherwise wait forever for a vanished peer.
    const kaStates =
      this.st === 'ESTABLISHED' || this.st === 'CLOSE_WAIT' || this.st === 'FIN_WAIT2';
    if (ka.enabled && kaStates) {
      if (this.keepaliveDeadline === undefined) this.keepaliveDeadline = now + ka.idle;
    } else {
      this.keepaliveDeadline = undefined;
    }
  }

  protected persistInterval(): number {
    const base = Math.max(MIN_PERSIST, this.rtt.rto);
    return Math.min(this.config.maxRto, base * 2 ** this.persistCount);
  }

  protected onRetransmitTimeout(now: number): void {
    this.stats.timeouts++;
    this.rtxCount++;
    const handshake = this.st === 'SYN_SENT' || this.st === 'SYN_RECV';
    const limit = handshake ? this.config.synRetries : this.config.dataRetries;
    if (this.rtxCount > limit) {
      this.finish(now, 'timeout', 'retransmission limit');
      return;
    }
    // RFC 6298 (5.5, 5.6): back off, restart; Karn: the timed segment is void.
    this.rtt.backoff();
    this.rttSeq = undefined;
    if (handshake) {
      this.synPending = true;
      return;
    }
    this.cc.onTimeout(this.flight(), this.sndNxt);
    // RFC 2018 (8): after a timeout, SACK information is not trusted.
    this.scoreboard.clear();
    this.fastRtxSeq = undefined;
    this.rtxNxt = this.sndUna;
    this.highRxt = this.sndUna;
    if (this.sndWnd === 0) {
      // The window is closed: probe it rather than count retransmissions (as BSD's tcp_output
      // falls back to the persist timer when nothing may be sent).
      this.rtxKind = 'persist';
      this.rtxCount = 0;
    }
  }

  protected onPersistTimeout(now: number): void {
    this.persistCount++;
    this.persistUnanswered++;
    if (this.persistUnanswered > this.config.dataRetries) {
      this.finish(now, 'timeout', 'retransmission limit');
      return;
    }
    if (this.sndWnd === 0) this.probePending = true;
    else {
      // SWS override: send what the window allows even if small.
      this.fastRtxSeq = undefined;
      this.forceSmall = true;
    }
  }

  protected onKeepaliveTimeout(now: number): void {
    const ka = this.config.keepalive;
    if (seqGt(this.sndNxt, this.sndUna)) {
      // Data outstanding: the retransmission timer watches the peer.
      this.keepaliveDeadline = now + ka.idle;
      return;
    }
    if (this.keepaliveProbes >= ka.count) {
      this.finish(now, 'timeout', 'keepalive timeout');
      return;
    }
    this.keepaliveProbes++;
    this.keepaliveProbePending = true;
    this.keepaliveDeadline = now + ka.interval;
  }
}
