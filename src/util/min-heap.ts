/**
 * A binary min-heap ordered by a `before` relation given by its user: the stack's deadlines
 * (stack/deadlines.ts) and the simulator's packets in flight (link/sim/flight.ts). A strict
 * order makes its output deterministic: where `before` breaks ties (an insertion counter), the
 * heap never decides them.
 */
export class MinHeap<E> {
  private readonly h: E[] = [];

  constructor(private readonly before: (a: E, b: E) => boolean) {}

  get size(): number {
    return this.h.length;
  }

  /** The first element, left in place. */
  peek(): E | undefined {
    return this.h[0];
  }

  push(e: E): void {
    const h = this.h;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as E;
      if (!this.before(e, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }

  /** Removes and returns the first element. */
  pop(): E | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && this.before(h[r] as E, h[l] as E) ? r : l;
        const child = h[c] as E;
        if (!this.before(child, last)) break;
        h[i] = child;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
