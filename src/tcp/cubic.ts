/**
 * CUBIC congestion control (RFC 9438), with HyStart++ (RFC 9406) in the initial slow start.
 *
 * The window is in bytes at the seam (cc.ts) and in segments inside the formulas, as RFC 9438
 * (4.1) writes them: W_cubic(t) = C*(t-K)^3 + W_max, t in seconds since the congestion
 * avoidance stage (the epoch) began. Choices where the RFC leaves one:
 * - ssthresh on a congestion event is cwnd * beta_cubic, never below 2 segments, as Linux's
 *   cubictcp_recalc_ssthresh. RFC 9438 (4.6) writes flight_size and allows cwnd when the window
 *   cannot grow while the flight is below it (the application-limited rule below). The flight
 *   at the moment a loss is detected is often well below cwnd for reasons that say nothing of
 *   congestion: the peer holds a delayed ACK for the last odd segment, ACKs were lost, or the
 *   hole itself is not counted once SACKed data is; taking it cut the window by far more than
 *   beta (bench:loss, 5% loss: 1.31x -> 1.19x the Mathis estimate, mean of 8 seeds).
 *   Fast convergence (4.7) is on unless the options turn it off.
 * - The target's RTT (4.2) is a smoothed RTT kept from the samples (gain 1/8, RFC 6298); 0 until
 *   the first sample.
 * - Application-limited (RFC 9438 4.2 and 5.8, the idea of RFC 7661): the window grows only when
 *   the flight used it, as Linux's tcp_is_cwnd_limited decides: in slow start while cwnd is below
 *   twice the flight, in congestion avoidance when the flight came within one segment of cwnd.
 *   While the sender is application-limited, the cubic clock stands still (the epoch start moves
 *   forward with time), so t counts only time in which the window was in use.
 * - A timeout repeated before any new data is acknowledged, or one during a recovery, belongs to
 *   the same episode: ssthresh is held (RFC 5681 3.1) and the undo state is the episode's first.
 * - Undo of a spurious congestion event (RFC 9438 4.9) restores W_max, K, the epoch, W_est and
 *   HyStart++ as they were, and cwnd and ssthresh to at least their earlier values (as Linux's
 *   tcp_undo_cwnd_reduction: an undo never lowers them).
 * - An idle restart (RFC 5681 4.1) sets cwnd to min(IW, cwnd), keeps ssthresh at least 3/4 of
 *   the old cwnd (RFC 2861, as Linux), and begins a new epoch when congestion avoidance resumes.
 */
import type { CongestionController } from './cc.js';
import { HYSTART, type HyStartPhase, HyStartPlusPlus } from './hystart.js';

/** RFC 9438: the recommended constants, C (5.1) and beta_cubic (4.6). */
export const CUBIC_C = 0.4;
export const CUBIC_BETA = 0.7;
/** RFC 9438 (4.3): the Reno-friendly additive increase, 3(1 - beta) / (1 + beta). */
export const CUBIC_ALPHA = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);

/** RFC 5681 (3.1): "arbitrarily high" initially; 2^30 stays a safe positive number. */
const INITIAL_SSTHRESH = 2 ** 30;

/** RFC 9438 (4.2) eq. 2: K in seconds, from W_max and cwnd_epoch in segments. */
export function cubicK(wMax: number, cwndEpoch: number): number {
  return Math.cbrt(Math.max(0, wMax - cwndEpoch) / CUBIC_C);
}

/** RFC 9438 (4.2) eq. 1: the window in segments t seconds into the epoch. */
export function wCubic(t: number, k: number, wMax: number): number {
  return CUBIC_C * (t - k) ** 3 + wMax;
}

/** RFC 6928 (2): IW = min(10*MSS, max(2*MSS, 14600)), generalised to N segments. */
function initialWindow(mss: number, segments: number): number {
  return Math.min(segments * mss, Math.max(2 * mss, segments * 1460));
}

export interface CubicOptions {
  /** RFC 9406 HyStart++ in the initial slow start (default true). */
  hystart?: boolean;
  /** RFC 9438 (4.7) fast convergence (default true). */
  fastConvergence?: boolean;
}

/** Which rule set cwnd on the last ACK (RFC 9438 4.3-4.5), for tests and pictures. */
export type CubicRegion = 'slow-start' | 'reno-friendly' | 'concave' | 'convex' | 'app-limited';

/** The controller's own state, in bytes and seconds (a copy; see `state`). */
export interface CubicState {
  /** W_max in bytes: the window before the last reduction (0 before any). */
  readonly wMax: number;
  /** K in seconds. */
  readonly k: number;
  /** When the current congestion avoidance stage began; undefined outside one. */
  readonly epochStart: number | undefined;
  /** cwnd when the epoch began, bytes. */
  readonly cwndEpoch: number;
  /** The Reno-friendly estimate W_est, bytes. */
  readonly wEst: number;
  /** cwnd when ssthresh was last set by a congestion event, bytes. */
  readonly cwndPrior: number;
  /** RFC 9438 (4.8): the next epoch starts with K = 0 (after a timeout). */
  readonly kZero: boolean;
}

