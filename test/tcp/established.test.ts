import { describe, expect, it } from 'vitest';
import {
  acceptedEstablished,
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

const W = 65535;

describe('ESTABLISHED', () => {
  it('in-order data: ACKed, readable, read() returns it', () => {
    const c = established();
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 100 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 101, window: W - 100 }]);
    expect(events(c)).toEqual([{ type: 'readable' }]);
    expect(c.recvQueue).toBe(100);
    expect(c.read()).toEqual(pattern(100));
    expect(c.recvQueue).toBe(0);
  });

  it('data entirely before rcvNxt (a duplicate): ACK, nothing delivered', () => {
    const c = established();
    send(c, seg({ flags: '.', seq: IRS - 99, ack: ISS + 1, data: 100 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(c.recvQueue).toBe(0);
    expect(c.stats.dropped).toBe(1);
  });

  it('data beyond the window: ACK, nothing delivered', () => {
    const c = established();
    send(c, seg({ flags: '.', seq: IRS + 1 + W, ack: ISS + 1, data: 10 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(c.recvQueue).toBe(0);
  });

  it('data overlapping rcvNxt is trimmed to the new part', () => {
    const c = established();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: pattern(10) }), 20);
    send(c, seg({ flags: '.', seq: IRS + 6, ack: ISS + 1, data: pattern(10, 5) }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 16 }]);
    expect(c.read()).toEqual(pattern(15));
  });

  it('SYN: challenge ACK (RFC 5961 4), state unchanged', () => {
    const c = established();
    send(c, seg({ flags: 'S', seq: IRS + 1 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(c.state).toBe('ESTABLISHED');
    expect(c.stats.challengeAcksSent).toBe(1);
  });

  it('SYN,ACK (a late duplicate): ACK, state unchanged', () => {
    const c = established();
    send(c, seg({ flags: 'S.', seq: IRS, ack: ISS + 1 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(c.state).toBe('ESTABLISHED');
  });

  it('RST with seq = rcvNxt: CLOSED, reason reset, nothing sent', () => {
    const c = established();
    send(c, seg({ flags: 'R', seq: IRS + 1 }), 20);
    expectNothing(c, 20);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['ESTABLISHED->CLOSED (rcv RST)']);
    expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'reset' });
  });

  it('RST in the window but not exact: challenge ACK (RFC 5961 3.2)', () => {
    const c = established();
    send(c, seg({ flags: 'R', seq: IRS + 1000 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(c.state).toBe('ESTABLISHED');
  });

  it('RST outside the window: dropped silently', () => {
    const c = established();
    send(c, seg({ flags: 'R', seq: IRS + 1 + W + 10 }), 20);
    send(c, seg({ flags: 'R', seq: IRS - 10 }), 20);
    expectNothing(c, 20);
    expect(c.state).toBe('ESTABLISHED');
  });

  it('ACK of data never sent: challenge ACK, segment dropped (RFC 5961 5.2)', () => {
    const c = established();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 500, data: 10 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 1 }]);
    expect(c.recvQueue).toBe(0);
  });

  it('ACK far too old (below SND.UNA - MAX.SND.WND): challenge ACK, dropped', () => {
    const c = established();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS - 100_000, data: 10 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 1 }]);
    expect(c.recvQueue).toBe(0);
  });

  it('segment without ACK: dropped', () => {
    const c = established();
    send(c, seg({ flags: '', seq: IRS + 1, data: 10 }), 20);
    expectNothing(c, 20);
    expect(c.recvQueue).toBe(0);
  });

  it('FIN: CLOSE_WAIT, ACK, end event', () => {
    const c = established();
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 2 }]);
    const evs = events(c);
    expect(transitions(evs)).toEqual(['ESTABLISHED->CLOSE_WAIT (rcv FIN)']);
    expect(evs).toContainEqual({ type: 'end' });
  });

  it('data with FIN: delivered, then CLOSE_WAIT', () => {
    const c = established();
    send(c, seg({ flags: 'FP.', seq: IRS + 1, ack: ISS + 1, data: 5 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 7 }]);
    expect(c.state).toBe('CLOSE_WAIT');
    expect(c.read()).toEqual(pattern(5));
  });

  it('sends queued data with PSH on the last segment, and takes its ACK', () => {
    const c = established();
    expect(c.send(pattern(3000))).toBe(3000);
    expectSegments(c, 20, [
      { flags: '.', seq: ISS + 1, len: 1460 },
      { flags: '.', seq: ISS + 1461, len: 1460 },
      { flags: 'P.', seq: ISS + 2921, len: 80 },
    ]);
    expect(c.sendQueue).toBe(3000);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 3001 }), 40);
    expectNothing(c, 40);
    expect(c.sendQueue).toBe(0);
    expect(c.activeTimer()).toBeUndefined();
  });

  it('the same exchanges hold for a passively opened connection', () => {
    const c = acceptedEstablished();
    send(c, seg({ flags: 'P.', seq: IRS + 1, ack: ISS + 1, data: 10 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: IRS + 11 }]);
    send(c, seg({ flags: 'S', seq: IRS + 11 }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 11 }]);
  });

  it('a window update from the peer is taken only from newer segments', () => {
    const c = established();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, window: 1000 }), 20);
    expect(c.info().sndWnd).toBe(1000);
    // An old segment (seq before rcvNxt) is unacceptable: ACKed, its window ignored.
    send(c, seg({ flags: '.', seq: IRS, ack: ISS + 1, window: 65535 }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 1 }]);
    expect(c.info().sndWnd).toBe(1000);
    c.send(pattern(3000));
    // Sender SWS avoidance (RFC 9293 3.8.6.2.1): 1000 bytes is less than half the largest
    // window seen, so it waits for the override timeout.
    expectNothing(c, 21);
    const t = c.activeTimer();
    expect(t?.kind).toBe('persist');
    c.handleTimeout(t?.deadline ?? 0);
    expectSegments(c, t?.deadline ?? 0, [{ flags: '.', len: 1000 }]);
  });
});

describe('ESTABLISHED: out-of-order FIN', () => {
  it('a FIN beyond a gap is processed once the gap fills; bytes past it are ignored', () => {
    const c = established();
    send(c, seg({ flags: 'F.', seq: IRS + 11, ack: ISS + 1, data: 5 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 1 }]);
    expect(c.state).toBe('ESTABLISHED');
    // Bytes claimed after the FIN are not taken.
    send(c, seg({ flags: '.', seq: IRS + 16, ack: ISS + 1, data: 5 }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 1 }]);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 10 }), 22);
    expectSegments(c, 22, [{ flags: '.', ack: IRS + 17 }]);
    expect(c.state).toBe('CLOSE_WAIT');
    expect(c.recvQueue).toBe(15);
  });
});
