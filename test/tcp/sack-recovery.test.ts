/**
 * RFC 6675 SACK-based loss recovery with PRR (RFC 6937), over two Connections back to back
 * (pair.ts) with chosen segments dropped: several holes per round trip, the scoreboard kept
 * across a timeout, cwnd = ssthresh when recovery ends.
 */
import { describe, expect, it } from 'vitest';
import { makeController } from '../../src/tcp/cc-factory.js';
import { ISS_A, MSS, transfer } from './transfer.js';

describe.each([
  ['RACK-TLP', { rack: true }],
  ['RFC 6675 DupThresh', { rack: false }],
])('SACK recovery (%s)', (_name, config) => {
  it('repairs several holes in one episode, each once, without a timeout', () => {
    const lost = new Set([12, 14, 16]);
    const { a, copies } = transfer(40, (i, copy) => copy === 1 && lost.has(i), config);
    expect(a.stats.timeouts).toBe(0);
    expect(a.stats.fastRetransmits).toBe(1);
    // Exactly the three holes were sent again; nothing SACKed was.
    expect(a.stats.retransmits).toBe(3);
    for (const [seq, n] of copies) {
      const i = Math.round((seq - ISS_A - 1) / MSS);
      expect(n, `segment ${i}`).toBe(lost.has(i) ? 2 : 1);
    }
  });

  it('after a timeout, retransmits from SND.UNA and skips what the peer SACKed (RFC 6675 5.1)', () => {
    // Segment 2 of the 10 is lost and so is its fast retransmission; nothing is sent after it
    // that could show the second loss: only the timer can repair it.
    const { a, copies } = transfer(10, (i, copy) => i === 2 && copy <= 2, config);
    expect(a.stats.timeouts).toBe(1);
    expect(a.stats.rtoRetransmits).toBe(1);
    expect(copies.get(ISS_A + 1 + 2 * MSS)).toBe(3);
    // No go-back-N: every other segment went out once.
    expect([...copies.values()].filter((n) => n > 1)).toEqual([3]);
  });

  it('ends recovery with cwnd = ssthresh (RFC 6937)', () => {
    const { p, a } = transfer(12, (i, copy) => copy === 1 && i === 3, config);
    void p;
    const info = a.info();
    expect(a.stats.fastRetransmits).toBe(1);
    expect(info.cwnd).toBeGreaterThanOrEqual(info.ssthresh);
    expect(info.ssthresh).toBeLessThan(2 ** 30);
  });
});

describe('congestion controller factory', () => {
  it("maps 'newreno' to NewReno, and a kind not yet built in falls back to it", () => {
    expect(makeController('newreno', 1000, 10).kind).toBe('newreno');
    expect(makeController('cubic', 1000, 10, {}).kind).toBe('newreno');
  });

  it('takes the kind from the connection config', () => {
    const made: string[] = [];
    const registry = {
      newreno: (mss: number, iw: number) => {
        made.push('newreno');
        return makeController('newreno', mss, iw);
      },
    };
    makeController('newreno', 1460, 10, registry);
    expect(made).toEqual(['newreno']);
  });
});
