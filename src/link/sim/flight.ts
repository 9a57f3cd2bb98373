/**
 * Packets in flight, earliest arrival first; at equal times in the order they were put on the
 * wire, so a run never depends on how a sort breaks ties. A binary min-heap: a bulk transfer
 * keeps hundreds of packets in flight, and each step takes only those due.
 */
import { MinHeap } from '../../util/min-heap.js';

export interface InFlight<T> {
  at: number;
  order: number;
  item: T;
}

export class FlightQueue<T> {
  private readonly heap = new MinHeap<InFlight<T>>(
    (x, y) => x.at < y.at || (x.at === y.at && x.order < y.order),
  );
  private order = 0;

  get size(): number {
    return this.heap.size;
  }

  push(at: number, item: T): void {
    this.heap.push({ at, order: this.order++, item });
  }

  /** The earliest arrival time, or undefined when nothing is in flight. */
  peek(): number | undefined {
    return this.heap.peek()?.at;
  }

  /** Removes and returns the earliest packet if it is due by `now`. */
  popDue(now: number): T | undefined {
    const top = this.heap.peek();
    if (top === undefined || top.at > now) return undefined;
    this.heap.pop();
    return top.item;
  }
}
