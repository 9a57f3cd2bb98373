/**
 * The simulator's flight queue: a FIFO for in-order arrivals beside a heap for the rest must
 * give exactly the order of one heap (earliest first, ties in sending order).
 */
import { describe, expect, it } from 'vitest';
import { FlightQueue } from '../../src/link/sim/flight.js';
import { SeededRng } from '../../src/util/rng.js';

describe('FlightQueue', () => {
  it('pops in (arrival time, sending order) over 20,000 seeded pushes and pops, in order and out of it', () => {
    const q = new FlightQueue<number>();
    const rng = new SeededRng(3);
    const ref: Array<{ at: number; id: number }> = [];
    let now = 0;
    let id = 0;
    const got: number[] = [];
    const want: number[] = [];
    for (let op = 0; op < 20_000; op++) {
      const r = rng.nextU32() % 10;
      if (r < 6) {
        // mostly a fixed latency (in order), sometimes jitter (earlier or later), some ties
        const at = now + (r < 4 ? 5 : rng.nextU32() % 10);
        q.push(at, id);
        ref.push({ at, id });
        id++;
      } else {
        now += rng.nextU32() % 3;
        ref.sort((x, y) => x.at - y.at || x.id - y.id);
        while (ref.length > 0 && ref[0].at <= now) want.push((ref.shift() as { id: number }).id);
        for (let v = q.popDue(now); v !== undefined; v = q.popDue(now)) got.push(v);
        expect(q.size).toBe(ref.length);
        expect(q.peek()).toBe(ref[0]?.at);
      }
    }
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(10_000);
  });
});
