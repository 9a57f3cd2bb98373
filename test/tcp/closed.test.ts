import { describe, expect, it } from 'vitest';
import { TcpUsageError } from '../../src/tcp/types.js';
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

function closedByAbort() {
  const c = established();
  c.abort(20);
  expectSegments(c, 20, [{ flags: 'R.', seq: ISS + 1, ack: IRS + 1 }]);
  const evs = events(c);
  expect(transitions(evs)).toEqual(['ESTABLISHED->CLOSED (abort())']);
  expect(evs.at(-1)).toEqual({ type: 'closed', reason: 'aborted' });
  return c;
}

describe('CLOSED', () => {
  it('a segment with ACK gets <SEQ=SEG.ACK><CTL=RST> (RFC 9293 3.10.7.1)', () => {
    const c = closedByAbort();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 10 }), 30);
    expectSegments(c, 30, [{ flags: 'R', seq: ISS + 1 }]);
  });

  it('a segment without ACK gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>', () => {
    const c = closedByAbort();
    send(c, seg({ flags: 'S', seq: 5000 }), 30);
    expectSegments(c, 30, [{ flags: 'R.', seq: 0, ack: 5001 }]);
    send(c, seg({ flags: 'F', seq: 7000, data: 9 }), 30);
    expectSegments(c, 30, [{ flags: 'R.', seq: 0, ack: 7010 }]);
  });

  it('an RST is dropped', () => {
    const c = closedByAbort();
    send(c, seg({ flags: 'R', seq: IRS + 1 }), 30);
    expectNothing(c, 30);
  });

  it('user calls throw TcpUsageError ECLOSED; no timers; events end with closed', () => {
    const c = closedByAbort();
    expect(() => c.send(new Uint8Array(1))).toThrow(TcpUsageError);
    expect(() => c.close(40)).toThrow(expect.objectContaining({ code: 'ECLOSED' }));
    expect(() => c.abort(40)).toThrow(expect.objectContaining({ code: 'ECLOSED' }));
    expect(() => c.shutdown(40)).toThrow(expect.objectContaining({ code: 'ECLOSED' }));
    expect(c.pollTimeout()).toBeUndefined();
    c.handleTimeout(1e9);
    expectNothing(c, 1e9);
    expect(events(c)).toEqual([]);
  });
});