interface Saved {
  readonly cwnd: number;
  readonly ssthresh: number;
  readonly state: CubicState;
  readonly hystart: HyStartPlusPlus | undefined;
}

type Episode = 'none' | 'recovery' | 'timeout';

export class Cubic implements CongestionController {
  readonly kind = 'cubic' as const;
  cwnd: number;
  ssthresh = INITIAL_SSTHRESH;
  private s: CubicState = {
    wMax: 0,
    k: 0,
    epochStart: undefined,
    cwndEpoch: 0,
    wEst: 0,
    cwndPrior: 0,
    kZero: false,
  };
  private hystart: HyStartPlusPlus | undefined;
  private readonly fastConvergence: boolean;
  /** Growth below one byte, carried to the next ACK so that slow growth is not lost. */
  private carry = 0;
  private srtt: number | undefined;
  private lastAckAt: number | undefined;
  private anyAck = false;
  private episode: Episode = 'none';
  private saved: Saved | undefined;
  private lastRegion: CubicRegion = 'slow-start';

  constructor(
    private mss: number,
    private readonly initialCwndSegments: number,
    options: CubicOptions = {},
  ) {
    this.cwnd = initialWindow(mss, initialCwndSegments);
    this.hystart = (options.hystart ?? true) ? new HyStartPlusPlus() : undefined;
    this.fastConvergence = options.fastConvergence ?? true;
  }

  /** A copy of CUBIC's own variables. */
  get state(): CubicState {
    return { ...this.s };
  }

  /** The rule that set cwnd on the last ACK. */
  get region(): CubicRegion {
    return this.lastRegion;
  }

  /** HyStart++'s phase ('done' when it is off or finished). */
  get slowStartPhase(): HyStartPhase {
    return this.hystart?.phase ?? 'done';
  }

  onAck(acked: number, now: number, rtt: number | undefined, flight: number): void {
    if (acked <= 0) return;
    this.anyAck = true;
    if (rtt !== undefined)
      this.srtt = this.srtt === undefined ? rtt : this.srtt + (rtt - this.srtt) / 8;
    // New data acknowledged: a later timeout is a new episode (RFC 5681 3.1).
    if (this.episode === 'timeout') this.episode = 'none';
    const since = this.lastAckAt === undefined ? 0 : now - this.lastAckAt;
    this.lastAckAt = now;
    if (this.cwnd < this.ssthresh) this.slowStart(acked, now, rtt, flight);
    else this.congestionAvoidance(acked, now, flight, since);
  }

  onCongestion(_flight: number, now: number): void {
    if (this.episode === 'none') this.save();
    this.hystart?.disable();
    this.reduce();
    this.s = { ...this.s, epochStart: undefined };
    this.episode = 'recovery';
    this.lastAckAt = now;
  }

  onRecoveryEnd(now: number): void {
    this.episode = 'none';
    this.carry = 0;
    // RFC 9438 (4.2): congestion avoidance, and so the epoch, begins when recovery ends; a
    // window PRR left below ssthresh slow-starts up to it first.
    if (this.cwnd >= this.ssthresh) this.startEpoch(now);
    this.lastAckAt = now;
  }

  onTimeout(_flight: number, now: number): void {
    if (this.episode === 'none') {
      this.save();
      this.reduce();
    }
    this.hystart?.disable();
    this.cwnd = this.mss;
    this.carry = 0;
    // RFC 9438 (4.8): the first epoch after a timeout has K = 0 and W_max = its cwnd_epoch.
    this.s = { ...this.s, epochStart: undefined, kZero: true };
    this.episode = 'timeout';
    this.lastAckAt = now;
  }

  undo(now: number): void {
    const saved = this.saved;
    if (saved === undefined) return;
    this.saved = undefined;
    this.cwnd = Math.max(this.cwnd, saved.cwnd);
    this.ssthresh = Math.max(this.ssthresh, saved.ssthresh);
    this.s = saved.state;
    this.hystart = saved.hystart;
    this.episode = 'none';
    this.carry = 0;
    this.lastAckAt = now;
  }

  onIdleRestart(now: number): void {
    this.ssthresh = Math.max(this.ssthresh, Math.floor((3 * this.cwnd) / 4));
    this.cwnd = Math.min(this.cwnd, initialWindow(this.mss, this.initialCwndSegments));
    this.carry = 0;
    this.s = { ...this.s, epochStart: undefined };
    this.lastAckAt = now;
  }

