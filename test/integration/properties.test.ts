/**
 * Property tests over seeds and fault mixes: whatever the network does (up to 30% loss,
 * duplication and reordering together, plus corruption), every byte arrives exactly once and in
 * order in both directions, both ends finish, nothing throws, and a seed replays identically.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LinkFaults } from '../../src/link/sim/faults.js';
import { bytes, exchange, faultsArb, type Outcome } from './exchange.js';
import type { Family } from './harness.js';

/**
 * At up to 30% loss both ways, 15 retransmissions (dataRetries) or 7 SYNs can all fail: in
 * 4 of 150,000 runs a side gave up and closed (RFC 9293 3.8.3; RFC 1122 4.2.3.5, R2). Then what
 * arrived is still in order and only a prefix, the side that gave up is CLOSED, and the other
 * is CLOSED (timed out too, or reset by the RST its retransmissions draw), in FIN_WAIT2, where
 * RFC 9293 waits for the peer's FIN with no timer when the application can still read, or never
 * had a connection (all 7 SYNs lost: synRetries).
 */
function expectGaveUp(out: Outcome, ab: Uint8Array, ba: Uint8Array): void {
  expect(out.toB).toEqual(ab.subarray(0, out.toB.length));
  expect(out.toA).toEqual(ba.subarray(0, out.toA.length));
  for (const side of ['a', 'b'] as const) {
    const last = (side === 'a' ? out.aStates : out.bStates).at(-1);
    if (out.gaveUp[side]) expect(last).toBe('CLOSED');
    else expect([undefined, 'CLOSED', 'FIN_WAIT2']).toContain(last);
  }
}

/** One exchange of the property: everything arrives once, in order, and both ends finish. */
function checkExchange(
  seed: number,
  faults: Partial<LinkFaults>,
  nab: number,
  nba: number,
  family: Family,
): void {
  const ab = bytes(nab, seed);
  const ba = bytes(nba, seed + 1);
  const out = exchange(seed, faults, ab, ba, { family });
  if (out.gaveUp.a || out.gaveUp.b) {
    expectGaveUp(out, ab, ba);
    return;
  }
  expect(out.toB).toEqual(ab);
  expect(out.toA).toEqual(ba);
  expect(out.aStates.at(-1)).toBe('CLOSED');
  expect(out.bStates.at(-1)).toBe('CLOSED');
  // whoever closed first went through TIME_WAIT
  expect([...out.aStates, ...out.bStates]).toContain('TIME_WAIT');
}

/** Seed, fault mix, and the bytes a sends and b sends. */
const exchangeArbs = [
  fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  faultsArb,
  fc.integer({ min: 0, max: 60_000 }),
  fc.integer({ min: 0, max: 20_000 }),
] as const;

describe('over a faulty network', () => {
  it('every byte arrives exactly once, in order, both ways; both ends reach CLOSED', () => {
    fc.assert(
      fc.property(...exchangeArbs, (seed, faults, nab, nba) =>
        checkExchange(seed, faults, nab, nba, 'ipv4'),
      ),
      {
        numRuns: 25,
        examples: [
          // Found before: both ends in TIME_WAIT answered each other's reordered (PAWS-failed)
          // pure ACKs with ACKs, a storm that duplication grew until the run timed out.
          [
            30,
            { latency: 1, jitter: 20, loss: 0, duplicate: 0.3, reorder: 0, corrupt: 0 },
            44486,
            6,
          ],
          // Found before: a's retransmission of one segment and b's ACKs of it were lost 15
          // times in a row; a gave up in CLOSING, b waits in FIN_WAIT2 (see expectGaveUp).
          [
            1170538934,
            { latency: 5, jitter: 20, loss: 0.3, duplicate: 0, reorder: 0, corrupt: 0 },
            58439,
            17,
          ],
          // Found before: a's SYN lost 7 times; a gave up in SYN_SENT, b never heard of it.
          [
            2113035607,
            { latency: 47, jitter: 14, loss: 0.3, duplicate: 0, reorder: 0, corrupt: 0 },
            46632,
            4,
          ],
        ],
      },
    );
  });

  it('the same holds over IPv6 (the IPv6 header, pseudo-header and demux keys)', () => {
    fc.assert(
      fc.property(...exchangeArbs, (seed, faults, nab, nba) =>
        checkExchange(seed, faults, nab, nba, 'ipv6'),
      ),
      { numRuns: 15 },
    );
  });

  it('the same seed replays the same trace, packet for packet', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), faultsArb, (seed, faults) => {
        const data = bytes(20_000, seed);
        const first = exchange(seed, faults, data, data);
        const second = exchange(seed, faults, data, data);
        expect(second.trace).toBe(first.trace);
      }),
      { numRuns: 8 },
    );
  });

  it('a different seed gives a different trace when there are faults', () => {
    const faults = { latency: 10, loss: 0.2, reorder: 0.2 };
    const data = bytes(30_000, 3);
    expect(exchange(1, faults, data, data).trace).not.toBe(exchange(2, faults, data, data).trace);
  });
});
