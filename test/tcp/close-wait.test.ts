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

function closeWait() {
  const c = established();
  send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
  expectSegments(c, 20, [{ flags: '.', ack: IRS + 2 }]);
  expect(transitions(events(c))).toEqual(['ESTABLISHED->CLOSE_WAIT (rcv FIN)']);
  return c;
}

describe('CLOSE_WAIT', () => {
  it('the application still sends, and its data is ACKed', () => {
    const c = closeWait();
    c.send(new Uint8Array(500));
    expectSegments(c, 30, [{ flags: 'P.', seq: ISS + 1, ack: IRS + 2, len: 500 }]);
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 501 }), 40);
    expect(c.sendQueue).toBe(0);
  });

  it('close(): LAST_ACK, FIN sent', () => {
    const c = closeWait();
    c.close(30);
    expectSegments(c, 30, [{ flags: 'F.', seq: ISS + 1, ack: IRS + 2 }]);
    expect(transitions(events(c))).toEqual(['CLOSE_WAIT->LAST_ACK (close())']);
  });

  it('a retransmitted FIN: ACK again', () => {
    const c = closeWait();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 30);
    expectSegments(c, 30, [{ flags: '.', ack: IRS + 2 }]);
    expect(c.state).toBe('CLOSE_WAIT');
  });

  it('data after the FIN is ignored', () => {
    const c = closeWait();
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 1, data: 10 }), 30);
    expect(c.recvQueue).toBe(0);
    expect(c.state).toBe('CLOSE_WAIT');
  });

  it('exact RST: CLOSED reset; SYN: challenge ACK', () => {
    const c = closeWait();
    send(c, seg({ flags: 'S', seq: IRS + 2 }), 30);
    expectSegments(c, 30, [{ flags: '.', ack: IRS + 2 }]);
    send(c, seg({ flags: 'R', seq: IRS + 2 }), 31);
    expectNothing(c, 31);
    expect(events(c).at(-1)).toEqual({ type: 'closed', reason: 'reset' });
  });
});
