import { describe, expect, it } from 'vitest';
import {
  established,
  events,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  seg,
  send,
  transitions,
} from './helpers.js';

function lastAck() {
  const c = established();
  send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
  expectSegments(c, 20, [{ flags: '.', ack: IRS + 2 }]);
  c.close(30);
  expectSegments(c, 30, [{ flags: 'F.', seq: ISS + 1, ack: IRS + 2 }]);
  events(c);
  expect(c.state).toBe('LAST_ACK');
  return c;
}

describe('LAST_ACK', () => {
  it('ACK of our FIN: CLOSED, reason normal', () => {
    const c = lastAck();
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 2 }), 40);
    expectNothing(c, 40);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['LAST_ACK->CLOSED (rcv ACK)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'normal' });
  });

  it('an ACK that does not cover the FIN: still LAST_ACK', () => {
    const c = lastAck();
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 1 }), 40);
    expectNothing(c, 40);
    expect(c.state).toBe('LAST_ACK');
  });

  it('FIN retransmitted on RTO, and the retransmitted peer FIN is ACKed', () => {
    const c = lastAck();
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: 'F.', seq: ISS + 1 }]);
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), t + 1);
    expectSegments(c, t + 1, [{ flags: '.', ack: IRS + 2 }]);
  });

  it('exact RST: CLOSED; in-window RST: challenge ACK', () => {
    const c = lastAck();
    send(c, seg({ flags: 'R', seq: IRS + 20 }), 40);
    expectSegments(c, 40, [{ flags: '.', ack: IRS + 2 }]);
    send(c, seg({ flags: 'R', seq: IRS + 2 }), 41);
    expect(transitions(events(c))).toEqual(['LAST_ACK->CLOSED (rcv RST)']);
  });

  it('abort() in LAST_ACK sends no RST', () => {
    const c = lastAck();
    c.abort(40);
    expectNothing(c, 40);
    expect(events(c).at(-1)).toEqual({ type: 'closed', reason: 'aborted' });
  });
});
