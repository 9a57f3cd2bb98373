import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/util/min-heap.js';

describe('MinHeap', () => {
  it('pops in the order of `before`, ties in insertion order where `before` says so', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (keys) => {
        const heap = new MinHeap<{ at: number; order: number }>(
          (a, b) => a.at < b.at || (a.at === b.at && a.order < b.order),
        );
        for (const [order, at] of keys.entries()) heap.push({ at, order });
        expect(heap.size).toBe(keys.length);
        const out: Array<{ at: number; order: number }> = [];
        for (let e = heap.pop(); e !== undefined; e = heap.pop()) out.push(e);
        const sorted = keys
          .map((at, order) => ({ at, order }))
          .sort((a, b) => a.at - b.at || a.order - b.order);
        expect(out).toEqual(sorted);
        expect(heap.peek()).toBeUndefined();
      }),
    );
  });

  it('peek shows the first without taking it', () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    for (const n of [5, 3, 9]) heap.push(n);
    expect(heap.peek()).toBe(3);
    expect(heap.size).toBe(3);
  });
});
