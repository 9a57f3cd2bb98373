import { describe, it } from 'vitest';
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

describe("Nagle's algorithm (RFC 9293 3.7.4)", () => {
  it('holds a second small segment until the first is ACKed', () => {
    const c = established();
    c.send(new Uint8Array(10));
    expectSegments(c, 20, [{ flags: 'P.', seq: ISS + 1, len: 10 }]);
    c.send(new Uint8Array(10));
    c.send(new Uint8Array(10));
    expectNothing(c, 21);
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 11 }), 30);
    expectSegments(c, 30, [{ flags: 'P.', seq: ISS + 11, len: 20 }]);
  });

  it('full-sized segments are never held', () => {
    const c = established();
    c.send(new Uint8Array(10));
    expectSegments(c, 20, [{ flags: 'P.', len: 10 }]);
    c.send(new Uint8Array(1460));
    expectSegments(c, 21, [{ flags: 'P.', len: 1460 }]);
  });

  it('configure({ nagle: false }) (TCP_NODELAY) sends small segments at once', () => {
    const c = established();
    c.configure({ nagle: false });
    c.send(new Uint8Array(10));
    expectSegments(c, 20, [{ flags: 'P.', len: 10 }]);
    c.send(new Uint8Array(10));
    expectSegments(c, 21, [{ flags: 'P.', seq: ISS + 11, len: 10 }]);
  });

  it('a FIN pushes the held small segment out', () => {
    const c = established({ ...PLAIN });
    c.send(new Uint8Array(10));
    expectSegments(c, 20, [{ flags: 'P.', len: 10 }]);
    c.send(new Uint8Array(10));
    expectNothing(c, 21);
    c.shutdown(22);
    expectSegments(c, 22, [{ flags: 'FP.', seq: ISS + 11, len: 10 }]);
  });
});
