import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  seqAdd,
  seqDiff,
  seqGe,
  seqGt,
  seqInWindow,
  seqLe,
  seqLt,
  seqMax,
  seqMin,
} from '../../src/wire/seq.js';

const MAX = 0xffff_ffff;

describe('sequence arithmetic modulo 2^32', () => {
  it('adds across the wrap', () => {
    expect(seqAdd(MAX, 1)).toBe(0);
    expect(seqAdd(MAX - 9, 20)).toBe(10);
    expect(seqAdd(5, -10)).toBe(MAX - 4);
  });

  it('compares across the wrap', () => {
    expect(seqLt(MAX - 5, 3)).toBe(true);
    expect(seqGt(3, MAX - 5)).toBe(true);
    expect(seqLe(MAX, MAX)).toBe(true);
    expect(seqGe(0, MAX)).toBe(true);
    expect(seqLt(0, MAX)).toBe(false);
    expect(seqDiff(2, MAX)).toBe(3);
    expect(seqMax(MAX, 1)).toBe(1);
    expect(seqMin(MAX, 1)).toBe(MAX);
  });

  it('tests windows that straddle the wrap', () => {
    const start = MAX - 99; // window [2^32-100, 2^32+100)
    expect(seqInWindow(MAX, start, 200)).toBe(true);
    expect(seqInWindow(0, start, 200)).toBe(true);
    expect(seqInWindow(99, start, 200)).toBe(true);
    expect(seqInWindow(100, start, 200)).toBe(false);
    expect(seqInWindow(start - 1, start, 200)).toBe(false);
    expect(seqInWindow(start, start, 0)).toBe(false);
  });

  it('orders a + n after a for every a and 0 < n < 2^31', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (a, n) => {
          const b = seqAdd(a, n);
          return seqLt(a, b) && seqGt(b, a) && seqDiff(b, a) === n && seqInWindow(b, a, n + 1);
        },
      ),
    );
  });
});
