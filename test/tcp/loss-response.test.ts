/**
 * How the sender and the receiver respond to loss where bench:loss showed time lost (issue 11):
 * no F-RTO after a timeout that interrupts a fast recovery, quick ACKs after a retransmission of
 * data the receiver holds, and NewReno's ssthresh halving the window, not the flight.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionConfig } from '../../src/tcp/types.js';
import {
  dataAcks,
  drain,
  established,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  PLAIN,
  sackSender,
  seg,
  send,
} from './helpers.js';

const MSS = 1460;
const { s, ack } = dataAcks(MSS);

/** SACK on, `count` segments queued, the first window (10) sent at t=20. */
const sending = (count: number, config: Partial<ConnectionConfig> = {}) =>
  sackSender(count, config);

describe('a timeout during fast recovery (Linux tcp_enter_loss)', () => {
  it('repairs the holes SACK showed before sending new data (no F-RTO)', () => {
    // As Linux: no tail loss probe in recovery, so the lost repairs wait for the timer.
    const c = sending(20, { probeInRecovery: false });
    // Segments 2-9 arrive, 0 and 1 do not: RACK deems both lost, fast recovery.
    send(c, ack(0, [[s(2), s(10)]]), 40);
    // The two repairs first, then what PRR lets out for the eight segments delivered.
    const out40 = drain(c, 40);
    expect(out40.slice(0, 2).map((x) => x.seq)).toEqual([s(0), s(1)]);
    expect(c.info().caState).toBe('recovery');
    // Both retransmissions are lost too: the retransmission timer fires.
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: '.', seq: s(0), len: MSS }]);
    expect(c.info().caState).toBe('loss');
    // Segment 0 arrives; 1 is still a hole below SACKed data. F-RTO would send new data (10)
    // first and repair 1 a round trip later; the known loss goes first.
    send(c, ack(1, [[s(2), s(10)]]), t + 20);
    const out = expectSegments(c, t + 20, [
      { flags: '.', seq: s(1), len: MSS },
      { flags: '.', seq: s(10), len: MSS },
    ]);
    expect(out[0]?.seq).toBe(s(1));
    expect(c.stats.undos).toBe(0);
  });

  it('with probes in recovery, lost repairs are found by a probe, not the timer', () => {
    const c = sending(20);
    send(c, ack(0, [[s(2), s(10)]]), 40);
    const out40 = drain(c, 40);
    expect(out40.slice(0, 2).map((x) => x.seq)).toEqual([s(0), s(1)]);
    const last = out40[out40.length - 1]?.seq as number;
    // Nothing comes back: 2 SRTT later (well before the 1 s RTO) a probe goes, new data.
    const t = c.pollTimeout() as number;
    expect(t).toBeLessThan(40 + 1000);
    c.handleTimeout(t);
    const probe = expectSegments(c, t, [{ flags: '.', len: MSS }]);
    expect(probe[0]?.seq).toBe((last + MSS) >>> 0);
    expect(c.stats.lossProbes).toBe(1);
    expect(c.stats.timeouts).toBe(0);
    expect(c.info().caState).toBe('recovery');
    // The probe's ACK SACKs it while 0 and 1 are still missing: RACK deems the repairs sent
    // before it lost, and they go again at once.
    const after = Math.round(t + 20);
    send(c, ack(0, [[s(2), (last + 2 * MSS) >>> 0]]), after);
    const again = drain(c, after);
    expect(again.slice(0, 2).map((x) => x.seq)).toEqual([s(0), s(1)]);
    expect(c.stats.timeouts).toBe(0);
  });

  it('a timeout in the open state still runs F-RTO (new data after the first ACK)', () => {
    // RACK off: no tail loss probe before the timer.
    const c = sending(20, { rack: false });
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: '.', seq: s(0), len: MSS }]);
    send(c, ack(1), t + 20);
    // RFC 5682 (3.1 step 2b): new data, not the rest of the window again.
    expectSegments(c, t + 20, [
      { flags: '.', seq: s(10), len: MSS },
      { flags: '.', seq: s(11), len: MSS },
    ]);
  });
});

