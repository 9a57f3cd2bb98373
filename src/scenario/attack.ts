/**
 * What an attacker on the simulated network sends: SYNs from spoofed sources (a SYN flood,
 * RFC 4987) and segments with guessed sequence numbers into a connection it can see the
 * 4-tuple of but not the numbers (a blind attack, RFC 5961). The scenario runner and
 * `bench/harden.ts` build their packets here, so both floods are the same flood.
 */
import type { Rng } from '../util/rng.js';
import { parseIpv6Address } from '../wire/address6.js';
import { flagsFrom } from '../wire/flags.js';
import { emitPacket } from '../wire/packet.js';
import { emitPacket6 } from '../wire/packet6.js';
import type { TcpSegment } from '../wire/types.js';

/** A TCP segment with the given flags (packetdrill letters: `S`, `R`, `P.`, …), zeros elsewhere. */
export function attackSegment(flags: string, over: Partial<Omit<TcpSegment, 'flags'>>): TcpSegment {
  return {
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    window: 65535,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
    ...over,
    flags: flagsFrom(flags),
  };
}

/**
 * A spoofed source in 172.16.0.0/12 (RFC 1918, routed nowhere here): the SYN,ACKs answering
 * it are the flood's backscatter, lost in the network.
 */
export function spoofedSource(rng: Rng): string {
  return `172.${16 + (rng.nextU32() % 16)}.${rng.nextU32() % 256}.${1 + (rng.nextU32() % 254)}`;
}

/** A spoofed IPv6 source in fd00:bad::/32 (a unique local prefix no host here has). */
export function spoofedSource6(rng: Rng): string {
  const group = () => (rng.nextU32() & 0xffff).toString(16);
  return `fd00:bad:${group()}:${group()}::${(1 + (rng.nextU32() % 0xfffe)).toString(16)}`;
}

/** A TCP packet from `src` to `dst`, IPv4 or IPv6 as the addresses are. */
export function attackPacket(src: string, dst: string, seg: TcpSegment): Uint8Array {
  const src6 = parseIpv6Address(src);
  const dst6 = parseIpv6Address(dst);
  if (src6 === undefined || dst6 === undefined) return emitPacket({ src, dst }, seg);
  return emitPacket6({ src: src6, dst: dst6 }, seg);
}

/** One SYN of a flood towards `dst:port`, from a spoofed address and port, offering MSS 1460. */
export function spoofedSyn(rng: Rng, dst: string, port: number): Uint8Array {
  const src = dst.includes(':') ? spoofedSource6(rng) : spoofedSource(rng);
  const syn = attackSegment('S', {
    srcPort: 1024 + (rng.nextU32() % 64000),
    dstPort: port,
    seq: rng.nextU32(),
    options: [{ kind: 'mss', value: 1460 }],
  });
  return attackPacket(src, dst, syn);
}

/** How many packets a source sending `rate` per second sends in millisecond `ms` (exact over time). */
export function packetsInMs(rate: number, ms: number): number {
  return Math.floor(((ms + 1) * rate) / 1000) - Math.floor((ms * rate) / 1000);
}

/** The kinds of blind segment: RST or SYN with a guessed sequence number (RFC 5961 3, 4). */
export type BlindKind = 'RST' | 'SYN';

/**
 * A blind segment into the connection `victim:victimPort` <-> `peer:peerPort`, spoofed as
 * `peer`, with sequence number `seq` (the attacker's guess).
 */
export function blindSegment(
  kind: BlindKind,
  tuple: { peer: string; peerPort: number; victim: string; victimPort: number },
  seq: number,
): Uint8Array {
  const seg = attackSegment(kind === 'RST' ? 'R' : 'S', {
    srcPort: tuple.peerPort,
    dstPort: tuple.victimPort,
    seq,
  });
  return attackPacket(tuple.peer, tuple.victim, seg);
}
