/**
 * A lossy, slow link in software, for kernels without netem (sch_netem): wraps where packets go
 * next, dropping each with probability `loss` and delaying the rest by `delayMs`, in order.
 * `tcpstate tun --loss/--delay` put one on each direction of the device.
 */
import type { Rng } from '../util/rng.js';
import type { PacketSink } from './driver.js';

export interface Impairment {
  /** Probability in [0, 1) that a packet is dropped. */
  loss: number;
  /** One-way delay in milliseconds. */
  delayMs: number;
}

export interface ImpairmentCounters {
  dropped: number;
  passed: number;
}

export function impair(
  next: PacketSink,
  how: Impairment,
  rng: Rng,
  counters: ImpairmentCounters = { dropped: 0, passed: 0 },
): PacketSink {
  if (!(how.loss >= 0 && how.loss < 1)) throw new RangeError(`loss must be in [0, 1): ${how.loss}`);
  if (!(how.delayMs >= 0)) throw new RangeError(`delay must be >= 0 ms: ${how.delayMs}`);
  if (how.loss === 0 && how.delayMs === 0) return next;
  return (packets) => {
    const kept = how.loss > 0 ? packets.filter(() => rng.next() >= how.loss) : packets;
    counters.dropped += packets.length - kept.length;
    counters.passed += kept.length;
    if (kept.length === 0) return;
    // Timers of equal delay fire in the order they were set, so the link stays FIFO.
    if (how.delayMs > 0) setTimeout(() => next(kept), how.delayMs);
    else next(kept);
  };
}
