/**
 * The ACK storm found by fuzzing: an off-path FIN with the exact in-sequence number desynchronises
 * the two ends (b believes a sent a FIN, a never did). Every segment b sends then acknowledges a
 * sequence number a never sent, so a drops b's data and FIN (RFC 9293 3.10.7.4, fifth: SEG.ACK >
 * SND.NXT) while b's SND.NXT runs past a's window. From then on each end's pure ACK is
 * unacceptable to the other (a's is below b's RCV.NXT, b's beyond a's window) and each answers
 * with an ACK (RFC 9293 3.10.7.4, first): without a bound the two trade identical ACKs forever.
 */
import { describe, expect, it } from 'vitest';
import { emptyFlags } from '../../src/wire/flags.js';
import type { TcpSegment } from '../../src/wire/types.js';
import { A, B, Pair } from './pair.js';

/** What an off-path injector who guessed a's SND.NXT sends to b: a bare FIN "from a". */
function injectedFin(seq: number, ack: number): TcpSegment {
  return {
    srcPort: A.port,
    dstPort: B.port,
    seq,
    ack,
    flags: { ...emptyFlags(), fin: true, ack: true },
    window: 1000,
    urgentPointer: 0,
    options: [],
    payload: new Uint8Array(0),
  };
}

/** Segments on the wire in each virtual second after `from`. */
function perSecond(p: Pair, from: number): number[] {
  const counts: number[] = [];
  for (const l of p.log) {
    if (l.at < from) continue;
    const s = Math.floor((l.at - from) / 1000);
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return Array.from(counts, (c) => c ?? 0);
}

describe('an injected in-sequence FIN', () => {
  it('does not start an ACK storm between ESTABLISHED and LAST_ACK', () => {
    // a's window (1000 bytes) is smaller than what b sends after the FIN.
    const p = new Pair({ configA: { receiveBufferSize: 1000 } }).connect().run(1000);
    // ISS 1,000,000 and 5,000,000: a's SND.NXT is 1000001, b's 5000001.
    p.conn('b').handleSegment(p.now, injectedFin(1_000_001, 5_000_001));
    expect(p.state('b')).toBe('CLOSE_WAIT');
    p.conn('b').send(new Uint8Array(1000));
    p.conn('b').shutdown(p.now);
    p.flush();
    const start = p.now;
    p.run(start + 600_000);
    expect(p.state('a')).toBe('ESTABLISHED');
    const seconds = perSecond(p, start);
    // Unbounded, the pair trades one ACK each way per 20 ms round trip: 100 a second for ever.
    // Bounded, a's replies stay under the challenge-ACK limit (10 a second), and the exchange
    // dies between b's retransmissions (exponential backoff).
    expect(Math.max(...seconds)).toBeLessThanOrEqual(2 * 10 + 2);
    expect(seconds.filter((n) => n > 0).length).toBeLessThan(30);
  });
});
