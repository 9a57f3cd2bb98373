import { describe, expect, it } from 'vitest';
import { established, expectSegments, IRS, ISS, PLAIN, seg, send } from './helpers.js';

describe('a FIN beyond RCV.NXT (RFC 5681 4.2)', () => {
  it('is acknowledged at once with a duplicate ACK, even with delayed ACKs on', () => {
    const c = established({ ...PLAIN, delayedAck: true });
    const base = IRS + 1;
    // A bare FIN after a 100-byte hole.
    send(c, seg({ flags: 'F.', seq: base + 100, ack: ISS + 1 }), 20);
    expectSegments(c, 20, [{ flags: '.', seq: ISS + 1, ack: base }]);
    expect(c.state).toBe('ESTABLISHED');
    // The hole filled: the FIN is taken and acknowledged with the data.
    send(c, seg({ flags: '.', seq: base, ack: ISS + 1, data: 100 }), 30);
    expectSegments(c, 30, [{ flags: '.', seq: ISS + 1, ack: base + 101 }]);
    expect(c.state).toBe('CLOSE_WAIT');
  });
});
