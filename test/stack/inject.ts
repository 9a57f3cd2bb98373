/** Segments injected into one Stack, and what it sends back (tests of stack/ alone). */
import { Stack, type StackEvent, type StackOptions } from '../../src/stack/stack.js';
import { SeededRng } from '../../src/util/rng.js';
import { flagsFrom } from '../../src/wire/flags.js';
import { emitPacket, parsePacket } from '../../src/wire/packet.js';
import type { TcpSegment } from '../../src/wire/types.js';

export const US = '192.0.2.1';
export const PEER = '198.51.100.7';

export function stack(opts: Partial<StackOptions> = {}): Stack {
  return new Stack({ address: US, rng: new SeededRng(1), ...opts });
}

export function seg(flags: string, over: Partial<Omit<TcpSegment, 'flags'>> = {}): TcpSegment {
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: 1000,
    ack: 0,
    window: 65535,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
    ...over,
    flags: flagsFrom(flags),
  };
}

export function inject(s: Stack, now: number, segment: TcpSegment): void {
  s.handlePacket(now, emitPacket({ src: PEER, dst: US }, segment));
}

export function sent(s: Stack, now: number): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (let p = s.pollTransmit(now); p !== undefined; p = s.pollTransmit(now)) {
    const parsed = parsePacket(p);
    // The stack never sends a malformed packet: a test that sees one fails.
    if (!parsed.ok) throw new Error(parsed.reason);
    out.push(parsed.value.tcp);
  }
  return out;
}

export function drops(s: Stack): StackEvent[] {
  const out: StackEvent[] = [];
  for (let e = s.pollEvent(); e !== undefined; e = s.pollEvent())
    if (e.type === 'drop') out.push(e);
  return out;
}
