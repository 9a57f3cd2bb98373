import { describe, expect, it } from 'vitest';
import { firstDifference, pattern } from './helpers.js';
import { Pair } from './pair.js';

describe('two connections back to back', () => {
  it('handshake, data both ways, orderly close: every transition in order', () => {
    const p = new Pair().connect().run(100);
    expect(p.state('a')).toBe('ESTABLISHED');
    expect(p.state('b')).toBe('ESTABLISHED');
    const data = pattern(100_000);
    let off = 0;
    const a = p.conn('a');
    const pump = () => {
      if (off < data.length) off += a.send(data.subarray(off));
    };
    pump();
    for (let i = 0; i < 1000 && p.receivedLength.b < data.length; i++) {
      p.flush();
      p.run(p.now + 5);
      pump();
    }
    expect(p.receivedLength.b).toBe(data.length);
    expect(firstDifference(p.bytes('b'), data)).toBe(-1);
    p.conn('b').send(pattern(5000, 7));
    p.flush();
    p.run(p.now + 200);
    expect(firstDifference(p.bytes('a'), pattern(5000, 7))).toBe(-1);
    a.close(p.now);
    p.flush();
    p.run(p.now + 100);
    expect(p.state('a')).toBe('FIN_WAIT2');
    expect(p.state('b')).toBe('CLOSE_WAIT');
    p.conn('b').close(p.now);
    p.flush();
    p.run();
    expect(p.transitions('a')).toEqual([
      'CLOSED->SYN_SENT (connect())',
      'SYN_SENT->ESTABLISHED (rcv SYN,ACK)',
      'ESTABLISHED->FIN_WAIT1 (close())',
      'FIN_WAIT1->FIN_WAIT2 (rcv ACK)',
      'FIN_WAIT2->TIME_WAIT (rcv FIN)',
      'TIME_WAIT->CLOSED (2MSL timer)',
    ]);
    expect(p.transitions('b')).toEqual([
      'LISTEN->SYN_RECV (rcv SYN)',
      'SYN_RECV->ESTABLISHED (rcv ACK)',
      'ESTABLISHED->CLOSE_WAIT (rcv FIN)',
      'CLOSE_WAIT->LAST_ACK (close())',
      'LAST_ACK->CLOSED (rcv ACK)',
    ]);
    expect(p.closedReason('a')).toBe('normal');
    expect(p.closedReason('b')).toBe('normal');
  });
});
