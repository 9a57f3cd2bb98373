/**
 * The retransmission queue's transmit order (sent-segments.ts), which RACK walks oldest first
 * and stops at the first record sent after RACK.xmit_ts, and firstLost's cursor: both must give
 * what a full walk of the queue would, after retransmissions, splits, SACKs, loss marks, an undo
 * and a renege.
 */
import { describe, expect, it } from 'vitest';
import { type SentSegment, SentSegments } from '../../src/tcp/sent-segments.js';

const MSS = 100;

function queue(n: number): SentSegments {
  const q = new SentSegments();
  for (let i = 0; i < n; i++) q.push(i * MSS, (i + 1) * MSS, i);
  return q;
}

/** Starts of the records in transmit order. */
function order(q: SentSegments): number[] {
  const out: number[] = [];
  for (let s = q.oldestSent(); s !== undefined; s = s.tNext) out.push(s.start);
  return out;
}

/** What a full walk finds: records neither SACKed nor waiting for a retransmission, by time. */
function expected(q: SentSegments): number[] {
  const live: SentSegment[] = [];
  q.forEach((s) => {
    if (!s.sacked && !(s.lost && !s.rtxInFlight)) live.push(s);
  });
  live.sort((a, b) => a.xmitTime - b.xmitTime || a.xmitOrder - b.xmitOrder);
  return live.map((s) => s.start);
}

function firstLostByWalk(q: SentSegments): number | undefined {
  let found: number | undefined;
  q.forEach((s) => {
    if (found === undefined && s.lost && !s.rtxInFlight) found = s.start;
  });
  return found;
}

describe('the retransmission queue in transmit order', () => {
  it('a retransmission moves its record to the end; a SACK or a loss mark takes it out', () => {
    const q = queue(6);
    expect(order(q)).toEqual([0, 100, 200, 300, 400, 500]);
    q.markLost(q.at(1) as SentSegment);
    expect(order(q)).toEqual([0, 200, 300, 400, 500]);
    q.retransmitted(q.at(1) as SentSegment, 10);
    expect(order(q)).toEqual([0, 200, 300, 400, 500, 100]);
    q.sack(300, 500, () => {});
    expect(order(q)).toEqual([0, 200, 500, 100]);
    q.ackTo(200, () => {});
    expect(order(q)).toEqual([200, 500]);
    expect(order(q)).toEqual(expected(q));
  });

  it('a split keeps both halves next to each other; undo and renege restore the full order', () => {
    const q = queue(4);
    q.markLost(q.at(0) as SentSegment);
    q.markLost(q.at(2) as SentSegment);
    q.retransmitted(q.at(2) as SentSegment, 5);
    q.splitAt(250);
    expect(order(q)).toEqual([100, 300, 200, 250]);
    q.sack(300, 400, () => {});
    expect(order(q)).toEqual(expected(q));
    q.unmarkLost();
    expect(order(q)).toEqual(expected(q));
    expect(order(q)).toEqual([0, 100, 200, 250]);
    q.clearSacks();
    expect(order(q)).toEqual([0, 100, 300, 200, 250]);
    expect(order(q)).toEqual(expected(q));
  });

  it('firstLost finds what a walk from SND.UNA finds, through marks below its cursor', () => {
    const q = queue(50);
    // A seeded sequence of marks, retransmissions, SACKs and ACKs.
    let x = 7;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x;
    };
    for (let step = 0; step < 2000; step++) {
      const n = q.size;
      if (n === 0) break;
      const pick = q.at(next() % n) as SentSegment;
      switch (next() % 6) {
        case 0:
        case 1:
          q.markLost(pick);
          break;
        case 2: {
          const lost = q.firstLost();
          if (lost !== undefined) q.retransmitted(lost, 100 + step);
          break;
        }
        case 3:
          q.sack(pick.start, pick.end, () => {});
          break;
        case 4:
          if (step % 50 === 0) q.ackTo((q.first() as SentSegment).end, () => {});
          break;
        default:
          q.splitAt(pick.start + 50);
      }
      expect(q.firstLost()?.start).toBe(firstLostByWalk(q));
      expect(order(q)).toEqual(expected(q));
    }
  });
});
