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

function closing() {
  const c = established();
  c.close(20);
  expectSegments(c, 20, [{ flags: 'F.', seq: ISS + 1 }]);
  send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 30);
  expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
  expect(transitions(events(c))).toEqual([
    'ESTABLISHED->FIN_WAIT1 (close())',
    'FIN_WAIT1->CLOSING (rcv FIN)',
  ]);
  return c;
}

describe('CLOSING', () => {
  it('ACK of our FIN: TIME_WAIT', () => {
    const c = closing();
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 2 }), 40);
    expectNothing(c, 40);
    expect(transitions(events(c))).toEqual(['CLOSING->TIME_WAIT (rcv ACK)']);
  });

  it('retransmitted FIN: ACK again', () => {
    const c = closing();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 40);
    expectSegments(c, 40, [{ flags: '.', ack: IRS + 2 }]);
    expect(c.state).toBe('CLOSING');
  });

  it('our FIN is retransmitted on RTO', () => {
    const c = closing();
    const t = c.pollTimeout() as number;
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: 'F.', seq: ISS + 1, ack: IRS + 2 }]);
  });

  it('exact RST: CLOSED; SYN: challenge ACK', () => {
    const c = closing();
    send(c, seg({ flags: 'S', seq: IRS + 2 }), 40);
    expectSegments(c, 40, [{ flags: '.', ack: IRS + 2 }]);
    send(c, seg({ flags: 'R', seq: IRS + 2 }), 41);
    expect(transitions(events(c))).toEqual(['CLOSING->CLOSED (rcv RST)']);
  });
});
