import { describe, expect, it } from 'vitest';
import {
  established,
  events,
  expectNothing,
  expectSegments,
  IRS,
  ISS,
  PLAIN,
  seg,
  send,
  transitions,
} from './helpers.js';

function timeWait() {
  const c = established({ ...PLAIN, msl: 1000 });
  c.close(20);
  expectSegments(c, 20, [{ flags: 'F.', seq: ISS + 1 }]);
  send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 30);
  expectSegments(c, 30, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
  expect(transitions(events(c))).toEqual([
    'ESTABLISHED->FIN_WAIT1 (close())',
    'FIN_WAIT1->TIME_WAIT (rcv FIN,ACK)',
  ]);
  return c;
}

describe('TIME_WAIT', () => {
  it('lasts 2*MSL then CLOSED (cause 2MSL timer, reason normal)', () => {
    const c = timeWait();
    expect(c.activeTimer()).toEqual({ kind: 'time-wait', deadline: 2030 });
    c.handleTimeout(2029);
    expect(c.state).toBe('TIME_WAIT');
    c.handleTimeout(2030);
    expectNothing(c, 2030);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['TIME_WAIT->CLOSED (2MSL timer)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'normal' });
  });

  it('a retransmitted FIN is ACKed again and restarts the 2MSL timer', () => {
    const c = timeWait();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 2 }), 1500);
    expectSegments(c, 1500, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
    expect(c.activeTimer()).toEqual({ kind: 'time-wait', deadline: 3500 });
  });

  it('RST is ignored (RFC 1337)', () => {
    const c = timeWait();
    send(c, seg({ flags: 'R', seq: IRS + 2 }), 100);
    send(c, seg({ flags: 'R.', seq: IRS + 2, ack: ISS + 2 }), 100);
    expectNothing(c, 100);
    expect(c.state).toBe('TIME_WAIT');
  });

  it('a SYN: challenge ACK (the stack decides about reuse before it gets here)', () => {
    const c = timeWait();
    send(c, seg({ flags: 'S', seq: IRS + 2 }), 100);
    expectSegments(c, 100, [{ flags: '.', ack: IRS + 2 }]);
    expect(c.state).toBe('TIME_WAIT');
  });

  it('an in-window segment other than an exact duplicate ACK is acknowledged; a duplicate ACK is not', () => {
    const c = timeWait();
    // An ACK ahead of RCV.NXT, inside the window (FreeBSD suite rcv-ack-time-wait-*-middle).
    send(c, seg({ flags: '.', seq: IRS + 3, ack: ISS + 2 }), 100);
    expectSegments(c, 100, [{ flags: '.', seq: ISS + 2, ack: IRS + 2 }]);
    // The exact duplicate of the peer's last ACK draws nothing: no ACK ping-pong.
    send(c, seg({ flags: '.', seq: IRS + 2, ack: ISS + 2 }), 200);
    expectNothing(c, 200);
    // Without the ACK bit a segment is dropped (RFC 9293 3.10.7.4, fifth step).
    send(c, seg({ flags: 'F', seq: IRS + 2 }), 300);
    expectNothing(c, 300);
    expect(c.state).toBe('TIME_WAIT');
    expect(c.activeTimer()).toEqual({ kind: 'time-wait', deadline: 2030 });
  });

  it('endTimeWait(): CLOSED with the given cause', () => {
    const c = timeWait();
    c.endTimeWait(200, 'rcv SYN');
    const evs = events(c);
    expect(transitions(evs)).toEqual(['TIME_WAIT->CLOSED (rcv SYN)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'normal' });
    expect(() => c.endTimeWait(300, 'rcv SYN')).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
  });

  it('send() is refused with EPIPE', () => {
    const c = timeWait();
    expect(() => c.send(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'EPIPE' }));
  });
});
