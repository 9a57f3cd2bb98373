/**
 * Runs a sans-IO Stack on the real clock. The stack is told nothing but packets, deadlines and
 * user calls; this driver supplies them:
 * - `receive(batch)`: every packet of a link's read batch goes to `handlePacket`, then one flush;
 * - `schedule()`: a user call changed something (a write, a close): flush once at the end of the
 *   current tick, so many writes in one tick leave as one batch;
 * - one timer, armed for `pollTimeout()`, calls `handleTimeout`.
 * A flush drains `pollTransmit` into one batch for the link and `pollEvent` to listeners (the
 * NetStack, whose sockets react to their connection's events), again while the listeners' calls
 * made more of either, then runs hooks, then re-arms the timer.
 */
import { performance } from 'node:perf_hooks';
import { fireDueTimers } from '../link/sim/schedule.js';
import type { Stack, StackEvent } from '../stack/stack.js';

export type PacketSink = (packets: Uint8Array[]) => void;

export interface DriverOptions {
  /** Sends a batch of IP packets out on the link. */
  transmit: PacketSink;
  /** Milliseconds, never decreasing (default: performance.now()). */
  clock?: () => number;
}

/** Rounds of flush per call before yielding, so a hook that always finds work cannot spin. */
const MAX_FLUSH_ROUNDS = 64;

export class StackDriver {
  readonly clock: () => number;
  private readonly transmit: PacketSink;
  private readonly eventListeners = new Set<(event: StackEvent, now: number) => void>();
  private readonly hooks = new Set<() => void>();
  private scheduled = false;
  private flushing = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDeadline: number | undefined;
  private stopped = false;
  /** Packets handed to the link, for benchmarks and the CLI's summary. */
  packetsOut = 0;
  packetsIn = 0;

  constructor(
    readonly stack: Stack,
    opts: DriverOptions,
  ) {
    this.transmit = opts.transmit;
    this.clock = opts.clock ?? (() => performance.now());
  }

  now(): number {
    return this.clock();
  }

  /**
   * Feeds a batch of packets from the link, then flushes once. `verified`: the link vouches for
   * their checksums (Stack.handlePacket), for the whole batch or packet by packet.
   */
  receive(packets: Uint8Array[], verified: boolean | readonly boolean[] = false): void {
    if (this.stopped) return;
    const now = this.clock();
    for (let i = 0; i < packets.length; i++) {
      const ok = typeof verified === 'boolean' ? verified : verified[i] === true;
      this.stack.handlePacket(now, packets[i], ok);
    }
    this.packetsIn += packets.length;
    this.flush();
  }

  /** Asks for a flush at the end of this tick (coalesces). */
  schedule(): void {
    if (this.stopped) return;
    if (this.flushing) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  onEvent(listener: (event: StackEvent, now: number) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** A hook runs after each round of events; it calls schedule() when it changed the stack. */
  addHook(hook: () => void): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  flush(): void {
    if (this.stopped || this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      let rounds = 0;
      do {
        this.again = false;
        const now = this.clock();
        const out: Uint8Array[] = [];
        // Listeners call the stack (reads, writes, accepts): what that makes joins this batch.
        for (let quiet = false, n = 0; !quiet && n < MAX_FLUSH_ROUNDS; n++) {
          quiet = true;
          for (let p = this.stack.pollTransmit(now); p; p = this.stack.pollTransmit(now)) {
            out.push(p);
            quiet = false;
          }
          for (let e = this.stack.pollEvent(); e; e = this.stack.pollEvent()) {
            for (const listener of this.eventListeners) listener(e, now);
            quiet = false;
          }
        }
        for (const hook of this.hooks) hook();
        // Hooks may have queued segments (window updates, data): they join this batch.
        for (let p = this.stack.pollTransmit(now); p; p = this.stack.pollTransmit(now)) out.push(p);
        if (out.length > 0) {
          this.packetsOut += out.length;
          this.transmit(out);
        }
      } while (this.again && ++rounds < MAX_FLUSH_ROUNDS);
    } finally {
      this.flushing = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule();
    }
    this.armTimer();
  }

  private armTimer(): void {
    const deadline = this.stack.pollTimeout();
    if (deadline === this.timerDeadline && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDeadline = deadline;
    if (deadline === undefined || this.stopped) return;
    const delay = Math.max(0, Math.ceil(deadline - this.clock()));
    this.timer = setTimeout(() => this.onTimer(), delay);
    // The timer alone (TIME_WAIT, keepalive) never keeps the process alive; sockets and servers
    // hold their own reference while the application has them open.
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerDeadline = undefined;
    if (this.stopped) return;
    fireDueTimers(this.stack, this.clock());
    this.flush();
  }

  /** Stops driving: no more timers, input or output. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
