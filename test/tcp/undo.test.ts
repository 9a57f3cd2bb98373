/**
 * Undo of window reductions that proved spurious, as Linux does: D-SACK (RFC 3708 ideas),
 * timestamps (Eifel detection, RFC 3522) and F-RTO (RFC 5682, SACK-enhanced) after a timeout;
 * and the RTO back at its SRTT-based value after recovery (RFC 6298, RFC 7323 4.1).
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import type { TcpOption } from '../../src/wire/types.js';
import { dataAcks, expectNothing, expectSegments, SACK_OK, sackSender, send } from './helpers.js';
import { transfer } from './transfer.js';

/** `count` segments of `mss` queued, the first window (10) sent at t=20. */
function sent(mss: number, count: number, config: Partial<ConnectionConfig>, syn = SACK_OK) {
  return sackSender(count, config, { mss, syn });
}

const acker = dataAcks;

describe('undo (RFC 3708, RFC 3522, RFC 5682)', () => {
  it('D-SACK: every retransmission of the episode reported duplicate undoes the reduction', () => {
    const { s, ack } = acker(1460);
    const c = sent(1460, 10, {});
    const before = c.info();
    // Segments 1-3 arrive before 0: RACK deems 0 lost (no reordering seen yet).
    send(c, ack(0, [[s(1), s(4)]]), 40);
    expectSegments(c, 40, [{ flags: '.', seq: s(0), len: 1460 }]);
    expect(c.info().ssthresh).toBe(5 * 1460);
    // Segment 0 was only late; then its retransmission arrives as a duplicate.
    send(c, ack(10), 45);
    expect(c.stats.undos).toBe(0);
    send(c, ack(10, [[s(0), s(1)]]), 50);
    expect(c.stats.undos).toBe(1);
    expect(c.info()).toMatchObject({ cwnd: before.cwnd, ssthresh: before.ssthresh, undos: 1 });
  });

  it('Eifel: the ACK of a retransmitted segment echoes the original TSval', () => {
    const mss = 1448;
    const { s, ack } = acker(mss);
    const syn: TcpOption[] = [...SACK_OK, { kind: 'timestamp', value: 1, echo: 0 }];
    const c = sent(mss, 10, { timestamps: true }, syn);
    expect(c.info().timestamps).toBe(true);
    send(c, ack(0, [[s(1), s(4)]], [2, 20]), 40);
    expectSegments(c, 40, [{ flags: '.', seq: s(0), len: mss }]);
    expect(c.info().caState).toBe('recovery');
    // The cumulative ACK echoes 20, the TSval of the original segment 0 (sent at 20), not 40.
    send(c, ack(10, [], [3, 20]), 45);
    expect(c.stats.undos).toBe(1);
    // The window before the reduction, then this ACK's slow-start growth (L = 2 SMSS, RFC 3465).
    expect(c.info()).toMatchObject({ caState: 'open', cwnd: 12 * mss, ssthresh: 2 ** 30 });
  });

  it('F-RTO: never-retransmitted data acknowledged after a timeout shows it spurious', () => {
    const { s, ack } = acker(1460);
    const c = sent(1460, 10, { rack: false });
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: '.', seq: s(0), len: 1460 }]);
    expect(c.info()).toMatchObject({ caState: 'loss', cwnd: 1460 });
    // The ACK for segments 0 and 1, sent before the timeout, was only delayed.
    send(c, ack(2), t + 10);
    expect(c.stats).toMatchObject({ undos: 1, spuriousRtos: 1 });
    // The window before the timeout, then this ACK's slow-start growth: it covers two
    // segments, and byte counting with L = 2 SMSS (RFC 3465) grows cwnd by two.
    expect(c.info()).toMatchObject({ caState: 'open', cwnd: 12 * 1460, ssthresh: 2 ** 30 });
    // Nothing is sent again: the rest is deemed in flight once more.
    expectNothing(c, t + 10);
  });

  it('F-RTO: new data first after a timeout, then conventional recovery when the loss was real', () => {
    const { s, ack } = acker(1460);
    const c = sent(1460, 20, { rack: false });
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: '.', seq: s(0), len: 1460 }]);
    // Only the retransmission is acknowledged: two new segments rather than retransmissions.
    send(c, ack(1), t + 10);
    expectSegments(c, t + 10, [
      { flags: '.', seq: s(10), len: 1460 },
      { flags: '.', seq: s(11), len: 1460 },
    ]);
    // A duplicate ACK SACKing the new data: the timeout was real; retransmit from SND.UNA.
    send(c, ack(1, [[s(10), s(11)]]), t + 20);
    expectSegments(c, t + 20, [{ flags: '.', seq: s(1), len: 1460 }]);
    expect(c.stats.undos).toBe(0);
  });
});

describe('RTO after recovery (RFC 6298, RFC 7323 4.1)', () => {
  it('returns to the SRTT-based value once a retransmission sent after the timeout is acknowledged', () => {
    // Segment 2 and its fast retransmission are lost: one timeout, RTO doubled.
    const { a } = transfer(10, (i, copy) => i === 2 && copy <= 2, { rack: false });
    expect(a.stats.timeouts).toBe(1);
    expect(a.info().timestamps).toBe(true);
    // The ACK of the timeout's retransmission echoed its own TSval: a valid sample, no backoff.
    expect(a.info().rto).toBe(200);
  });
});
