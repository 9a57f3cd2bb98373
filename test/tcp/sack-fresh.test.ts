/**
 * The SACK scoreboard's `fresh` ranges: what one ACK's blocks covered that no earlier block
 * did. Recovery marks only those records SACKed, so they must be exactly the new octets, in
 * the order the blocks came, whatever the blocks overlap.
 */
import { describe, expect, it } from 'vitest';
import { SackScoreboard } from '../../src/tcp/sack-scoreboard.js';

describe('SackScoreboard.fresh', () => {
  it('is the part of each block not SACKed before, block by block', () => {
    const sb = new SackScoreboard();
    sb.update([[200, 300]], 100, 1000);
    expect(sb.fresh).toEqual([[200, 300]]);
    // The same block again: nothing new, however large it is.
    sb.update([[200, 300]], 100, 1000);
    expect(sb.fresh).toEqual([]);
    // A block that grew at both ends and swallowed another range.
    sb.update([[400, 500]], 100, 1000);
    sb.update([[150, 600]], 100, 1000);
    expect(sb.fresh).toEqual([
      [150, 200],
      [300, 400],
      [500, 600],
    ]);
    // A D-SACK first block is not SACK information; the second block's new part is.
    sb.update(
      [
        [50, 60],
        [600, 700],
      ],
      100,
      1000,
    );
    expect(sb.fresh).toEqual([[600, 700]]);
  });

  it('matches a byte map over seeded random blocks', () => {
    const sb = new SackScoreboard();
    const held = new Uint8Array(2000);
    let x = 11;
    const rnd = (n: number) => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    for (let round = 0; round < 500; round++) {
      const blocks: Array<[number, number]> = [];
      for (let k = rnd(4) + 1; k > 0; k--) {
        const l = 1 + rnd(1900);
        blocks.push([l, l + 1 + rnd(90)]);
      }
      // The first block must not read as a D-SACK (inside the second) for the map to hold.
      const [b0, b1] = blocks;
      if (b0 && b1 && b1[0] <= b0[0] && b0[1] <= b1[1]) blocks.shift();
      const expected: number[] = [];
      for (const [l, r] of blocks) {
        for (let i = l; i < r; i++) {
          if (held[i] === 0) expected.push(i);
          held[i] = 1;
        }
      }
      sb.update(blocks, 0, 2000);
      const got: number[] = [];
      for (const [l, r] of sb.fresh) for (let i = l; i < r; i++) got.push(i);
      expect(got).toEqual(expected);
    }
  });
});
