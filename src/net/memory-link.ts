/**
 * Two stacks joined in memory on the real clock: what one transmits, the other receives on a
 * later turn of the event loop (never re-entrantly), optionally after a delay. For tests and
 * demos of net/ without root; faults belong to the simulated network (link/sim).
 */
import type { Stack } from '../stack/stack.js';
import { StackDriver } from './driver.js';

export interface MemoryPairOptions {
  /** One-way delay in ms (0: next turn of the event loop). */
  delayMs?: number;
  /** Sees every packet with its direction ('a>b' or 'b>a'), e.g. for a pcap tap. */
  tap?: (direction: 'a>b' | 'b>a', packet: Uint8Array) => void;
}

export function createMemoryPair(
  a: Stack,
  b: Stack,
  opts: MemoryPairOptions = {},
): [StackDriver, StackDriver] {
  const delay = opts.delayMs ?? 0;
  const deliver = (to: () => StackDriver, dir: 'a>b' | 'b>a') => (packets: Uint8Array[]) => {
    if (opts.tap) for (const p of packets) opts.tap(dir, p);
    // No copies: a Stack's packets are fresh buffers it never writes again. They go over
    // unchanged, so the receiver need not verify their checksums (memory does not flip bits).
    const batch = packets.slice();
    if (delay > 0) setTimeout(() => to().receive(batch, true), delay);
    else setImmediate(() => to().receive(batch, true));
  };
  const driverA: StackDriver = new StackDriver(a, { transmit: deliver(() => driverB, 'a>b') });
  const driverB: StackDriver = new StackDriver(b, { transmit: deliver(() => driverA, 'b>a') });
  return [driverA, driverB];
}
