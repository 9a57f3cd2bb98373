/**
 * Packets in flight, earliest arrival first; at equal times in the order they were put on the
 * wire, so a run never depends on how a sort breaks ties. A link without jitter delivers in the
 * order it was sent, so entries that arrive no earlier than the last one queued go to a FIFO (one
 * array push, one index step to take); only the others (jitter, reordering, a shorter path) go
 * to a binary min-heap. Taking the earlier of the two heads gives the same order as one heap.
 */
import { MinHeap } from '../../util/min-heap.js';

export interface InFlight<T> {
  at: number;
  order: number;
  item: T;
}

function before<T>(x: InFlight<T>, y: InFlight<T>): boolean {
  return x.at < y.at || (x.at === y.at && x.order < y.order);
}

export class FlightQueue<T> {
  private readonly heap = new MinHeap<InFlight<T>>(before);
  /** Entries in arrival order, from `head` on. */
  private fifo: InFlight<T>[] = [];
  private head = 0;
  private order = 0;

  get size(): number {
    return this.heap.size + this.fifo.length - this.head;
  }

  push(at: number, item: T): void {
    const e = { at, order: this.order++, item };
    const n = this.fifo.length;
    if (n === this.head || (this.fifo[n - 1] as InFlight<T>).at <= at) this.fifo.push(e);
    else this.heap.push(e);
  }

  /** The earliest arrival time, or undefined when nothing is in flight. */
  peek(): number | undefined {
    return this.first()?.at;
  }

  /** Removes and returns the earliest packet if it is due by `now`. */
  popDue(now: number): T | undefined {
    const top = this.first();
    if (top === undefined || top.at > now) return undefined;
    if (top === this.fifo[this.head]) {
      this.fifo[this.head++] = EMPTY as InFlight<T>;
      if (this.head === this.fifo.length) {
        this.fifo.length = 0;
        this.head = 0;
      } else if (this.head >= 4096 && this.head * 2 >= this.fifo.length) {
        this.fifo = this.fifo.slice(this.head);
        this.head = 0;
      }
    } else this.heap.pop();
    return top.item;
  }

  private first(): InFlight<T> | undefined {
    const f = this.head < this.fifo.length ? this.fifo[this.head] : undefined;
    const h = this.heap.peek();
    if (f === undefined) return h;
    return h !== undefined && before(h, f) ? h : f;
  }
}

/** What a taken FIFO slot holds, so that it keeps no packet alive. */
const EMPTY: InFlight<undefined> = { at: 0, order: 0, item: undefined };
