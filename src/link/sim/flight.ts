/**
 * Packets in flight, earliest arrival first; at equal times in the order they were put on the
 * wire, so a run never depends on how a sort breaks ties. A binary min-heap: a bulk transfer
 * keeps hundreds of packets in flight, and each step takes only those due.
 */
export interface InFlight<T> {
  at: number;
  order: number;
  item: T;
}

function before<T>(x: InFlight<T>, y: InFlight<T>): boolean {
  return x.at < y.at || (x.at === y.at && x.order < y.order);
}

export class FlightQueue<T> {
  private readonly heap: InFlight<T>[] = [];
  private order = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const h = this.heap;
    const e = { at, order: this.order++, item };
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  /** The earliest arrival time, or undefined when nothing is in flight. */
  peek(): number | undefined {
    return this.heap.length > 0 ? this.heap[0].at : undefined;
  }

  /** Removes and returns the earliest packet if it is due by `now`. */
  popDue(now: number): T | undefined {
    const h = this.heap;
    if (h.length === 0 || h[0].at > now) return undefined;
    const top = h[0];
    const last = h.pop() as InFlight<T>;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top.item;
  }
}
