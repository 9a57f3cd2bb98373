/**
 * Pairs each event line of the normal format (addresses, IPv6 included) with its twin from a
 * second instance printing the `fields` format (which has skaddr). Both instances have one
 * probe each on the same tracepoint, called one after the other for every event, so on each
 * CPU both buffers hold the same events in the same order, with timestamps microseconds apart.
 * A twin is accepted only if CPU, ports, family, states and time agree; a twin whose partner
 * was lost (a buffer overrun) is dropped; a line whose twin does not come in time goes out
 * without skaddr. Output keeps the normal lines' order.
 */
import type { KernelFieldsLine, KernelTransition } from './trace-line.js';

/** Twins are stamped by two reads of one clock a few probe calls apart. */
const SAME_EVENT_SECONDS = 0.005;

interface Pending {
  transition: KernelTransition;
  arrived: number;
}

function isTwin(t: KernelTransition, f: KernelFieldsLine): boolean {
  return (
    f.sport === t.sport &&
    f.dport === t.dport &&
    f.oldstate === t.oldstate &&
    f.newstate === t.newstate &&
    f.family === (t.family === 4 ? 2 : 10) &&
    Math.abs(f.timestamp - t.timestamp) <= SAME_EVENT_SECONDS
  );
}

export class TracePairer {
  private readonly pending: Pending[] = [];
  private readonly twins = new Map<number, KernelFieldsLine[]>();

  constructor(
    private readonly emit: (transition: KernelTransition, skaddr: string | undefined) => void,
    /** How long a line waits for its twin (ms). */
    private readonly waitMs: number,
  ) {}

  addTransition(transition: KernelTransition, now: number): void {
    this.pending.push({ transition, arrived: now });
    this.drain(now);
  }

  addFields(line: KernelFieldsLine, now: number): void {
    const queue = this.twins.get(line.cpu);
    if (queue) queue.push(line);
    else this.twins.set(line.cpu, [line]);
    this.drain(now);
  }

  /** True while lines wait for their twins (the caller then calls drain again later). */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /** Emits what can be emitted; with `force`, everything, twin or not. */
  drain(now: number, force = false): void {
    while (this.pending.length > 0) {
      const head = this.pending[0];
      const queue = this.twins.get(head.transition.cpu) ?? [];
      // Twins older than this line lost their partner: drop them.
      while (
        queue.length > 0 &&
        !isTwin(head.transition, queue[0]) &&
        queue[0].timestamp < head.transition.timestamp
      ) {
        queue.shift();
      }
      if (queue.length > 0 && isTwin(head.transition, queue[0])) {
        const twin = queue.shift() as KernelFieldsLine;
        this.pending.shift();
        this.emit(head.transition, twin.skaddr);
        continue;
      }
      // Either no twin yet, or the next one on this CPU is newer: this line's twin was lost.
      const twinLost = queue.length > 0;
      if (!twinLost && !force && now - head.arrived < this.waitMs) return;
      this.pending.shift();
      this.emit(head.transition, undefined);
    }
  }
}
