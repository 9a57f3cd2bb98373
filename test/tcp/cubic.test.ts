import { describe, expect, it } from 'vitest';
import {
  CUBIC_ALPHA,
  CUBIC_BETA,
  CUBIC_C,
  Cubic,
  type CubicOptions,
  cubicK,
  wCubic,
} from '../../src/tcp/cubic.js';

const MSS = 1000;
const seg = (c: Cubic) => c.cwnd / MSS;

/** A controller in slow start (HyStart++ off unless asked), grown to `segments` by ACKs. */
function grownTo(segments: number, options: CubicOptions = { hystart: false }): Cubic {
  const c = new Cubic(MSS, 10, options);
  let t = 0;
  while (c.cwnd < segments * MSS) c.onAck(MSS, t++, 100, c.cwnd);
  expect(c.cwnd).toBe(segments * MSS);
  return c;
}

/** A loss at `segments` (flight = cwnd), recovery (PRR) down to ssthresh, then its end. */
function afterLoss(c: Cubic, now: number): void {
  c.onCongestion(c.cwnd, now);
  c.cwnd = c.ssthresh;
  c.onRecoveryEnd(now);
}

/**
 * One round trip with the window full: cwnd/MSS ACKs of one segment, spread over `rtt` ms from
 * `t0`, each ACK with the flight at cwnd. Returns the time the next round begins.
 */
function ackRound(c: Cubic, t0: number, rtt: number, flight?: (c: Cubic) => number): number {
  const acks = Math.max(1, Math.round(c.cwnd / MSS));
  for (let i = 0; i < acks; i++) c.onAck(MSS, t0 + (i * rtt) / acks, rtt, flight?.(c) ?? c.cwnd);
  return t0 + rtt;
}

/** Rounds from `t0` until `until` ms. */
function run(c: Cubic, t0: number, until: number, rtt: number, flight?: (c: Cubic) => number) {
  let t = t0;
  while (t < until) t = ackRound(c, t, rtt, flight);
  return t;
}

