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

const SACK_OK: TcpOption[] = [{ kind: 'mss', value: 1460 }, { kind: 'sack-permitted' }];
const SACK_CFG = { ...PLAIN, sack: true };

function sackOpt(blocks: Array<[number, number]>): TcpOption[] {
  return [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks }];
}

describe('SACK (RFC 2018)', () => {
  it('is negotiated only when both SYNs carry SACK-permitted', () => {
    expect(established(SACK_CFG, SACK_OK).info().sackPermitted).toBe(true);
    expect(established(SACK_CFG).info().sackPermitted).toBe(false);
    expect(established(PLAIN, SACK_OK).info().sackPermitted).toBe(false);
  });

  it('ACKs for out-of-order data carry blocks, the most recent first, at most 4', () => {
    const c = established(SACK_CFG, SACK_OK);
    const base = IRS + 1;
    const blocks: Array<[number, number]> = [];
    for (let i = 0; i < 5; i++) {
      const left = base + 100 + i * 200;
      send(c, seg({ flags: '.', seq: left, ack: ISS + 1, data: 100 }), 20 + i);
      blocks.unshift([left, left + 100]);
      expectSegments(c, 20 + i, [{ flags: '.', ack: base, options: sackOpt(blocks.slice(0, 4)) }]);
    }
    // A segment joining two blocks reports the merged block first.
    send(c, seg({ flags: '.', seq: base + 200, ack: ISS + 1, data: 100 }), 30);
    expectSegments(c, 30, [
      {
        flags: '.',
        ack: base,
        options: sackOpt([
          [base + 100, base + 400],
          [base + 900, base + 1000],
          [base + 700, base + 800],
          [base + 500, base + 600],
        ]),
      },
    ]);
    // Filling the first gap delivers everything up to the next hole; fewer blocks remain.
    send(c, seg({ flags: '.', seq: base, ack: ISS + 1, data: 100 }), 31);
    expectSegments(c, 31, [
      {
        flags: '.',
        ack: base + 400,
        options: sackOpt([
          [base + 900, base + 1000],
          [base + 700, base + 800],
          [base + 500, base + 600],
        ]),
      },
    ]);
    expect(c.recvQueue).toBe(400);
  });

  it('3 blocks at most next to timestamps', () => {
    const opts: TcpOption[] = [...SACK_OK, { kind: 'timestamp', value: 1, echo: 0 }];
    const c = established({ ...SACK_CFG, timestamps: true }, opts);
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      send(
        c,
        seg({
          flags: '.',
          seq: IRS + 101 + i * 200,
          ack: ISS + 1,
          data: 100,
          options: [{ kind: 'timestamp', value: 2, echo: 0 }],
        }),
        20,
      );
      const [ack] = expectSegments(c, 20, [{ flags: '.' }]);
      const sack = ack?.options.find((o) => o.kind === 'sack');
      counts.push(sack?.kind === 'sack' ? sack.blocks.length : 0);
    }
    expect(counts).toEqual([1, 2, 3, 3]);
  });

  it('in recovery the sender retransmits holes and skips SACKed data', () => {
    const c = established({ ...SACK_CFG, minRto: 1000 }, SACK_OK);
    const MSS = 1460;
    c.send(new Uint8Array(10 * MSS));
    expectSegments(
      c,
      20,
      Array.from({ length: 10 }, () => ({ flags: '.' }))
        .slice(0, 9)
        .concat([{ flags: 'P.' }]),
    );
    const s = (n: number) => (ISS + 1 + n * MSS) >>> 0;
    // Segments 0 and 2 are lost; 1, 3, 4, 5 arrive.
    const dup = (blocks: Array<[number, number]>) =>
      seg({ flags: '.', seq: IRS + 1, ack: s(0), options: sackOpt(blocks) });
    send(c, dup([[s(1), s(2)]]), 30);
    send(
      c,
      dup([
        [s(3), s(4)],
        [s(1), s(2)],
      ]),
      31,
    );
    send(
      c,
      dup([
        [s(3), s(5)],
        [s(1), s(2)],
      ]),
      32,
    );
    expectSegments(c, 32, [{ flags: '.', seq: s(0), len: MSS }]);
    send(
      c,
      dup([
        [s(3), s(6)],
        [s(1), s(2)],
      ]),
      33,
    );
    // PRR (RFC 6937): pipe (10 sent - 4 SACKed - 2 lost + 1 retransmitted = 5 segments) is not
    // below ssthresh (5 segments): this ACK releases nothing; the next one, with pipe at 4,
    // releases one segment.
    expectNothing(c, 33);
    send(
      c,
      dup([
        [s(3), s(7)],
        [s(1), s(2)],
      ]),
      34,
    );
    // The next hole is segment 2, not the SACKed segment 1.
    expectSegments(c, 34, [{ flags: '.', seq: s(2), len: MSS }]);
  });
});

describe('SACK blocks on data segments', () => {
  it('take room from the payload so the segment stays within MSS', () => {
    const c = established({ ...SACK_CFG, nagle: false }, SACK_OK);
    send(c, seg({ flags: '.', seq: IRS + 101, ack: ISS + 1, data: 100 }), 20);
    expectSegments(c, 20, [{ flags: '.', ack: IRS + 1 }]);
    c.send(new Uint8Array(3000));
    const out = expectSegments(c, 21, [{ flags: '.' }, { flags: '.' }, { flags: 'P.' }]);
    for (const s of out) {
      const sack = s.options.find((o) => o.kind === 'sack');
      expect(sack).toBeDefined();
      // 2 NOPs + kind/length + one 8-byte block = 12 bytes of options.
      expect(s.payload.byteLength + 12).toBeLessThanOrEqual(1460);
    }
    expect(out.map((s) => s.payload.byteLength)).toEqual([1448, 1448, 104]);
  });
});
