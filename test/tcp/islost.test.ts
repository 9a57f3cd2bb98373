/**
 * RFC 6675 loss detection without RACK (config.rack false, the FreeBSD drill profile): IsLost
 * from the SACKed ranges above a hole, NextSeg rule 3 stepping over SACKed runs to the next
 * hole below the highest SACKed octet, and rule 4's rescue retransmission of the highest
 * unSACKed segment once per episode.
 */
import { describe, expect, it } from 'vitest';
import { dataAcks, drain, sackSender } from './helpers.js';

const MSS = 1460;
const { s, ack } = dataAcks(MSS);

describe('RFC 6675 IsLost and NextSeg without RACK', () => {
  it('deems lost only holes with DupThresh ranges or more than 2 MSS SACKed above them', () => {
    const c = sackSender(20, { rack: false });
    // Holes at 0, 3 and 6; SACKed: 1-2, 4-5, 7 (one segment above the hole at 6).
    send3(c, [
      [s(1), s(3)],
      [s(4), s(6)],
      [s(7), s(8)],
    ]);
    const out = drain(c, 40).map((x) => x.seq);
    // 0 and 3 have 5 and 3 SACKed segments above them: lost. 6 has one: not yet.
    expect(out.slice(0, 2)).toEqual([s(0), s(3)]);
    expect(out).not.toContain(s(6));
    expect(c.info().caState).toBe('recovery');
  });

  it('rule 3 steps over SACKed runs to the next hole; rule 4 rescues the highest unSACKed', () => {
    // Ten segments and no more data: NextSeg's rule 2 (new data) has nothing to send.
    const c = sackSender(10, { rack: false });
    // Segment 0 lost; 1-4 SACKed; hole at 5; 6-7 SACKed; 8 and 9 outstanding above them.
    const reports: Array<Array<[number, number]>> = [
      [[s(1), s(2)]],
      [[s(1), s(3)]],
      [[s(1), s(5)]],
      [
        [s(6), s(7)],
        [s(1), s(5)],
      ],
      [
        [s(6), s(8)],
        [s(1), s(5)],
      ],
    ];
    for (const blocks of reports) c.handleSegment(40, ack(0, blocks));
    // Rule 1: 0 (lost: 6 SACKed segments above it). Rule 3: 5, which IsLost does not call lost
    // (2 MSS SACKed above it, one range), the next unSACKed below the highest SACKed octet,
    // found past the SACKed 6-7. Rule 4: 9, the highest unSACKed segment, once.
    expect(drain(c, 40).map((x) => x.seq)).toEqual([s(0), s(5)]);
    // 8 arrives: PRR lets one more out, and only rule 4 has a candidate.
    c.handleSegment(
      41,
      ack(0, [
        [s(6), s(9)],
        [s(1), s(5)],
      ]),
    );
    expect(drain(c, 41).map((x) => x.seq)).toEqual([s(9)]);
  });
});

function send3(c: ReturnType<typeof sackSender>, blocks: Array<[number, number]>): void {
  // Three ACKs reporting the ranges one by one, as the segments arrived.
  c.handleSegment(40, ack(0, blocks.slice(0, 1)));
  c.handleSegment(40, ack(0, blocks.slice(0, 2).reverse()));
  c.handleSegment(40, ack(0, [...blocks].reverse()));
}
