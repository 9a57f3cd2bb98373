/**
 * What counts as a duplicate acknowledgment: RFC 6675 (2) on a SACK connection (new SACK
 * information, whatever else the ACK does), RFC 5681 (2) without SACK (nothing else changes).
 */
import { describe, expect, it } from 'vitest';
import { isDsack, SackScoreboard } from '../../src/tcp/sack-scoreboard.js';
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

const MSS = 1460;
const s = (n: number) => (ISS + 1 + n * MSS) >>> 0;

/** Ten segments in flight on a connection with or without SACK. */
function tenInFlight(sack: boolean) {
  const c = established({ ...PLAIN, sack, minRto: 1000 }, sack ? SACK_OK : undefined);
  c.send(new Uint8Array(10 * MSS));
  expect(
    expectSegments(
      c,
      20,
      Array.from({ length: 10 }, (_, i) => ({ flags: i === 9 ? 'P.' : '.' })),
    ),
  ).toHaveLength(10);
  return c;
}

describe('duplicate ACKs', () => {
  it('with SACK, an ACK with new SACK blocks counts even when it changes the window (RFC 6675 2)', () => {
    const c = tenInFlight(true);
    for (let i = 1; i <= 3; i++) {
      const ack = seg({
        flags: '.',
        seq: IRS + 1,
        ack: s(0),
        window: 65535 - i * 1000,
        options: sackOption([[s(1), s(1 + i)]]),
      });
      send(c, ack, 30 + i);
    }
    expect(c.stats.dupAcksIn).toBe(3);
    expect(c.stats.fastRetransmits).toBe(1);
  });

  it('with SACK, an ACK repeating old SACK blocks or carrying only a D-SACK does not count', () => {
    const c = tenInFlight(true);
    const at = (t: number, blocks: Array<[number, number]>) =>
      send(c, seg({ flags: '.', seq: IRS + 1, ack: s(0), options: sackOption(blocks) }), t);
    at(30, [[s(1), s(2)]]);
    expect(c.stats.dupAcksIn).toBe(1);
    // Same block again; a D-SACK inside it (RFC 2883 4) followed by it; a D-SACK below SND.UNA.
    at(31, [[s(1), s(2)]]);
    at(32, [
      [s(1), s(1) + 100],
      [s(1), s(2)],
    ]);
    at(33, [
      [ISS + 1 - 100, ISS + 1],
      [s(1), s(2)],
    ]);
    expect(c.stats.dupAcksIn).toBe(1);
    expect(c.stats.fastRetransmits).toBe(0);
  });

  it('without SACK, an ACK that changes the window is no duplicate (RFC 5681 2)', () => {
    const c = tenInFlight(false);
    for (let i = 1; i <= 3; i++) {
      send(c, seg({ flags: '.', seq: IRS + 1, ack: s(0), window: 65535 - i * 1000 }), 30 + i);
    }
    expect(c.stats.dupAcksIn).toBe(0);
    for (let i = 4; i <= 6; i++) {
      send(c, seg({ flags: '.', seq: IRS + 1, ack: s(0), window: 65535 - 3000 }), 30 + i);
    }
    expect(c.stats.dupAcksIn).toBe(3);
    expect(c.stats.fastRetransmits).toBe(1);
  });
});

describe('D-SACK blocks at the sender (RFC 2883 4)', () => {
  it('the first block is a D-SACK below the cumulative ACK or inside the second block', () => {
    expect(isDsack([[50, 100]], 100)).toBe(true);
    expect(
      isDsack(
        [
          [150, 160],
          [100, 200],
        ],
        100,
      ),
    ).toBe(true);
    expect(
      isDsack(
        [
          [150, 160],
          [300, 400],
        ],
        100,
      ),
    ).toBe(false);
    expect(
      isDsack(
        [
          [150, 250],
          [100, 200],
        ],
        100,
      ),
    ).toBe(false);
    expect(isDsack([], 100)).toBe(false);
  });

  it('is not taken as SACK information by the scoreboard', () => {
    const b = new SackScoreboard();
    expect(b.update([[200, 300]], 100, 1000)).toBe(true);
    expect(b.update([[200, 300]], 100, 1000)).toBe(false);
    // D-SACK [210, 220) inside [200, 400): only [300, 400) is new.
    expect(
      b.update(
        [
          [210, 220],
          [200, 400],
        ],
        100,
        1000,
      ),
    ).toBe(true);
    expect(b.blocks).toEqual([[200, 400]]);
    expect(b.update([[50, 60]], 100, 1000)).toBe(false);
  });
});
