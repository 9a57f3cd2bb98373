import { describe, expect, it } from 'vitest';
import type { TcpOption } from '../../src/wire/types.js';
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

const cfg = { ...PLAIN, timestamps: true };
const ts = (value: number, echo = 0): TcpOption[] => [{ kind: 'timestamp', value, echo }];

function withTs() {
  return established(cfg, [{ kind: 'mss', value: 1460 }, ...ts(1000)]);
}

describe('timestamps and PAWS (RFC 7323)', () => {
  it('every segment carries TSval (ms clock + tsOffset) and TSecr = TS.Recent', () => {
    const c = established({ ...cfg, tsOffset: 5 }, [{ kind: 'mss', value: 1460 }, ...ts(1000)]);
    c.send(new Uint8Array(10));
    expectSegments(c, 20.7, [
      {
        flags: 'P.',
        len: 10,
        options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', value: 25, echo: 1000 }],
      },
    ]);
    // MSS less 12 bytes of options.
    expect(c.info().mss).toBe(1448);
  });

  it('a segment with an older TSval is dropped and ACKed (PAWS)', () => {
    const c = withTs();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 10, options: ts(1005) }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 11 }]);
    send(c, seg({ flags: '.', seq: IRS + 11, ack: ISS + 1, data: 10, options: ts(900) }), 21);
    expectSegments(c, 21, [{ flags: '.', ack: IRS + 11 }]);
    expect(c.recvQueue).toBe(10);
    expect(c.stats.pawsDropped).toBe(1);
  });

  it('a pure ACK with an older TSval is dropped without an ACK (no ACK for an ACK)', () => {
    const c = withTs();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, options: ts(1005) }), 20);
    expectNothing(c, 20);
    // Reordered: an ACK sent before the last one arrives after it.
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, options: ts(1003) }), 21);
    expectNothing(c, 21);
    expect(c.stats.pawsDropped).toBe(1);
    // A FIN is answered: the peer needs to learn where we are.
    send(c, seg({ flags: 'F.', seq: IRS + 1, ack: ISS + 1, options: ts(1001) }), 22);
    expectSegments(c, 22, [{ flags: '.', ack: IRS + 1 }]);
    expect(c.stats.pawsDropped).toBe(2);
  });

  it('TS.Recent follows the newest in-order segment and is echoed', () => {
    const c = withTs();
    send(c, seg({ flags: '.', seq: IRS + 1, ack: ISS + 1, data: 10, options: ts(2000) }), 20);
    const [ack] = expectSegments(c, 20, [{ flags: '.' }]);
    expect(ack?.options).toContainEqual({ kind: 'timestamp', value: 20, echo: 2000 });
  });

  it('RST is exempt from PAWS', () => {
    const c = withTs();
    send(c, seg({ flags: 'R', seq: IRS + 1, options: ts(1) }), 20);
    expectNothing(c, 20);
    expect(c.state).toBe('CLOSED');
  });

  it('no timestamps unless both SYNs carry them', () => {
    const c = established(cfg);
    expect(c.info().timestamps).toBe(false);
    c.send(new Uint8Array(1));
    expectSegments(c, 20, [{ flags: 'P.', options: [] }]);
  });
});
