import { describe, expect, it } from 'vitest';
import { HYSTART, HyStartPlusPlus, type HyStartStep } from '../../src/tcp/hystart.js';

const MSS = 1000;

/**
 * One round of `acks` ACKs of one segment each, spread over `rtt` ms from `t0`, each with `rtt`
 * as its sample. Returns the steps and the time the next round begins.
 */
function round(h: HyStartPlusPlus, t0: number, rtt: number, acks = 10) {
  const steps: HyStartStep[] = [];
  for (let i = 0; i < acks; i++) steps.push(h.onAck(t0 + (i * rtt) / acks, MSS, rtt, MSS));
  return { steps, next: t0 + rtt };
}

/** Rounds at the given RTTs, one after another from time 0. */
function rounds(h: HyStartPlusPlus, rtts: number[]) {
  let t = 0;
  const all: HyStartStep[][] = [];
  for (const rtt of rtts) {
    const r = round(h, t, rtt);
    all.push(r.steps);
    t = r.next;
  }
  return { all, next: t };
}

describe('HyStart++ (RFC 9406)', () => {
  it('RttThresh is the last minimum / 8, clamped to 4..16 ms (4.3)', () => {
    expect(HyStartPlusPlus.rttThresh(20)).toBe(4);
    expect(HyStartPlusPlus.rttThresh(80)).toBe(80 / HYSTART.minRttDivisor);
    expect(HyStartPlusPlus.rttThresh(400)).toBe(16);
  });

  it('stays in slow start while the RTT is steady, growing min(N, L*SMSS) per ACK', () => {
    const h = new HyStartPlusPlus();
    const { all } = rounds(h, [40, 40, 40, 40, 40, 40]);
    expect(h.phase).toBe('slow-start');
    for (const step of all.flat()) expect(step).toEqual({ increase: MSS, exit: false });
    // An ACK of 20 segments counts as L = 8 (non-paced sender).
    expect(h.onAck(300, 20 * MSS, 40, MSS).increase).toBe(HYSTART.l * MSS);
  });

  it('an RTT rise of RttThresh over the last round enters CSS at the 8th sample', () => {
    const h = new HyStartPlusPlus();
    const { next } = rounds(h, [40, 40]);
    // Threshold for 40 ms: max(4, min(40 / 8, 16)) = 5 ms; 45 ms is enough.
    const steps: HyStartStep[] = [];
    for (let i = 0; i < 10; i++) {
      steps.push(h.onAck(next + i * 4, MSS, 45, MSS));
      expect(h.phase).toBe(i + 1 < HYSTART.nRttSample ? 'slow-start' : 'css');
    }
    // In CSS the growth is divided by CSS_GROWTH_DIVISOR.
    expect(steps.at(-1)).toEqual({ increase: MSS / HYSTART.cssGrowthDivisor, exit: false });
  });

  it('a rise below RttThresh does not leave slow start', () => {
    const h = new HyStartPlusPlus();
    rounds(h, [40, 40, 44, 44, 44, 48.9]);
    expect(h.phase).toBe('slow-start');
  });

  it('a round with fewer than N_RTT_SAMPLE samples is not compared', () => {
    const h = new HyStartPlusPlus();
    const { next } = rounds(h, [40, 40]);
    const t = next;
    for (let i = 0; i < 7; i++) h.onAck(t + i * 5, MSS, 60, MSS);
    // ACKs without a sample (Karn's rule) do not count.
    h.onAck(t + 36, MSS, undefined, MSS);
    expect(h.phase).toBe('slow-start');
    h.onAck(t + 37, MSS, 60, MSS);
    expect(h.phase).toBe('css');
  });

  it('returns to slow start from CSS when the RTT drops below the CSS baseline', () => {
    const h = new HyStartPlusPlus();
    const { next } = rounds(h, [40, 40, 46]);
    expect(h.phase).toBe('css');
    // The next round still at 46 ms: the baseline is 46, no lower minimum: CSS stays.
    const r = round(h, next, 46);
    expect(h.phase).toBe('css');
    // Then the queue drains: 8 samples below the baseline resume slow start.
    let t = r.next;
    for (let i = 0; i < HYSTART.nRttSample; i++) {
      expect(h.phase).toBe('css');
      h.onAck(t, MSS, 41, MSS);
      t += 4;
    }
    expect(h.phase).toBe('slow-start');
    expect(h.onAck(t, MSS, 41, MSS).increase).toBe(MSS);
  });

  it('leaves slow start for good after CSS_ROUNDS rounds of CSS (the partial one counts)', () => {
    const h = new HyStartPlusPlus();
    // CSS begins in the third round; it and four more end in CSS, the fifth end exits.
    const { all, next } = rounds(h, [40, 40, 46, 46, 46, 46, 46]);
    expect(all.flat().some((s) => s.exit)).toBe(false);
    expect(h.phase).toBe('css');
    const exit = h.onAck(next, MSS, 46, MSS);
    expect(exit.exit).toBe(true);
    expect(h.phase).toBe('done');
    // Afterwards it only reports standard growth, for a controller that asks anyway.
    expect(h.onAck(next + 50, MSS, 46, MSS)).toEqual({ increase: MSS, exit: false });
  });

  it('a round ends one RTT (the latest sample) after it began', () => {
    const h = new HyStartPlusPlus();
    // Round 1 at 40 ms; round 2's first ACK at 39 ms still belongs to round 1, so its minimum
    // (30 ms) lowers round 1's, and round 2 compared against 30 ms sees the rise to 40 + 5.
    rounds(h, [40]);
    h.onAck(39, MSS, 30, MSS);
    for (let i = 0; i < 8; i++) h.onAck(40 + i, MSS, 36, MSS);
    // 36 >= 30 + max(4, 30 / 8): CSS. Had 39 ms opened a new round, 30 would be its own minimum.
    expect(h.phase).toBe('css');
  });

  it('disable() ends HyStart++ (a loss or a timeout) and clone() keeps a copy', () => {
    const h = new HyStartPlusPlus();
    rounds(h, [40, 40, 46]);
    const copy = h.clone();
    h.disable();
    expect(h.phase).toBe('done');
    expect(copy.phase).toBe('css');
  });
});
