import { describe, expect, it } from 'vitest';
import type { Stack, StackOptions } from '../../src/stack/stack.js';
import { inject, seg, sent, stack } from './inject.js';

/** A stack with `n` ESTABLISHED connections to port 80, from ports 40000.. (peer ISN 1000). */
function withConnections(n: number, opts: Partial<StackOptions>): Stack {
  const s = stack(opts);
  s.listen(80);
  for (let i = 0; i < n; i++) {
    inject(s, 0, seg('S', { srcPort: 40000 + i }));
    const [synAck] = sent(s, 0);
    inject(s, 0, seg('.', { srcPort: 40000 + i, seq: 1001, ack: synAck.seq + 1 }));
  }
  sent(s, 0);
  return s;
}

/** An in-window SYN to each connection (RFC 5961 4.2: a challenge ACK each); ACKs sent back. */
function challenge(s: Stack, n: number, now: number): number {
  for (let i = 0; i < n; i++) inject(s, now, seg('S', { srcPort: 40000 + i, seq: 1005 }));
  return sent(s, now).length;
}

describe('challenge ACKs per host (RFC 5961 7, Linux tcp_challenge_ack_limit)', () => {
  it('sends at most the host limit per second over all connections, and counts the rest', () => {
    const s = withConnections(5, { challengeAckLimit: 3 });
    expect(challenge(s, 5, 100)).toBe(3);
    expect(s.counters.challengeAcksLimited).toBe(2);
    expect(s.counters.challengeAcks).toBe(3);
    // a new second, a new budget
    expect(challenge(s, 5, 1200)).toBe(3);
  });

  it('Infinity lifts the host limit (each connection keeps its own)', () => {
    const s = withConnections(5, { challengeAckLimit: Number.POSITIVE_INFINITY });
    expect(challenge(s, 5, 100)).toBe(5);
    expect(s.counters.challengeAcksLimited).toBe(0);
  });
});
