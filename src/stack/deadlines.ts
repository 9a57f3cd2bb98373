/**
 * A min-heap of deadlines with lazy deletion: each owner keeps its current deadline, and heap
 * entries that no longer match it are discarded when they reach the top. Finding the next
 * deadline among 100,000 connections costs O(log n), not a scan.
 */
export interface DeadlineOwner {
  deadline: number | undefined;
}

interface Entry<T> {
  at: number;
  owner: T;
}

export class DeadlineHeap<T extends DeadlineOwner> {
  private readonly heap: Entry<T>[] = [];

  /** Records that `owner`'s deadline is now `at` (undefined: no deadline). */
  set(owner: T, at: number | undefined): void {
    if (owner.deadline === at) return;
    owner.deadline = at;
    if (at !== undefined) this.push({ at, owner });
  }

  /** The earliest live deadline. */
  peek(): number | undefined {
    this.discardStale();
    return this.heap.length > 0 ? this.heap[0].at : undefined;
  }

  /** Removes and returns every owner whose deadline is <= now (each once). */
  popDue(now: number): T[] {
    const due: T[] = [];
    for (;;) {
      this.discardStale();
      if (this.heap.length === 0 || this.heap[0].at > now) return due;
      const { owner } = this.pop();
      owner.deadline = undefined;
      due.push(owner);
    }
  }

  private discardStale(): void {
    while (this.heap.length > 0 && this.heap[0].owner.deadline !== this.heap[0].at) this.pop();
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= e.at) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  private pop(): Entry<T> {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Entry<T>;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r].at < h[l].at ? r : l;
        if (h[c].at >= last.at) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
