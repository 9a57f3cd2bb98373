import { describe, expect, it } from 'vitest';
import { impair } from '../../src/net/impairment.js';
import { SeededRng } from '../../src/util/rng.js';

const packet = (n: number) => new Uint8Array([n & 0xff, n >> 8]);
const id = (p: Uint8Array) => p[0] | (p[1] << 8);

describe('impair: a lossy, slow link in software', () => {
  it('drops about the given share of packets, deterministically per seed', () => {
    const run = (seed: number) => {
      const got: number[] = [];
      const counters = { dropped: 0, passed: 0 };
      const sink = impair(
        (ps) => got.push(...ps.map(id)),
        { loss: 0.05, delayMs: 0 },
        new SeededRng(seed),
        counters,
      );
      for (let i = 0; i < 20_000; i += 4)
        sink([packet(i), packet(i + 1), packet(i + 2), packet(i + 3)]);
      return { got, counters };
    };
    const a = run(7);
    expect(a.counters.dropped + a.counters.passed).toBe(20_000);
    expect(a.counters.dropped / 20_000).toBeGreaterThan(0.04);
    expect(a.counters.dropped / 20_000).toBeLessThan(0.06);
    expect(a.got).toEqual([...a.got].sort((x, y) => x - y));
    expect(run(7).got).toEqual(a.got);
    expect(run(8).got).not.toEqual(a.got);
  });

  it('delays by the given time and keeps the order', async () => {
    const got: Array<[number, number]> = [];
    const sink = impair(
      (ps) => got.push(...ps.map((p) => [id(p), performance.now()] as [number, number])),
      { loss: 0, delayMs: 30 },
      new SeededRng(1),
    );
    const t0 = performance.now();
    sink([packet(1), packet(2)]);
    sink([packet(3)]);
    expect(got).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(got.map(([n]) => n)).toEqual([1, 2, 3]);
    expect(got[0][1] - t0).toBeGreaterThanOrEqual(29);
  });

  it('is the identity without loss or delay, and rejects nonsense', () => {
    const sink = () => {};
    expect(impair(sink, { loss: 0, delayMs: 0 }, new SeededRng(1))).toBe(sink);
    expect(() => impair(sink, { loss: 1, delayMs: 0 }, new SeededRng(1))).toThrow(RangeError);
    expect(() => impair(sink, { loss: 0, delayMs: -1 }, new SeededRng(1))).toThrow(RangeError);
  });
});
