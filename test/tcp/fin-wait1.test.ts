import { describe, expect, it } from 'vitest';
import {
  established,
  events,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  pattern,
  seg,
  send,
  transitions,
} from './helpers.js';

/** ESTABLISHED, then shutdown() sends our FIN: FIN_WAIT1 with the FIN unacknowledged. */
function finWait1(how: 'shutdown' | 'close' = 'shutdown') {
  const c = established();
  if (how === 'shutdown') c.shutdown(20);
  else c.close(20);
  expectSegments(c, 20, [{ flags: 'F.', seq: ISS + 1, ack: IRS + 1 }]);
  expect(transitions(events(c))).toEqual([`ESTABLISHED->FIN_WAIT1 (${how}())`]);
  return c;
}

describe('FIN_WAIT1', () => {
  it('ACK of our FIN: FIN_WAIT2', () => {
    const c = finWait1();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2 }), 30);
    expectNothing(c, 30);
    expect(transitions(events(c))).toEqual(['FIN_WAIT1->FIN_WAIT2 (rcv ACK)']);
  });

  it('FIN without the ACK of ours (simultaneous close): CLOSING, ACK sent', () => {
    const c = finWait1();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
    expect(transitions(events(c))).toEqual(['FIN_WAIT1->CLOSING (rcv FIN)']);
  });

  it('FIN together with the ACK of ours: TIME_WAIT directly (cause rcv FIN,ACK)', () => {
    const c = finWait1();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
    expect(transitions(events(c))).toEqual(['FIN_WAIT1->TIME_WAIT (rcv FIN,ACK)']);
  });

  it('data still arrives (half-close) and is ACKed and readable', () => {
    const c = finWait1();
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 50 }), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 51 }]);
    expect(c.read()).toEqual(pattern(50));
    expect(c.state).toBe('FIN_WAIT1');
  });

  it('data after close() (an orphan): RST, CLOSED aborted', () => {
    const c = finWait1('close');
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 2, data: 50 }), 30);
    expectSegments(c, 30, [{ flags: 'R.', seq: ISS + 2 }]);
    const evs = events(c);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'aborted' });
  });

  it('SYN: challenge ACK; exact RST: reset; out-of-window RST: ignored', () => {
    const c = finWait1();
    send(c, seg({ flags: 'S', seq: IRS + 1 }), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 1 }]);
    send(c, seg({ flags: 'R', seq: IRS + 900_000 }), 30);
    expectNothing(c, 30);
    send(c, seg({ flags: 'R', seq: IRS + 1 }), 30);
    expect(events(c).at(-1)).toEqual({ type: 'closed', reason: 'reset' });
  });

  it('the FIN is retransmitted on RTO', () => {
    const c = finWait1();
    const t = c.pollTimeout() as number;
    expect(c.activeTimer()?.kind).toBe('retransmit');
    c.handleTimeout(t);
    expectSegments(c, t, [{ flags: 'F.', seq: ISS + 1 }]);
  });

  it('send() after shutdown(): EPIPE', () => {
    const c = finWait1();
    expect(() => c.send(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'EPIPE' }));
  });

  it('queued data goes before the FIN', () => {
    const c = established();
    c.send(pattern(100));
    c.shutdown(20);
    expectSegments(c, 20, [{ flags: 'FP.', seq: ISS + 1, len: 100 }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 101 }), 30);
    expect(c.state).toBe('FIN_WAIT1');
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 102 }), 31);
    expect(c.state).toBe('FIN_WAIT2');
  });
});

describe('FIN_WAIT1: FIN, data and the ACK of our FIN in one segment', () => {
  it('goes straight to TIME_WAIT and delivers the data', () => {
    const c = established();
    c.shutdown(20);
    expectSegments(c, 20, [{ flags: 'F.', seq: ISS + 1 }]);
    events(c);
    send(c, seg({ flags: 'FP.', seq: IRS + 1, ack: ISS + 2, data: 30 }), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 32 }]);
    expect(transitions(events(c))).toEqual(['FIN_WAIT1->TIME_WAIT (rcv FIN,ACK)']);
    expect(c.read()).toEqual(pattern(30));
  });

  it('an ACK of our FIN with data but no FIN: FIN_WAIT2, data delivered', () => {
    const c = established();
    c.shutdown(20);
    expectSegments(c, 20, [{ flags: 'F.' }]);
    events(c);
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 2, data: 30 }), 30);
    expectSegments(c, 30, [{ flags: '.', ack: IRS + 31 }]);
    expect(transitions(events(c))).toEqual(['FIN_WAIT1->FIN_WAIT2 (rcv ACK)']);
  });
});
