/**
 * RACK-TLP (RFC 8985): time-based loss detection with its reordering window and reorder
 * timer, and the tail loss probe; config.rack off falls back to RFC 6675 DupThresh.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import {
  dataAcks,
  drain,
  established,
  expectNothing,
  expectSegments,
  ISS,
  PLAIN,
  SACK_OK,
  sackSender,
  send,
} from './helpers.js';
import { transfer } from './transfer.js';

const MSS = 1460;
const { s, ack: ackWith } = dataAcks(MSS);

/** 10 segments sent at t=20 on a SACK connection without timestamps. */
const tenSent = (config: Partial<ConnectionConfig> = {}) => sackSender(10, config);

describe('RACK (RFC 8985 6)', () => {
  it('waits a reordering window (min_RTT / 4) before deeming a segment lost', () => {
    const c = tenSent();
    // Segment 0 acknowledged after 20 ms: min_RTT = 20, reo_wnd = 5.
    send(c, ackWith(1), 40);
    expectNothing(c, 40);
    // Segment 2 arrives, 1 not yet: 1 is lost only 5 ms after 2's own RTT has passed.
    send(c, ackWith(1, [[s(2), s(3)]]), 41);
    expectNothing(c, 41);
    expect(c.pollTimeout()).toBe(46);
    // Segment 1 was only late: no retransmission.
    send(c, ackWith(3), 43);
    expectNothing(c, 43);
    c.handleTimeout(c.pollTimeout() as number);
    expect(c.stats.retransmits).toBe(0);
  });

  it('the reorder timer retransmits the segment when it does not come', () => {
    const c = tenSent();
    send(c, ackWith(1), 40);
    send(c, ackWith(1, [[s(2), s(3)]]), 41);
    expectNothing(c, 41);
    c.handleTimeout(46);
    expectSegments(c, 46, [{ flags: '.', seq: s(1), len: MSS }]);
    expect(c.info().caState).toBe('recovery');
    expect(c.stats.fastRetransmits).toBe(1);
  });

  it('orders sends within one millisecond by transmission, not sequence number', () => {
    const c = established({ ...PLAIN, sack: true, minRto: 1000 }, SACK_OK);
    c.send(new Uint8Array(20 * MSS));
    expect(drain(c, 20)).toHaveLength(10);
    send(c, ackWith(1), 40);
    expect(drain(c, 40).map((x) => x.seq)).toEqual([s(10), s(11)]);
    // At 41 one ACK releases new data (segment 12), the next deems 1 lost: its
    // retransmission goes out after 12 in the same millisecond.
    send(c, ackWith(1, [[s(2), s(3)]]), 41);
    expect(drain(c, 41).map((x) => x.seq)).toEqual([s(12)]);
    send(c, ackWith(1, [[s(2), s(5)]]), 41);
    expect(drain(c, 41).map((x) => x.seq)).toEqual([s(1)]);
    // Segment 12 is SACKed 20 ms later; 1's retransmission, sent after it, is not yet late.
    send(
      c,
      ackWith(1, [
        [s(12), s(13)],
        [s(2), s(5)],
      ]),
      61,
    );
    // (Segments 5-9, sent at 20, are deemed lost and some of them go out again.)
    const again = drain(c, 61).map((x) => x.seq);
    expect(again).not.toContain(s(1));
    expect(again.length).toBeGreaterThan(0);
    for (const seq of again) expect(seq >= s(5) && seq < s(10), `segment at ${seq}`).toBe(true);
  });

  it('with rack off, one SACKed segment is no loss (RFC 6675 DupThresh)', () => {
    const c = tenSent({ rack: false });
    send(c, ackWith(1), 40);
    send(c, ackWith(1, [[s(2), s(3)]]), 41);
    // No reorder timer: the next deadline is the RTO.
    expect(c.pollTimeout()).toBe(40 + c.info().rto);
  });

  it.each([
    [true, 0],
    [false, 1],
  ])(
    'rack %s: a lost retransmission is found by time, without the RTO (timeouts %i)',
    (rack, timeouts) => {
      // Segment 2 and its first retransmission are lost; new data follows both.
      const { a } = transfer(20, (i, copy) => i === 2 && copy <= 2, { rack });
      expect(a.stats.timeouts).toBe(timeouts);
    },
  );
});

describe('tail loss probe (RFC 8985 7)', () => {
  it('a lost last segment is repaired by the probe, not the RTO', () => {
    // One segment is left in flight: PTO = 2 SRTT + 200 ms comes after the RTO, so the probe
    // goes out at the RTO's time instead of the timeout (RFC 8985 7.2).
    const { a } = transfer(10, (i, copy) => i === 9 && copy === 1);
    expect(a.stats.lossProbes).toBe(1);
    expect(a.stats.timeouts).toBe(0);
    expect(a.stats.retransmits).toBe(1);
  });

  it('without RACK-TLP the same loss waits for the RTO', () => {
    const { a } = transfer(10, (i, copy) => i === 9 && copy === 1, { rack: false });
    expect(a.stats.lossProbes).toBe(0);
    expect(a.stats.timeouts).toBe(1);
  });

  it('PTO = 2 SRTT, plus the worst-case delayed ACK when one segment is in flight', () => {
    const c = established({ ...PLAIN, sack: true, minRto: 1000, nagle: false }, SACK_OK);
    // The handshake gave SRTT = 10.
    expect(c.info().srtt).toBe(10);
    c.send(new Uint8Array(100));
    expectSegments(c, 20, [{ flags: 'P.', len: 100 }]);
    expect(c.pollTimeout()).toBe(20 + 2 * 10 + 200);
    c.send(new Uint8Array(MSS * 3));
    expectSegments(c, 21, [{ flags: '.' }, { flags: '.' }, { flags: 'P.' }]);
    expect(c.pollTimeout()).toBe(21 + 2 * 10);
    // The probe: the last segment sent again (no new data is left), and then the RTO.
    c.handleTimeout(41);
    expectSegments(c, 41, [{ flags: 'P.', seq: (ISS + 1 + 100 + 2 * MSS) >>> 0, len: MSS }]);
    expect(c.stats.lossProbes).toBe(1);
    expect(c.pollTimeout()).toBe(41 + c.info().rto);
  });
});
