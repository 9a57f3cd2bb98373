/**
 * Timers (RFC 6298 retransmission, RFC 9293 3.8.6.1 persist, keepalive, user timeout, delayed
 * ACK, 2MSL, FIN_WAIT2): when each is armed, and what happens when it fires. Their deadlines
 * live in one table (timer-table.ts).
 */
import { seqAdd, seqGt, seqLt } from '../wire/seq.js';
import { TcbRecovery } from './recovery.js';
import { MIN_PERSIST, SENDING_STATES } from './tcb.js';
import { isArmed, isExpired, STOPPED, TIMERS, Timer } from './timer-table.js';

export abstract class TcbTimers extends TcbRecovery {
  /** RFC 5482: sent data (or our SYN) unacknowledged for config.userTimeout ends the connection. */
  private userTimeoutDeadline(): number | undefined {
    if (this.config.userTimeout <= 0 || this.unackedSince === undefined) return undefined;
    if (!SENDING_STATES.has(this.st) && this.st !== 'SYN_SENT' && this.st !== 'SYN_RECV') {
      return undefined;
    }
    return this.unackedSince + this.config.userTimeout;
  }

  /** Sets the user-timeout slot from what it depends on: state, unackedSince and config. */
  protected syncUserTimeout(): void {
    this.timers[Timer.userTimeout] = this.userTimeoutDeadline() ?? STOPPED;
  }

  /** Arms or stops timers after any change (RFC 6298 5.1-5.3, persist, keepalive). */
  protected updateTimers(now: number): void {
    this.syncUserTimeout();
    if (this.st === 'CLOSED' || this.st === 'TIME_WAIT') return;
    const dataEnd = seqAdd(this.bufSeq, this.sendBuf.length);
    const pending = this.sendsData() && seqLt(this.sndUna, dataEnd);
    if (pending && this.sndWnd === 0 && (this.flight() === 0 || this.sendTimer === 'persist')) {
      // RFC 9293 3.8.6.1: zero window: probe with the persist timer.
      this.armPersist(now);
    } else if (seqGt(this.sndNxt, this.sndUna)) {
      // RFC 6298 (5.1): data outstanding: the retransmission timer runs.
      this.armRetransmit(now);
    } else if (pending && seqLt(this.sndNxt, dataEnd)) {
      // Data held back by sender SWS avoidance: the override timeout (RFC 9293 3.8.6.2.1).
      this.armPersist(now);
    } else {
      // RFC 6298 (5.2): all data acknowledged.
      this.stopSendTimer();
      this.sendTimer = 'retransmit';
    }
    const ka = this.config.keepalive;
    // Linux keeps keepalive in every synchronized state but TIME_WAIT; FIN_WAIT2 after
    // shutdown() would otherwise wait forever for a vanished peer.
    const kaStates =
      this.st === 'ESTABLISHED' || this.st === 'CLOSE_WAIT' || this.st === 'FIN_WAIT2';
    if (ka.enabled && kaStates) {
      if (!isArmed(this.timers, Timer.keepalive)) this.timers[Timer.keepalive] = now + ka.idle;
    } else {
      this.timers[Timer.keepalive] = STOPPED;
    }
  }

  /** Starts the persist timer unless it runs already (a running one keeps its deadline). */
  private armPersist(now: number): void {
    if (isArmed(this.timers, Timer.persist)) return;
    this.sendTimer = 'persist';
    this.stopSendTimer();
    this.timers[Timer.persist] = now + this.persistInterval();
  }

  /**
   * Starts the retransmission timer unless it runs already (RFC 6298 5.1), schedules the tail
   * loss probe again after new data or an ACK (RFC 8985 7.2), and puts the earliest of RTO,
   * probe and RACK reorder timer in the retransmit slot.
   */
  private armRetransmit(now: number): void {
    this.sendTimer = 'retransmit';
    this.timers[Timer.persist] = STOPPED;
    if (this.rtoAt === STOPPED) this.rtoAt = now + this.rtt.rto;
    const rv = this.rvObj;
    if (rv === undefined) {
      this.timers[Timer.retransmit] = this.rtoAt;
      return;
    }
    if (rv.tlpRearm || rv.tlpAt === STOPPED) {
      rv.tlpRearm = false;
      const pto = this.probeDeadline(now);
      // RFC 8985 (7.2): an RTO due sooner brings the probe forward to its time (the probe,
      // not the timeout, goes out then).
      rv.tlpAt = pto === undefined ? STOPPED : Math.min(pto, this.rtoAt);
    }
    this.timers[Timer.retransmit] = Math.min(this.rtoAt, rv.tlpAt, rv.reoAt);
  }

  /**
   * Serves every timer expired at `now`, in the table's order (timer-table.ts), until one
   * closes the connection.
   */
  protected fireExpired(now: number): void {
    for (const t of TIMERS) {
      if (!isExpired(this.timers, t, now)) continue;
      this.fire(t, now);
      if (this.isClosed()) return;
    }
  }

  private fire(t: Timer, now: number): void {
    switch (t) {
      case Timer.timeWait:
        this.finish(now, 'normal', '2MSL timer');
        return;
      case Timer.finWait2:
        this.finish(now, 'normal', 'FIN_WAIT2 timer');
        return;
      case Timer.userTimeout:
        this.finish(now, 'timeout', 'user timeout');
        return;
      case Timer.retransmit: {
        const rv = this.rvObj;
        this.timers[t] = STOPPED;
        if (rv !== undefined && rv.reoAt <= now) {
          rv.reoAt = STOPPED;
          this.onReorderTimeout(now);
        } else if (rv !== undefined && rv.tlpAt <= now && this.probeAvailable()) {
          rv.tlpAt = STOPPED;
          this.onProbeTimeout();
          // The probe takes the place of an RTO due now (RFC 8985 7.2); the RTO restarts.
          if (this.rtoAt <= now) this.rtoAt = now + this.rtt.rto;
        } else if (this.rtoAt > now) {
          if (rv !== undefined) rv.tlpAt = STOPPED;
        } else {
          this.rtoAt = STOPPED;
          this.onRetransmitTimeout(now);
        }
        return;
      }
      case Timer.persist:
        this.timers[t] = STOPPED;
        this.onPersistTimeout(now);
        return;
      case Timer.keepalive:
        this.onKeepaliveTimeout(now);
        return;
      case Timer.delayedAck:
        this.timers[t] = STOPPED;
        this.ackNow = true;
        return;
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
    if (this.tsOk) this.rtoTsVal = this.tsVal(now);
    if (handshake) {
      this.synPending = true;
      return;
    }
    this.onDataTimeout(now);
    if (this.sndWnd === 0) {
      // The window is closed: probe it rather than count retransmissions (as BSD's tcp_output
      // falls back to the persist timer when nothing may be sent).
      this.sendTimer = 'persist';
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
      this.forceSmall = true;
    }
  }

  protected onKeepaliveTimeout(now: number): void {
    const ka = this.config.keepalive;
    if (seqGt(this.sndNxt, this.sndUna)) {
      // Data outstanding: the retransmission timer watches the peer.
      this.timers[Timer.keepalive] = now + ka.idle;
      return;
    }
    if (this.keepaliveProbes >= ka.count) {
      this.finish(now, 'timeout', 'keepalive timeout');
      return;
    }
    this.keepaliveProbes++;
    this.keepaliveProbePending = true;
    this.timers[Timer.keepalive] = now + ka.interval;
  }
}
