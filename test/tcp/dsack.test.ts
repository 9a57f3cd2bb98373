/** D-SACK (RFC 2883) at the receiver: a duplicate segment is reported in the first SACK block. */
import { describe, expect, it } from 'vitest';
import {
  established,
  expectSegments,
  IRS,
  ISS,
  PLAIN,
  SACK_OK,
  sackOption,
  seg,
  send,
} from './helpers.js';

const SACK_CFG = { ...PLAIN, sack: true };
const base = IRS + 1;
const data = (seq: number, len: number) => seg({ flags: '.', seq, ack: ISS + 1, data: len });

describe('D-SACK (RFC 2883)', () => {
  it('reports a segment entirely below RCV.NXT once, in the next ACK', () => {
    const c = established(SACK_CFG, SACK_OK);
    send(c, data(base, 100), 20);
    expectSegments(c, 20, [{ flags: '.', ack: base + 100, options: [] }]);
    send(c, data(base, 100), 30);
    expectSegments(c, 30, [
      { flags: '.', ack: base + 100, options: sackOption([[base, base + 100]]) },
    ]);
    // Not repeated: the next ACK has no SACK option.
    send(c, data(base + 100, 100), 40);
    expectSegments(c, 40, [{ flags: '.', ack: base + 200, options: [] }]);
  });

  it('reports the duplicated part of a segment that overlaps RCV.NXT, and takes the rest', () => {
    const c = established(SACK_CFG, SACK_OK);
    send(c, data(base, 100), 20);
    expectSegments(c, 20, [{ flags: '.', ack: base + 100 }]);
    send(c, data(base + 50, 100), 30);
    expectSegments(c, 30, [
      { flags: '.', ack: base + 150, options: sackOption([[base + 50, base + 100]]) },
    ]);
    expect(c.recvQueue).toBe(150);
  });

  it('reports a duplicate of out-of-order data, then the block that holds it (RFC 2883 4)', () => {
    const c = established(SACK_CFG, SACK_OK);
    send(c, data(base + 100, 100), 20);
    expectSegments(c, 20, [{ flags: '.', ack: base }]);
    send(c, data(base + 300, 100), 21);
    expectSegments(c, 21, [{ flags: '.', ack: base }]);
    send(c, data(base + 100, 50), 30);
    expectSegments(c, 30, [
      {
        flags: '.',
        ack: base,
        options: sackOption([
          [base + 100, base + 150],
          [base + 100, base + 200],
          [base + 300, base + 400],
        ]),
      },
    ]);
  });

  it('is sent only when SACK was negotiated, and not with config.dsack off', () => {
    for (const c of [established(SACK_CFG), established({ ...SACK_CFG, dsack: false }, SACK_OK)]) {
      send(c, data(base, 100), 20);
      expectSegments(c, 20, [{ flags: '.', ack: base + 100 }]);
      send(c, data(base, 100), 30);
      expectSegments(c, 30, [{ flags: '.', ack: base + 100, options: [] }]);
    }
  });
});
