import { describe, expect, it } from 'vitest';
import { inject, seg, sent, stack } from './inject.js';

describe('stack counters: ACKs not sent to out-of-window segments (tcp_invalid_ratelimit)', () => {
  it('totals the suppressions of every connection, and keeps them after it closes', () => {
    const s = stack();
    s.listen(80);
    inject(s, 0, seg('S'));
    const [synAck] = sent(s, 0);
    inject(s, 0, seg('.', { seq: 1001, ack: synAck.seq + 1 }));
    sent(s, 0);
    expect(s.counters.invalidAcksSuppressed).toBe(0);
    // Five data segments far outside the window within 500 ms: one ACK, four suppressed.
    const far = new Uint8Array(10).fill(0x41);
    for (let i = 0; i < 5; i++)
      inject(s, 10 + i, seg('P.', { seq: 900_000, payload: far, ack: synAck.seq + 1 }));
    expect(sent(s, 20)).toHaveLength(1);
    expect(s.counters.invalidAcksSuppressed).toBe(4);
    // An abort takes the connection out of the table: its count stays in the total.
    inject(s, 30, seg('R', { seq: 1001 }));
    sent(s, 30);
    expect(s.connectionCount).toBe(0);
    expect(s.counters.invalidAcksSuppressed).toBe(4);
  });
});
