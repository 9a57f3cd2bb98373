/**
 * Random and mutated packets thrown at a stack with a listener and live connections: nothing
 * throws, nothing hangs, and the connections still end in a legal state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_STATES } from '../../src/state/states.js';
import { emitPacket, parsePacket } from '../../src/wire/packet.js';
import { emitPacket6, parseTcpPacket6 } from '../../src/wire/packet6.js';
import { establish, FAMILIES, type Family, pair } from './harness.js';

/** The packet with another sequence number and a correct checksum, in its own IP version. */
function reseq(packet: Uint8Array, delta: number): Uint8Array {
  if (packet[0] >> 4 === 6) {
    const parsed = parseTcpPacket6(packet, true);
    if (!parsed.ok) return packet;
    const { src, dst, tcp } = parsed.value;
    return emitPacket6({ src, dst }, { ...tcp, seq: (tcp.seq + delta) >>> 0 });
  }
  const parsed = parsePacket(packet);
  if (!parsed.ok) return packet;
  const { ip, tcp } = parsed.value;
  return emitPacket(ip, { ...tcp, seq: (tcp.seq + delta) >>> 0 });
}

describe.each(FAMILIES)('a live stack under random and mutated packets (%s)', (family: Family) => {
  it('never throws or hangs, and its connections stay in legal states', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant('flip' as const),
              at: fc.nat(),
              mask: fc.integer({ min: 1, max: 255 }),
            }),
            fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
            fc.record({
              kind: fc.constant('random' as const),
              bytes: fc.uint8Array({ maxLength: 80 }),
            }),
            fc.record({ kind: fc.constant('seq' as const), at: fc.nat(), delta: fc.integer() }),
          ),
          { maxLength: 40 },
        ),
        (seed, mutations) => {
          const p = pair(seed, { latency: 2 }, {}, family);
          const { client, server } = establish(p);
          client.send(new Uint8Array(3000).fill(1));
          p.net.run({ until: p.net.now + 100 });
          const samples = p.net.trace.flatMap((e) =>
            e.type === 'packet' && e.from === 'a' ? [e.bytes] : [],
          );
          for (const m of mutations) {
            let packet: Uint8Array;
            if (m.kind === 'random') {
              packet = m.bytes;
            } else {
              packet = samples[m.at % samples.length].slice();
              if (m.kind === 'flip') packet[m.at % packet.length] ^= m.mask;
              if (m.kind === 'cut') packet = packet.subarray(0, m.at % packet.length);
              if (m.kind === 'seq') {
                // a plausible but wrong sequence number with a correct checksum: the TCP
                // engine, not the checksum, must cope with it
                packet = reseq(packet, m.delta);
              }
            }
            p.net.sendRaw(p.a, packet);
            p.net.step();
          }
          client.close(p.net.now);
          server.close(p.net.now);
          const steps = p.net.run({ until: p.net.now + 3_600_000, maxSteps: 100_000 });
          expect(steps).toBeLessThan(100_000);
          for (const c of [client, server]) expect(TCP_STATES).toContain(c.state);
          expect(client.state).toBe('CLOSED');
          expect(server.state).toBe('CLOSED');
        },
      ),
      { numRuns: 60 },
    );
  });
});
