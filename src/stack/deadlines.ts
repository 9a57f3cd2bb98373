/**
 * A min-heap of deadlines with lazy deletion: each owner keeps its current deadline, and heap
 * entries that no longer match it are discarded when they reach the top. Finding the next
 * deadline among 100,000 connections costs O(log n), not a scan.
 */
import { MinHeap } from '../util/min-heap.js';

export interface DeadlineOwner {
  deadline: number | undefined;
}

interface Entry<T> {
  at: number;
  owner: T;
}

export class DeadlineHeap<T extends DeadlineOwner> {
  private readonly heap = new MinHeap<Entry<T>>((a, b) => a.at < b.at);

  /** Records that `owner`'s deadline is now `at` (undefined: no deadline). */
  set(owner: T, at: number | undefined): void {
    if (owner.deadline === at) return;
    owner.deadline = at;
    if (at !== undefined) this.heap.push({ at, owner });
  }

  /** The earliest live deadline. */
  peek(): number | undefined {
    return this.live()?.at;
  }

  /** Removes and returns every owner whose deadline is <= now (each once). */
  popDue(now: number): T[] {
    const due: T[] = [];
    for (let top = this.live(); top !== undefined && top.at <= now; top = this.live()) {
      this.heap.pop();
      top.owner.deadline = undefined;
      due.push(top.owner);
    }
    return due;
  }

  /** The first entry that still matches its owner's deadline; stale ones are dropped. */
  private live(): Entry<T> | undefined {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (top.owner.deadline === top.at) return top;
      this.heap.pop();
    }
    return undefined;
  }
}
