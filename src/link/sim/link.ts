/**
 * One direction of a simulated link: it takes a packet at virtual time `now` and says what the
 * wire does with it (its fate, and when each copy arrives). It keeps the state faults need (the
 * bandwidth queue, partitions, scripted drops) and nothing else; the stepper (network.ts) holds
 * the packets in flight.
 *
 * Every packet draws the same six random numbers in the same order whatever the settings and
 * whatever its fate, so changing one fault never reshuffles the others' choices for a seed.
 */

import type { Rng } from '../../util/rng.js';
import { internetChecksum } from '../../wire/checksum.js';
import { formatFlags } from '../../wire/flags.js';
import { parseAnyTcpPacket } from '../../wire/packet6.js';
import { type Fault, type LinkFaults, NO_FAULTS, type PacketFate } from './faults.js';

/** A copy of the packet that reaches the far end, and when. */
export interface Arrival {
  at: number;
  bytes: Uint8Array;
}

export interface Verdict {
  fate: PacketFate;
  /** The copies that arrive, first one first (none for a packet that vanished). */
  arrivals: Arrival[];
}

/** The first bit a corruption may flip: past the 20-byte IPv4 header, so TCP's checksum sees it. */
const FIRST_CORRUPTIBLE_BIT = 160;

interface DropRule {
  flags: readonly string[];
  count: number;
}

export class SimLink {
  private settings: LinkFaults;
  /** [from, to) intervals in which everything sent is dropped. */
  private readonly partitions: Array<[number, number]> = [];
  private readonly drops: DropRule[] = [];
  /** When each packet still on the wire or waiting for it has been serialized (ascending). */
  private readonly departures: number[] = [];
  private departuresHead = 0;

  constructor(
    private readonly rng: Rng,
    faults: Partial<LinkFaults> = {},
  ) {
    this.settings = { ...NO_FAULTS, ...faults };
  }

  get faults(): Readonly<LinkFaults> {
    return this.settings;
  }

  apply(now: number, fault: Fault): void {
    switch (fault.kind) {
      case 'set':
        this.settings = { ...this.settings, ...fault.faults };
        return;
      case 'partition':
        this.partitions.push([fault.from, fault.to]);
        return;
      case 'cut':
        this.partitions.push([now, Number.POSITIVE_INFINITY]);
        return;
      case 'heal':
        for (const p of this.partitions) if (p[0] <= now && now < p[1]) p[1] = now;
        return;
      case 'drop':
        this.drops.push({ flags: fault.flags, count: fault.count });
        return;
    }
  }

  /** True while a partition cuts this direction at `now`. */
  isCut(now: number): boolean {
    for (const [from, to] of this.partitions) if (now >= from && now < to) return true;
    return false;
  }

  send(now: number, bytes: Uint8Array): Verdict {
    const rng = this.rng;
    const rLoss = rng.next();
    const rJitter = rng.next();
    const rReorder = rng.next();
    const rDup = rng.next();
    const rCorrupt = rng.next();
    const rBit = rng.nextU32();
    const f = this.settings;
    if (this.scriptedDrop(bytes)) return { fate: 'dropped', arrivals: [] };
    if (this.isCut(now)) return { fate: 'partitioned', arrivals: [] };
    // The narrow link's router drops what it cannot forward whole (network.ts answers it).
    if (f.mtu > 0 && bytes.length > f.mtu) return { fate: 'too-big', arrivals: [] };
    // The sender's interface queue: a packet leaves once those before it are serialized.
    let leave = now;
    if (f.bandwidth > 0) {
      const d = this.departures;
      while (this.departuresHead < d.length && d[this.departuresHead] <= now) this.departuresHead++;
      if (this.departuresHead > 1024) {
        d.splice(0, this.departuresHead);
        this.departuresHead = 0;
      }
      const queued = d.length - this.departuresHead;
      if (queued >= f.queueLimit) return { fate: 'queue-drop', arrivals: [] };
      if (f.ceThreshold > 0 && queued >= f.ceThreshold) bytes = markCe(bytes);
      leave = Math.max(now, d.length > this.departuresHead ? d[d.length - 1] : now);
      leave += bytes.length / f.bandwidth;
      d.push(leave);
    }
    // Lost on the wire, after it used its share of the bandwidth.
    if (rLoss < f.loss) return { fate: 'lost', arrivals: [] };
    let at = leave + f.latency + rJitter * f.jitter;
    if (rReorder < f.reorder) at += f.reorderDelay > 0 ? f.reorderDelay : Math.max(1, f.latency);
    if (rCorrupt < f.corrupt) {
      const flipped = bytes.slice();
      const span = Math.max(1, flipped.length * 8 - FIRST_CORRUPTIBLE_BIT);
      const bit = FIRST_CORRUPTIBLE_BIT + (rBit % span);
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      return { fate: 'corrupted', arrivals: [{ at, bytes: flipped }] };
    }
    if (rDup < f.duplicate) {
      return {
        fate: 'duplicated',
        arrivals: [
          { at, bytes },
          { at: at + Math.max(1, f.jitter), bytes },
        ],
      };
    }
    return { fate: 'delivered', arrivals: [{ at, bytes }] };
  }

  /** Takes one count of the first rule the packet's TCP flags match. */
  private scriptedDrop(bytes: Uint8Array): boolean {
    if (!this.drops.some((d) => d.count > 0)) return false;
    const parsed = parseAnyTcpPacket(bytes, false);
    if (!parsed.ok) return false;
    const flags = formatFlags(parsed.value.tcp.flags).split(',');
    const rule = this.drops.find((d) => d.count > 0 && d.flags.every((x) => flags.includes(x)));
    if (rule === undefined) return false;
    rule.count--;
    return true;
  }
}

/**
 * The packet with CE in its ECN field if it was ECN-capable (ECT(0) or ECT(1)), else itself: the
 * low bits of IPv4's TOS byte, or of IPv6's traffic class (bits 4-5 of byte 1, no checksum).
 */
function markCe(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 40 && bytes[0] >> 4 === 6) {
    if (((bytes[1] >> 4) & 3) === 0) return bytes;
    const out6 = bytes.slice();
    out6[1] |= 0x30;
    return out6;
  }
  if (bytes.length < 20 || bytes[0] >> 4 !== 4 || (bytes[1] & 3) === 0) return bytes;
  const out = bytes.slice();
  out[1] |= 3;
  // The header checksum covers the TOS byte (RFC 791); TCP's does not.
  const ihl = (out[0] & 0x0f) * 4;
  out[10] = 0;
  out[11] = 0;
  const sum = internetChecksum(out.subarray(0, ihl));
  out[10] = sum >> 8;
  out[11] = sum & 0xff;
  return out;
}
