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

describe('zero window and the persist timer (RFC 9293 3.8.6.1)', () => {
  it('probes a zero window with one byte, backing off, until it opens', () => {
    const c = established({ ...PLAIN, minRto: 200 });
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, window: 0 }), 20);
    c.send(new Uint8Array(5000));
    expectNothing(c, 20);
    const t1 = c.activeTimer();
    expect(t1?.kind).toBe('persist');
    c.handleTimeout(t1?.deadline as number);
    expectSegments(c, t1?.deadline as number, [{ flags: '.', seq: ISS + 1, len: 1 }]);
    // Still closed: the probe byte is not accepted.
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, window: 0 }), 300);
    const t2 = c.activeTimer();
    expect(t2?.kind).toBe('persist');
    c.handleTimeout(t2?.deadline as number);
    expectSegments(c, t2?.deadline as number, [{ flags: '.', seq: ISS + 1, len: 1 }]);
    const t3 = c.activeTimer();
    // Exponential backoff between probes.
    expect((t3?.deadline as number) - (t2?.deadline as number)).toBeGreaterThan(
      (t2?.deadline as number) - (t1?.deadline as number),
    );
    expect(c.stats.zeroWindowProbes).toBe(2);
    // The window opens (and the probe byte was taken): the rest flows.
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 2, window: 65535 }), 2000);
    const out = expectSegments(c, 2000, [
      { flags: '.', seq: ISS + 2, len: 1460 },
      { flags: '.', len: 1460 },
      { flags: '.', len: 1460 },
      { flags: 'P.', len: 619 },
    ]);
    expect(out).toHaveLength(4);
  });

  it('a zero-window probe arriving at us is answered with an ACK of rcvNxt', () => {
    const c = established({ ...PLAIN, receiveBufferSize: 1000 });
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 1000 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 1001, window: 0 }]);
    send(c, seg({ flags: '.', seq: IRS + 1001, ack: ISS + 1, data: 1 }), 30);
    expectSegments(c, 30, [{ flags: '.', ack: IRS + 1001, window: 0 }]);
    expect(c.recvQueue).toBe(1000);
    // Reading reopens the window: a window update goes out (receiver SWS threshold met).
    c.read();
    expectSegments(c, 40, [{ flags: '.', ack: IRS + 1001, window: 1000 }]);
  });
});
