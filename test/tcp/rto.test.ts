import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/tcp/connection.js';
import {
  established,
  events,
  expectSegments,
  IRS,
  ISS,
  MSS_1460,
  opts,
  PLAIN,
  seg,
  send,
  transitions,
} from './helpers.js';

const FINE = { ...PLAIN, minRto: 1, maxRto: 60_000 };

/** Timestamps on; 10 bytes sent at 20 (TSval 20), sent again on the timeout at 50 (TSval 50). */
function retransmittedWithTimestamps(): Connection {
  const ts = [...MSS_1460, { kind: 'timestamp' as const, value: 50, echo: 0 }];
  const c = established({ ...FINE, timestamps: true }, ts);
  c.send(new Uint8Array(10));
  expectSegments(c, 20, [{ flags: 'P.' }]);
  c.handleTimeout(50);
  expectSegments(c, 50, [{ flags: 'P.' }]);
  return c;
}

/** The peer's ACK of ISS + acked at `at`, echoing `echo`. */
function tsAck(c: Connection, at: number, acked: number, echo: number): void {
  const options = [{ kind: 'timestamp' as const, value: 51, echo }];
  send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + acked, options }), at);
}

describe('retransmission timer (RFC 6298)', () => {
  it('first sample from the handshake, then SRTT/RTTVAR per 2.2 and 2.3', () => {
    const c = established(FINE);
    // SYN at 0, SYN,ACK at 10: R = 10, SRTT = 10, RTTVAR = 5, RTO = 10 + 4*5.
    expect(c.info()).toMatchObject({ srtt: 10, rttvar: 5, rto: 30 });
    c.send(new Uint8Array(100));
    expectSegments(c, 20, [{ flags: 'P.', len: 100 }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 101 }), 120);
    const i = c.info();
    expect(i.rttvar).toBeCloseTo(0.75 * 5 + 0.25 * 90);
    expect(i.srtt).toBeCloseTo(0.875 * 10 + 0.125 * 100);
    expect(i.rto).toBeCloseTo(21.25 + 4 * 26.25);
  });

  it('RTO is clamped below by minRto (2.4)', () => {
    const c = established({ ...PLAIN, minRto: 200 });
    expect(c.info().rto).toBe(200);
  });

  it('backs off exponentially up to maxRto, then gives up after dataRetries', () => {
    const c = established({ ...PLAIN, minRto: 200, maxRto: 1000, dataRetries: 4 });
    c.send(new Uint8Array(10));
    expectSegments(c, 20, [{ flags: 'P.', seq: ISS + 1 }]);
    const fired: number[] = [];
    const open = (): boolean => c.state !== 'CLOSED';
    while (open()) {
      const t = c.pollTimeout() as number;
      fired.push(t);
      c.handleTimeout(t);
      if (open()) expectSegments(c, t, [{ flags: 'P.', seq: ISS + 1, len: 10 }]);
    }
    // 200, 400, 800, then capped at 1000 (2.5), then the limit.
    expect(fired).toEqual([220, 620, 1420, 2420, 3420]);
    const evs = events(c);
    expect(transitions(evs).at(-1)).toBe('ESTABLISHED->CLOSED (retransmission limit)');
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'timeout' });
    expect(c.stats.timeouts).toBe(5);
    expect(c.stats.retransmits).toBe(4);
  });

  it("Karn's rule: the ACK of a retransmitted segment gives no sample", () => {
    const c = established(FINE);
    c.send(new Uint8Array(10));
    expectSegments(c, 20, [{ flags: 'P.' }]);
    c.handleTimeout(50);
    expectSegments(c, 50, [{ flags: 'P.', seq: ISS + 1 }]);
    const before = c.info();
    expect(before.rto).toBe(60);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 11 }), 500);
    expect(c.info().srtt).toBe(before.srtt);
    // The backed-off RTO stays until a valid sample (5.5 with Karn).
    expect(c.info().rto).toBe(60);
    c.send(new Uint8Array(10));
    expectSegments(c, 510, [{ flags: 'P.' }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 21 }), 530);
    expect(c.info().srtt).toBeCloseTo(0.875 * 10 + 0.125 * 20);
  });

  it('with timestamps a retransmission is still measured from TSecr', () => {
    const c = retransmittedWithTimestamps();
    // The ACK echoes the retransmission's TSval (50): R = 70 - 50.
    tsAck(c, 70, 11, 50);
    expect(c.info().srtt).toBeCloseTo(0.875 * 10 + 0.125 * 20);
  });

  it('with timestamps, an echo of a TSval sent before the timeout gives no sample', () => {
    // The peer had the original (its ACK was lost), so the retransmission was a duplicate to it
    // and its ACK echoes the original's TSval, 20 (RFC 7323 5.3: R2 before R3). R = 500 - 20
    // would count our 30 ms timeout and 450 ms of lost ACKs (RFC 7323 4.3 (3)).
    const c = retransmittedWithTimestamps();
    const before = c.info();
    tsAck(c, 500, 11, 20);
    expect(c.info().srtt).toBe(before.srtt);
    // The echo shows the original arrived: the timeout was spurious (Eifel, RFC 3522), and its
    // undo voids the backoff too (as the Eifel response, RFC 4015), whatever the sample.
    expect(before.rto).toBe(60);
    expect(c.info().rto).toBe(30);
    expect(c.stats.spuriousRtos).toBe(1);
    c.send(new Uint8Array(10));
    expectSegments(c, 510, [{ flags: 'P.' }]);
    tsAck(c, 530, 21, 510);
    expect(c.info().srtt).toBeCloseTo(0.875 * 10 + 0.125 * 20);
  });

  it('after a SYN timeout and no sample, RTO becomes 3 s once established (5.7)', () => {
    const c = Connection.connect(0, opts(PLAIN));
    expectSegments(c, 0, [{ flags: 'S' }]);
    c.handleTimeout(1000);
    expectSegments(c, 1000, [{ flags: 'S' }]);
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 1, options: MSS_1460 }), 1010);
    expect(c.state).toBe('ESTABLISHED');
    expect(c.info().srtt).toBeUndefined();
    expect(c.info().rto).toBe(3000);
    // RFC 5681 3.1: the initial window is one segment after a lost SYN.
    expect(c.info().cwnd).toBe(1460);
  });

  it('after go-back-N, a pure ACK carries the highest sequence number sent', () => {
    const c = established({ ...PLAIN, minRto: 200 });
    c.send(new Uint8Array(3 * 1460));
    expectSegments(c, 20, [{ flags: '.' }, { flags: '.' }, { flags: 'P.' }]);
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: '.', seq: ISS + 1, len: 1460 }]);
    // Data from the peer: the ACK must not use the rewound SND.NXT (the peer has those bytes
    // and would find an older sequence number unacceptable).
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 10 }), t + 5);
    expectSegments(c, t + 5, [{ flags: '.', seq: ISS + 1 + 3 * 1460, ack: IRS + 11 }]);
  });
});
