import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Range, RangeSet } from '../../src/util/range-set.js';

const SIZE = 120;

/** The naive model: one flag per offset in [0, SIZE). */
class Model {
  readonly has = new Array<boolean>(SIZE).fill(false);

  add(s: number, e: number): void {
    for (let i = s; i < e; i++) this.has[i] = true;
  }

  removeBelow(x: number): void {
    for (let i = 0; i < Math.min(x, SIZE); i++) this.has[i] = false;
  }

  removeFrom(x: number): void {
    for (let i = Math.max(0, x); i < SIZE; i++) this.has[i] = false;
  }

  /** Maximal runs of set offsets. */
  ranges(): Range[] {
    const out: Range[] = [];
    for (let i = 0; i < SIZE; i++) {
      if (!this.has[i]) continue;
      let j = i;
      while (j < SIZE && this.has[j]) j++;
      out.push({ start: i, end: j });
      i = j;
    }
    return out;
  }

  gaps(s: number, e: number): Range[] {
    const out: Range[] = [];
    for (let i = s; i < e; i++) {
      if (this.has[i]) continue;
      let j = i;
      while (j < e && !this.has[j]) j++;
      out.push({ start: i, end: j });
      i = j;
    }
    return out;
  }
}

type Op =
  | { kind: 'add'; s: number; e: number }
  | { kind: 'removeBelow'; x: number }
  | { kind: 'removeFrom'; x: number };

const offset = fc.integer({ min: 0, max: SIZE });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(offset, fc.integer({ min: 0, max: 12 }))
      .map(([s, len]) => ({ kind: 'add' as const, s, e: Math.min(SIZE, s + len) })),
  },
  { weight: 1, arbitrary: offset.map((x) => ({ kind: 'removeBelow' as const, x })) },
  { weight: 1, arbitrary: offset.map((x) => ({ kind: 'removeFrom' as const, x })) },
);

describe('RangeSet', () => {
  it('merges overlapping and touching ranges', () => {
    const r = new RangeSet();
    expect(r.add(10, 20)).toEqual({ start: 10, end: 20 });
    expect(r.add(30, 40)).toEqual({ start: 30, end: 40 });
    expect(r.add(5, 5)).toBeUndefined();
    expect(r.count).toBe(2);
    expect(r.add(20, 25)).toEqual({ start: 10, end: 25 });
    expect(r.add(24, 31)).toEqual({ start: 10, end: 40 });
    expect([...r]).toEqual([{ start: 10, end: 40 }]);
    expect(r.covered).toBe(30);
  });

  it('finds the range containing or following an offset', () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(30, 40);
    expect(r.find(0)).toEqual({ start: 10, end: 20 });
    expect(r.find(19)).toEqual({ start: 10, end: 20 });
    expect(r.find(20)).toEqual({ start: 30, end: 40 });
    expect(r.find(40)).toBeUndefined();
    expect(r.containing(25)).toBeUndefined();
    expect(r.gaps(0, 50)).toEqual([
      { start: 0, end: 10 },
      { start: 20, end: 30 },
      { start: 40, end: 50 },
    ]);
  });

  it('removes below and from an offset, trimming the range across it', () => {
    const r = new RangeSet();
    r.add(10, 20);
    r.add(30, 40);
    r.add(50, 60);
    r.removeBelow(15);
    expect(r.first()).toEqual({ start: 15, end: 20 });
    r.removeFrom(55);
    expect(r.last()).toEqual({ start: 50, end: 55 });
    expect(r.covered).toBe(20);
    r.removeBelow(45);
    expect([...r]).toEqual([{ start: 50, end: 55 }]);
    r.clear();
    expect(r.count).toBe(0);
    expect(r.first()).toBeUndefined();
  });

  it('stays balanced: 100,000 ranges added in ascending and descending order', () => {
    // An unbalanced tree would recurse 100,000 deep here and overflow the stack.
    const up = new RangeSet();
    for (let i = 0; i < 100_000; i++) up.add(2 * i, 2 * i + 1);
    expect(up.count).toBe(100_000);
    expect(up.find(100_001)).toEqual({ start: 100_002, end: 100_003 });
    const down = new RangeSet();
    for (let i = 100_000; i > 0; i--) down.add(2 * i, 2 * i + 1);
    down.removeBelow(100_000);
    expect(down.count).toBe(50_001);
  });

  it('agrees with a naive model on any sequence of operations (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), offset, offset, (ops, a, b) => {
        const r = new RangeSet();
        const m = new Model();
        for (const o of ops) {
          if (o.kind === 'add') {
            const merged = r.add(o.s, o.e);
            m.add(o.s, o.e);
            if (o.s < o.e) {
              // The returned range is the model's run holding the new one.
              expect(m.ranges().find((x) => x.start <= o.s && o.e <= x.end)).toEqual(merged);
            }
          } else if (o.kind === 'removeBelow') {
            r.removeBelow(o.x);
            m.removeBelow(o.x);
          } else {
            r.removeFrom(o.x);
            m.removeFrom(o.x);
          }
        }
        const runs = m.ranges();
        expect([...r]).toEqual(runs);
        expect(r.count).toBe(runs.length);
        expect(r.covered).toBe(m.has.filter(Boolean).length);
        expect(r.first()).toEqual(runs[0]);
        expect(r.last()).toEqual(runs.at(-1));
        expect(r.containing(a)).toEqual(runs.find((x) => x.start <= a && a < x.end));
        expect(r.find(a)).toEqual(runs.find((x) => a < x.end));
        const [s, e] = a <= b ? [a, b] : [b, a];
        expect(r.gaps(s, e)).toEqual(m.gaps(s, e));
        expect(r.touches(s, e)).toBe(runs.some((x) => x.start <= e && s <= x.end));
      }),
      { numRuns: 500 },
    );
  });
});