  setMss(mss: number): void {
    if (mss === this.mss || mss <= 0) return;
    if (!this.anyAck) {
      // Nothing was acknowledged yet: the initial window is defined on the new MSS (RFC 6928).
      this.mss = mss;
      this.cwnd = initialWindow(mss, this.initialCwndSegments);
      return;
    }
    // Later (PMTU): keep the windows' sizes in segments, the unit of RFC 9438's formulas.
    const f = mss / this.mss;
    this.mss = mss;
    this.cwnd = Math.max(mss, Math.round(this.cwnd * f));
    if (this.ssthresh < INITIAL_SSTHRESH)
      this.ssthresh = Math.max(2 * mss, Math.round(this.ssthresh * f));
    const s = this.s;
    this.s = {
      ...s,
      wMax: s.wMax * f,
      cwndEpoch: s.cwndEpoch * f,
      wEst: s.wEst * f,
      cwndPrior: s.cwndPrior * f,
    };
  }

  private slowStart(acked: number, now: number, rtt: number | undefined, flight: number): void {
    if (2 * flight <= this.cwnd) {
      this.lastRegion = 'app-limited';
      return;
    }
    this.lastRegion = 'slow-start';
    const step = this.hystart?.onAck(now, acked, rtt, this.mss) ?? {
      increase: Math.min(acked, HYSTART.l * this.mss),
      exit: false,
    };
    this.grow(step.increase);
    if (step.exit) {
      // RFC 9406 (4.3): CSS is over: congestion avoidance from this window.
      this.ssthresh = this.cwnd;
      this.startEpoch(now);
    } else if (this.cwnd > this.ssthresh) this.cwnd = this.ssthresh;
  }

  private congestionAvoidance(acked: number, now: number, flight: number, since: number): void {
    if (this.s.epochStart === undefined) this.startEpoch(now);
    const epochStart = this.s.epochStart as number;
    if (flight + this.mss <= this.cwnd) {
      // Application-limited: no growth, and the time does not count toward t.
      this.s = { ...this.s, epochStart: Math.min(now, epochStart + since) };
      this.lastRegion = 'app-limited';
      return;
    }
    const mss = this.mss;
    const cwndSeg = this.cwnd / mss;
    const t = (now - epochStart) / 1000;
    const wMax = this.s.wMax / mss;
    const rtt = (this.srtt ?? 0) / 1000;
    // RFC 9438 (4.3): W_est grows by alpha per window acknowledged; alpha is 1 once W_est has
    // reached the window before the reduction.
    const alpha = this.s.wEst >= this.s.cwndPrior ? 1 : CUBIC_ALPHA;
    const wEst = this.s.wEst + (alpha * acked * mss) / this.cwnd;
    this.s = { ...this.s, wEst };
    const now3 = wCubic(t, this.s.k, wMax);
    if (now3 < wEst / mss) {
      this.lastRegion = 'reno-friendly';
      this.grow(Math.max(0, wEst - this.cwnd - this.carry));
      return;
    }
    this.lastRegion = now3 < wMax ? 'concave' : 'convex';
    // RFC 9438 (4.4, 4.5): aim at W_cubic one RTT ahead, no less than cwnd, at most 1.5 cwnd.
    const target = Math.min(Math.max(wCubic(t + rtt, this.s.k, wMax), cwndSeg), 1.5 * cwndSeg);
    // (target - cwnd) / cwnd segments per segment acknowledged, in bytes.
    this.grow(((target - cwndSeg) * acked) / cwndSeg);
  }

  /** Adds `bytes` (fractional) to cwnd, carrying what is below one byte. */
  private grow(bytes: number): void {
    const total = this.carry + bytes;
    const whole = Math.floor(total);
    this.cwnd += whole;
    this.carry = total - whole;
  }

  /** RFC 9438 (4.6, 4.7): W_max with fast convergence, then ssthresh = cwnd * beta (see top). */
  private reduce(): void {
    const cwnd = this.cwnd;
    const wMax = this.fastConvergence && cwnd < this.s.wMax ? (cwnd * (1 + CUBIC_BETA)) / 2 : cwnd;
    this.s = { ...this.s, wMax, cwndPrior: cwnd };
    this.ssthresh = Math.max(Math.floor(cwnd * CUBIC_BETA), 2 * this.mss);
  }

  /** RFC 9438 (4.2, 4.3, 4.8): a congestion avoidance stage begins at `now` from this cwnd. */
  private startEpoch(now: number): void {
    const cwnd = this.cwnd;
    // No reduction to climb back from (after slow start, after a timeout, or past W_max): the
    // curve starts here with K = 0, in its convex part.
    const fresh = this.s.kZero || this.s.wMax <= cwnd;
    const wMax = fresh ? cwnd : this.s.wMax;
    this.s = {
      ...this.s,
      wMax,
      k: fresh ? 0 : cubicK(wMax / this.mss, cwnd / this.mss),
      epochStart: now,
      cwndEpoch: cwnd,
      wEst: cwnd,
      kZero: false,
    };
    this.carry = 0;
  }

  private save(): void {
    this.saved = {
      cwnd: this.cwnd,
      ssthresh: this.ssthresh,
      state: { ...this.s },
      hystart: this.hystart?.clone(),
    };
  }
}
