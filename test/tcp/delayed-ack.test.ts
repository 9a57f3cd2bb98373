import { describe, expect, it } from 'vitest';
import {
  established,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  PLAIN,
  seg,
  send,
} from './helpers.js';

const DELACK = { ...PLAIN, delayedAck: true, delayedAckTimeout: 40 };

describe('delayed ACK (RFC 1122 4.2.3.2, RFC 5681 4.2)', () => {
  it('one segment: ACK after delayedAckTimeout', () => {
    const c = established(DELACK);
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 100 }), 20);
    expectNothing(c, 20);
    expect(c.activeTimer()).toEqual({ kind: 'delayed-ack', deadline: 60 });
    c.handleTimeout(60);
    expectSegments(c, 60, [{ flags: '.', ack: IRS + 101 }]);
    expect(c.pollTimeout()).toBeUndefined();
  });

  it('every second full-sized segment is ACKed at once', () => {
    const c = established(DELACK);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 1460 }), 20);
    expectNothing(c, 20);
    send(c, seg({ flags: '.', seq: IRS + 1461, ack: ISS + 1, data: 1460 }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 2921 }]);
  });

  it('out-of-order data is ACKed at once, and so is the segment that fills the gap', () => {
    const c = established(DELACK);
    send(c, seg({ flags: '.', seq: IRS + 101, ack: ISS + 1, data: 100 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 1 }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 100 }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 201 }]);
    expect(c.recvQueue).toBe(200);
  });

  it('a reply carries the pending ACK (piggyback) and stops the timer', () => {
    const c = established(DELACK);
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 10 }), 20);
    expectNothing(c, 20);
    c.send(new Uint8Array(5));
    expectSegments(c, 25, [{ flags: 'P.', ack: IRS + 11, len: 5 }]);
    expect(c.activeTimer()?.kind).toBe('retransmit');
  });

  it('a FIN is ACKed at once', () => {
    const c = established(DELACK);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 2 }]);
  });
});