describe('CUBIC (RFC 9438)', () => {
  it('K = cbrt(W_max (1 - beta) / C) after a loss at W_max (4.2)', () => {
    const c = grownTo(100);
    afterLoss(c, 1000);
    expect(c.ssthresh).toBe(70 * MSS);
    const s = c.state;
    expect(s.wMax).toBe(100 * MSS);
    expect(s.cwndEpoch).toBe(70 * MSS);
    expect(s.epochStart).toBe(1000);
    expect(s.k).toBeCloseTo(Math.cbrt((100 * (1 - CUBIC_BETA)) / CUBIC_C), 12);
    expect(cubicK(100, 70)).toBeCloseTo(Math.cbrt(75), 12);
    expect(CUBIC_ALPHA).toBeCloseTo(0.5294, 4);
  });

  it('follows W_cubic(t) = C (t - K)^3 + W_max: concave up to W_max, convex beyond (4.4, 4.5)', () => {
    // A large window, where the cubic curve and not the Reno-friendly estimate governs.
    const c = grownTo(1000);
    afterLoss(c, 0);
    const k = c.state.k;
    expect(k).toBeCloseTo(Math.cbrt(750), 12);
    let now = 0;
    for (const t of [1, 5, k, k + 2, k + 4]) {
      now = run(c, now, t * 1000, 100);
      const expected = wCubic(now / 1000, k, 1000);
      // The window aims one RTT ahead and moves once per ACK: it stays on the curve.
      expect(Math.abs(seg(c) - expected) / expected).toBeLessThan(0.005);
      expect(c.region).toBe(now / 1000 < k ? 'concave' : 'convex');
    }
    // At t = K the curve is back at W_max, the plateau; past it the window probes beyond.
    expect(wCubic(k, k, 1000)).toBe(1000);
    expect(seg(c)).toBeGreaterThan(1020);
  });

  it('the Reno-friendly estimate takes over once it passes the curve (4.3)', () => {
    // W_max = 100 segments at 100 ms: W_est reaches cwnd_prior after 30 / alpha rounds, then
    // grows one segment per round, faster than the curve just past K.
    const c = grownTo(100);
    afterLoss(c, 0);
    const now = run(c, 0, 7000, 100);
    expect(c.region).toBe('reno-friendly');
    const alphaRounds = 30 / CUBIC_ALPHA;
    expect(Math.abs(seg(c) - (100 + (now / 100 - alphaRounds)))).toBeLessThan(1.5);
    expect(seg(c)).toBeGreaterThan(wCubic(now / 1000, c.state.k, 100) + 3);
  });

  it('multiplicative decrease: ssthresh = cwnd * beta (as Linux), whatever the flight, at least 2 segments; cwnd is left to recovery (4.6)', () => {
    const c = grownTo(40);
    // A flight below cwnd (a delayed ACK held, ACKs lost) does not deepen the cut.
    c.onCongestion(30 * MSS, 5);
    expect(c.ssthresh).toBe(Math.floor(40 * MSS * CUBIC_BETA));
    expect(c.cwnd).toBe(40 * MSS);
    const t = grownTo(40);
    t.onTimeout(30 * MSS, 5);
    expect(t.ssthresh).toBe(Math.floor(40 * MSS * CUBIC_BETA));
    const d = new Cubic(MSS, 2, { hystart: false });
    d.onCongestion(MSS, 5);
    expect(d.ssthresh).toBe(2 * MSS);
  });

  it('fast convergence lowers W_max to cwnd (1 + beta) / 2 when a loss comes below W_max (4.7)', () => {
    const c = grownTo(100);
    afterLoss(c, 0);
    // Grow to 80 segments (below W_max = 100), then a second loss.
    let t = 0;
    while (c.cwnd < 80 * MSS) t = ackRound(c, t, 100);
    const at = c.cwnd;
    c.onCongestion(at, t);
    expect(c.state.wMax).toBeCloseTo((at * (1 + CUBIC_BETA)) / 2, 9);
    // Without fast convergence W_max is that cwnd.
    const d = grownTo(100, { hystart: false, fastConvergence: false });
    afterLoss(d, 0);
    t = 0;
    while (d.cwnd < 80 * MSS) t = ackRound(d, t, 100);
    const atD = d.cwnd;
    d.onCongestion(atD, t);
    expect(d.state.wMax).toBe(atD);
  });

  it('the Reno-friendly region dominates at a small RTT and window (4.3)', () => {
    const c = new Cubic(MSS, 10, { hystart: false });
    c.onAck(MSS, 0, 1, c.cwnd); // cwnd 11: the first congestion event sets W_max there
    afterLoss(c, 0);
    const epoch = c.cwnd / MSS;
    const prior = c.state.cwndPrior / MSS;
    const rounds = 100;
    let t = 0;
    for (let i = 0; i < rounds; i++) t = ackRound(c, t, 1);
    expect(c.region).toBe('reno-friendly');
    // W_est grows alpha per round until it reaches cwnd_prior, then 1 per round (Reno).
    const alphaRounds = (prior - epoch) / CUBIC_ALPHA;
    const wEst = prior + (rounds - alphaRounds);
    expect(Math.abs(seg(c) - wEst)).toBeLessThan(1.5);
    // Far above what the cubic curve alone gives 0.1 s into the epoch.
    expect(seg(c)).toBeGreaterThan(5 * wCubic(t / 1000, c.state.k, c.state.wMax / MSS));
  });

  it('undo restores cwnd, ssthresh, W_max, K and the epoch saved at the congestion event', () => {
    const c = grownTo(100);
    afterLoss(c, 0);
    const t = run(c, 0, 1500, 100);
    const before = { cwnd: c.cwnd, ssthresh: c.ssthresh, state: c.state };
    c.onCongestion(c.cwnd, t);
    c.cwnd = c.ssthresh;
    c.onRecoveryEnd(t + 100);
    ackRound(c, t + 100, 100);
    expect(c.state).not.toEqual(before.state);
    c.undo(t + 250);
    expect({ cwnd: c.cwnd, ssthresh: c.ssthresh, state: c.state }).toEqual(before);
    // Nothing saved any more: a second undo changes nothing.
    c.onAck(MSS, t + 300, 100, c.cwnd);
    const after = { cwnd: c.cwnd, state: c.state };
    c.undo(t + 301);
    expect({ cwnd: c.cwnd, state: c.state }).toEqual(after);
  });

  it('undo after a spurious timeout restores slow start with HyStart++ as it was', () => {
    const c = new Cubic(MSS, 10);
    for (let i = 1; i <= 5; i++) c.onAck(MSS, i * 10, 40, c.cwnd);
    const before = { cwnd: c.cwnd, ssthresh: c.ssthresh, phase: c.slowStartPhase };
    c.onTimeout(c.cwnd, 100);
    expect(c.slowStartPhase).toBe('done');
    c.undo(110);
    expect({ cwnd: c.cwnd, ssthresh: c.ssthresh, phase: c.slowStartPhase }).toEqual(before);
  });

  it('timeout: cwnd one segment, ssthresh by beta, held on a repeated timeout; K = 0 next epoch (4.8)', () => {
    const c = grownTo(50);
    c.onTimeout(50 * MSS, 0);
    expect(c.cwnd).toBe(MSS);
    expect(c.ssthresh).toBe(35 * MSS);
    // The retransmission is lost too: RFC 5681 (3.1) holds ssthresh.
    c.onTimeout(MSS, 3000);
    expect(c.ssthresh).toBe(35 * MSS);
    // Slow start back to ssthresh, then congestion avoidance from there with K = 0.
    let t = 3100;
    while (c.cwnd < c.ssthresh) c.onAck(MSS, t++, 100, c.cwnd);
    expect(c.cwnd).toBe(35 * MSS);
    expect(c.state.epochStart).toBeUndefined();
    c.onAck(MSS, t, 100, c.cwnd);
    const s = c.state;
    expect(s.k).toBe(0);
    expect(s.wMax).toBe(35 * MSS);
    expect(s.cwndEpoch).toBe(35 * MSS);
    // W_est starts there too and, growing from the first ACK, leads the flat start of the curve.
    expect(c.region).toBe('reno-friendly');
    // Undo of that episode goes back to before the first timeout.
    c.undo(t + 200);
    expect(c.ssthresh).toBe(2 ** 30);
    expect(c.cwnd).toBe(50 * MSS);
  });

  it('slow start grows by min(acked, 8 MSS) and stops at ssthresh', () => {
    const c = new Cubic(MSS, 10, { hystart: false });
    c.onAck(20 * MSS, 0, 50, c.cwnd);
    expect(c.cwnd).toBe(18 * MSS);
    c.onCongestion(20 * MSS, 10);
    // The flight is taken as at most cwnd (18 MSS), so ssthresh = 0.7 * 18 MSS.
    expect(c.ssthresh).toBe(Math.floor(18 * MSS * 0.7));
    c.cwnd = 5 * MSS;
    c.onRecoveryEnd(20);
    // PRR left cwnd below ssthresh: slow start up to it, no further.
    c.onAck(4 * MSS, 30, 50, c.cwnd);
    expect(c.cwnd).toBe(9 * MSS);
    expect(c.region).toBe('slow-start');
    c.onAck(8 * MSS, 31, 50, c.cwnd);
    expect(c.cwnd).toBe(c.ssthresh);
  });

  it('does not grow while application-limited, and the cubic clock stands still meanwhile', () => {
    const ss = new Cubic(MSS, 10, { hystart: false });
    ss.onAck(MSS, 0, 50, 3 * MSS);
    expect(ss.cwnd).toBe(10 * MSS);
    expect(ss.region).toBe('app-limited');

    const a = grownTo(100);
    const b = grownTo(100);
    afterLoss(a, 0);
    afterLoss(b, 0);
    const rtt = 100;
    let ta = run(a, 0, 1000, rtt);
    const tb = run(b, 0, 1000, rtt);
    const cwnd = a.cwnd;
    // a sends only half its window for 10 s: no growth.
    ta = run(a, ta, ta + 10_000, rtt, (c) => c.cwnd / 2);
    expect(a.cwnd).toBe(cwnd);
    expect(a.region).toBe('app-limited');
    // Then both use their windows for 2 s more: a goes on from where it stood, as b.
    run(a, ta, ta + 2000, rtt);
    run(b, tb, tb + 2000, rtt);
    expect(Math.abs(a.cwnd - b.cwnd) / b.cwnd).toBeLessThan(0.01);
    expect(a.state.epochStart).toBeGreaterThan(9000);
  });

  it('leaves slow start through HyStart++ on an RTT rise: ssthresh = cwnd after CSS', () => {
    const c = new Cubic(MSS, 10);
    let t = 0;
    for (const rtt of [40, 40, 50]) t = ackRound(c, t, rtt);
    expect(c.slowStartPhase).toBe('css');
    // CSS grows a quarter as fast: one ACK of a segment adds MSS / 4.
    const w = c.cwnd;
    c.onAck(MSS, t, 50, c.cwnd);
    c.onAck(MSS, t + 1, 50, c.cwnd);
    expect(c.cwnd - w).toBe(MSS / 2);
    for (t += 2; c.ssthresh === 2 ** 30; t += 2) c.onAck(MSS, t, 50, c.cwnd);
    expect(c.ssthresh).toBe(c.cwnd);
    expect(c.slowStartPhase).toBe('done');
    expect(c.state.epochStart).toBeDefined();
  });

  it('idle restart: cwnd back to the initial window, ssthresh keeps 3/4 of the old cwnd', () => {
    const c = grownTo(80);
    c.onIdleRestart(5000);
    expect(c.cwnd).toBe(10 * MSS);
    expect(c.ssthresh).toBe(2 ** 30);
    const d = grownTo(80);
    afterLoss(d, 0);
    // ssthresh 56 segments; congestion avoidance takes cwnd to 80, whose 3/4 is above it.
    let t = 0;
    while (d.cwnd < 80 * MSS) t = ackRound(d, t, 100);
    const cwnd = d.cwnd;
    d.onIdleRestart(t + 5000);
    expect(d.ssthresh).toBe(Math.floor((3 * cwnd) / 4));
    expect(d.cwnd).toBe(10 * MSS);
    expect(d.state.epochStart).toBeUndefined();
  });

  it('setMss: the initial window before any ACK, the same segment count after', () => {
    const c = new Cubic(536, 10);
    c.setMss(1460);
    expect(c.cwnd).toBe(14600);
    const d = grownTo(20);
    d.setMss(500);
    expect(d.cwnd).toBe(20 * 500);
  });
});

describe('CUBIC: a loss event never raises ssthresh above the window it cuts', () => {
  it('takes the flight as at most cwnd (SND.NXT - SND.UNA counts SACKed data in a long recovery)', () => {
    const c = new Cubic(MSS, 10, { hystart: false });
    c.onCongestion(10 * MSS, 0);
    const first = c.ssthresh;
    c.cwnd = first;
    // A second loss while SND.NXT - SND.UNA has grown to 60 segments (SACKed data past holes).
    c.onCongestion(60 * MSS, 10);
    expect(c.ssthresh).toBeLessThanOrEqual(first);
  });
});
