/**
 * The wire between a and b for scenarios: per-direction delay, jitter, loss, duplication,
 * reordering, corruption, partitions, and "drop the next FIN from a" rules, driven by a seeded
 * RNG. It records each segment in the story with its fate and keeps each packet as sent.
 *
 * Every packet draws the same random numbers in the same order whatever the settings, so
 * changing one fault does not reshuffle the others' choices for a given seed.
 */

import type { Rng } from '../util/rng.js';
import { formatFlags } from '../wire/flags.js';
import { formatOptions } from '../wire/format.js';
import { parsePacket } from '../wire/packet.js';
import type { Direction, LinkFaults } from './script.js';
import type { CapturedPacket, Fate, Side, StoryEvent } from './story.js';

type Settings = Required<LinkFaults> & { cut: boolean };

interface InFlight {
  at: number;
  order: number;
  to: Side;
  bytes: Uint8Array;
}

export interface Wire {
  send(now: number, from: Side, packet: Uint8Array): void;
  nextDelivery(): number | undefined;
  deliverDue(now: number): Array<{ to: Side; bytes: Uint8Array }>;
  setFaults(direction: Direction, faults: LinkFaults): void;
  partition(direction: Direction, cut: boolean): void;
  dropNext(from: Side, flags: string, count: number): void;
}

function sides(direction: Direction): Side[] {
  return direction === 'both' ? ['a', 'b'] : [direction === 'a->b' ? 'a' : 'b'];
}

export function createWire(
  initial: LinkFaults,
  rng: Rng,
  record: (e: StoryEvent) => void,
  packets: CapturedPacket[],
): Wire {
  const base: Settings = {
    latency: 10,
    jitter: 0,
    loss: 0,
    dup: 0,
    reorder: 0,
    corrupt: 0,
    cut: false,
    ...initial,
  };
  // Keyed by the sending side.
  const settings: Record<Side, Settings> = { a: { ...base }, b: { ...base } };
  const drops: Array<{ from: Side; flags: string[]; count: number }> = [];
  let flight: InFlight[] = [];
  let order = 0;

  const dropRule = (from: Side, flags: string[]): boolean => {
    const rule = drops.find(
      (d) => d.from === from && d.count > 0 && d.flags.every((f) => flags.includes(f)),
    );
    if (!rule) return false;
    rule.count--;
    return true;
  };

  return {
    send(now, from, packet) {
      const to: Side = from === 'a' ? 'b' : 'a';
      const s = settings[from];
      const [rLoss, rJitter, rReorder, rDup, rCorrupt, rBit] = [
        rng.next(),
        rng.next(),
        rng.next(),
        rng.next(),
        rng.next(),
        rng.nextU32(),
      ];
      packets.push({ t: now, bytes: packet });
      const parsed = parsePacket(packet, { verifyChecksum: false });
      const flags = parsed.ok ? formatFlags(parsed.value.tcp.flags) : '';
      let fate: Fate = 'delivered';
      if (dropRule(from, flags.split(',')) || s.cut || rLoss < s.loss) fate = 'lost';
      else if (rCorrupt < s.corrupt) fate = 'corrupted';
      else if (rDup < s.dup) fate = 'duplicated';
      let delay = s.latency + rJitter * s.jitter;
      // A reordered packet is held back long enough for the next ones to overtake it.
      if (rReorder < s.reorder) delay += Math.max(1, s.latency);
      const at = now + delay;
      if (fate !== 'lost') {
        let bytes = packet;
        if (fate === 'corrupted') {
          // Flip one bit past the IP header so the TCP checksum catches it at the receiver.
          bytes = packet.slice();
          const bit = 160 + (rBit % Math.max(1, bytes.length * 8 - 160));
          bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        }
        flight.push({ at, order: order++, to, bytes });
        if (fate === 'duplicated')
          flight.push({ at: at + Math.max(1, s.jitter), order: order++, to, bytes });
      }
      if (parsed.ok) {
        const tcp = parsed.value.tcp;
        record({
          type: 'segment',
          t: now,
          from,
          to,
          flags,
          seq: tcp.seq,
          ack: tcp.ack,
          len: tcp.payload.length,
          win: tcp.window,
          fate,
          ...(fate === 'delivered' || fate === 'duplicated' ? { tArrive: at } : {}),
          ...(tcp.options.length > 0 ? { options: formatOptions(tcp.options) } : {}),
        });
      }
    },
    nextDelivery() {
      let min: number | undefined;
      for (const f of flight) if (min === undefined || f.at < min) min = f.at;
      return min;
    },
    deliverDue(now) {
      const due = flight
        .filter((f) => f.at <= now)
        .sort((x, y) => x.at - y.at || x.order - y.order);
      flight = flight.filter((f) => f.at > now);
      return due.map(({ to, bytes }) => ({ to, bytes }));
    },
    setFaults(direction, faults) {
      for (const side of sides(direction)) Object.assign(settings[side], faults);
    },
    partition(direction, cut) {
      for (const side of sides(direction)) settings[side].cut = cut;
    },
    dropNext(from, flags, count) {
      drops.push({ from, flags: flags.split(','), count });
    },
  };
}