describe('quick ACKs after a duplicate (Linux DelayedACKLost)', () => {
  /** We receive: delayed ACKs on, the peer's data from IRS+1. */
  function receiving() {
    const c = established({ ...PLAIN, delayedAck: true, delayedAckTimeout: 40 });
    const r = (n: number) => (IRS + 1 + n * MSS) >>> 0;
    const data = (n: number) => seg({ flags: '.', seq: r(n), ack: ISS + 1, data: MSS });
    return { c, r, data };
  }

  it('one in-order segment waits for the delayed-ACK timer normally', () => {
    const { c, r, data } = receiving();
    send(c, data(0), 20);
    send(c, data(1), 21);
    expectSegments(c, 21, [{ flags: '.', ack: r(2) }]);
    send(c, data(2), 30);
    expectNothing(c, 30);
  });

  it('after a retransmission of data it holds, the receiver ACKs each segment at once', () => {
    const { c, r, data } = receiving();
    send(c, data(0), 20);
    send(c, data(1), 21);
    expectSegments(c, 21, [{ flags: '.', ack: r(2) }]);
    // The peer timed out: our ACK was lost. Its retransmission is answered at once.
    send(c, data(1), 300);
    expectSegments(c, 300, [{ flags: '.', ack: r(2) }]);
    // Its window is one segment now: each one is acknowledged without the 40 ms wait.
    send(c, data(2), 320);
    expectSegments(c, 320, [{ flags: '.', ack: r(3) }]);
    send(c, data(3), 340);
    expectSegments(c, 340, [{ flags: '.', ack: r(4) }]);
  });
});

describe('quick ACKs after a silence longer than the RTO (Linux tcp_event_data_recv)', () => {
  it('the data that ends it, and what follows, are acknowledged at once', () => {
    const c = established({ ...PLAIN, delayedAck: true, delayedAckTimeout: 40 });
    const r = (n: number) => (IRS + 1 + n * MSS) >>> 0;
    const data = (n: number) => seg({ flags: '.', seq: r(n), ack: ISS + 1, data: MSS });
    send(c, data(0), 20);
    expectNothing(c, 20);
    c.handleTimeout(c.pollTimeout() as number);
    expectSegments(c, 60, [{ flags: '.', ack: r(1) }]);
    // A silence of a second (our RTO is 200 ms): the peer timed out and restarts from one
    // segment; waiting 40 ms for a second one would cost it a delayed ACK per round trip.
    send(c, data(1), 1060);
    expectSegments(c, 1060, [{ flags: '.', ack: r(2) }]);
    send(c, data(2), 1080);
    expectSegments(c, 1080, [{ flags: '.', ack: r(3) }]);
  });
});

describe('NewReno ssthresh (RFC 5681 eq. 4, as Linux tcp_reno_ssthresh)', () => {
  it('halves cwnd, not a flight that SACKed data and RACK’s wait made larger', () => {
    const c = sending(40, { congestionControl: 'newreno' });
    expect(c.info().cwnd).toBe(10 * MSS);
    // Segment 0 is missing; 1 is SACKed: RACK waits a reordering window before deeming 0 lost
    // while the SACK lets a new segment out.
    send(c, ack(0, [[s(1), s(2)]]), 40);
    expectSegments(c, 40, [{ flags: '.', seq: s(10), len: MSS }]);
    // More SACKs: each lets new data out (pipe falls), so the flight grows past cwnd.
    send(c, ack(0, [[s(1), s(5)]]), 41);
    drainAll(c, 41);
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    drainAll(c, t);
    const i = c.info();
    expect(i.caState).toBe('recovery');
    expect(seqSpan(i.sndUna, i.sndNxt)).toBeGreaterThan(10 * MSS);
    expect(i.ssthresh).toBe(5 * MSS);
  });
});

function drainAll(c: ReturnType<typeof established>, at: number): void {
  for (let x = c.pollTransmit(at); x; x = c.pollTransmit(at));
}

function seqSpan(una: number, nxt: number): number {
  return (nxt - una) >>> 0;
}
